package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var _ queue.Queue = (*Store)(nil)

// A claim is three statements in one write transaction: claimPickSQL
// chooses the domains, claimRunSQL starts or resumes their runs, and
// claimDomainSQL mirrors the claim on the domains.
//
// PostgreSQL needs FOR UPDATE SKIP LOCKED so that concurrent claimers pass
// over each other's rows. SQLite has no row locks and needs none: the
// transaction begins IMMEDIATE inside the Store's writer slot, so it holds
// the database's only write lock from before the pick until the commit. No
// other claim, rescue or fenced write can run in between, and the next
// claimer sees these domains running. The run IDs and tokens are made in
// Go (SQLite has no UUID function) once the domains are known, which is
// why the pick is a statement of its own.

// claimPickSQL picks up to ?limit due queued domains in polling order:
// oldest update first, then id, passing over a domain whose run waits for
// a retry that is not due yet. The order is the queued index's, so SQLite
// reads that partial index in order and stops after ?limit matches.
//
// INDEXED BY pins that index. Without statistics SQLite's planner prefers
// an equality on the status column, which migration 3's listing index
// (status, updated_at, id) offers, and then sorts every queued row in a
// temporary b-tree: the queue's hottest query would slow down as the
// queue grows. INDEXED BY is SQLite's documented guard against a new
// index changing a time-critical plan: were the index ever unusable, the
// claim would fail loudly rather than sort.
const claimPickSQL = `SELECT d.id FROM domains AS d INDEXED BY ?queued_index
WHERE d.?secondary = ?queued AND NOT EXISTS (
	SELECT 1 FROM jobs AS w
	WHERE w.workflow = ?workflow AND w.domain_id = d.id
		AND w.finished_at IS NULL AND w.next_attempt_at > ?now)
ORDER BY d.updated_at, d.id
LIMIT ?limit`

// claimRunSQL starts a run for each picked domain, or resumes its waiting
// run (the open-run key is the conflict target), with one more attempt, a
// fresh fencing token and a lease, and returns the runs. SQLite's
// RETURNING shows the row as inserted or updated.
const claimRunSQL = `INSERT INTO jobs AS j (id, workflow, domain_id, state, attempt, claim_token, lease_expires_at, started_at)
SELECT column2, ?workflow, column1, 'running', 1, column3, ?until, ?now FROM (VALUES ?picked) WHERE true
ON CONFLICT (workflow, domain_id) WHERE finished_at IS NULL DO UPDATE SET
	state = 'running', attempt = j.attempt + 1, claim_token = excluded.claim_token,
	lease_expires_at = excluded.lease_expires_at, next_attempt_at = NULL
RETURNING id AS run_id, domain_id AS id, attempt, claim_token AS token, lease_expires_at`

// claimDomainSQL mirrors one claimed run on its domain.
const claimDomainSQL = `UPDATE domains SET
	?secondary = ?running, ?attempts = ?attempt, ?started = ?now, ?finished = NULL, ?next = NULL, updated_at = ?now
WHERE id = ?id
RETURNING domain`

// rescueLock is empty: the rescue runs in the writer slot, so a worker's
// fenced write either committed before it (the run is no longer running)
// or runs after it (and finds itself fenced out).
const rescueLock = ""

// Claim moves up to limit due domains of wf's queue to wf.Running in one
// committed transaction and returns them as jobs, in polling order; see
// claimPickSQL and claimSQL.
func (s *Store) Claim(ctx context.Context, wf core.Workflow, limit int, lease time.Duration, now time.Time) ([]queue.Job, error) {
	a, err := bunstore.ArgsFor(wf)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	a.Limit, a.Now, a.Until = limit, now, now.Add(lease)
	var picked []uuid.UUID
	var rows []bunstore.ClaimRow
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(claimPickSQL, &a).Scan(ctx, &picked); err != nil {
			return fmt.Errorf("pick: %w", err)
		}
		if len(picked) == 0 {
			return nil
		}
		tuples := make([]bun.TupleValues, len(picked))
		for i, id := range picked {
			tuples[i] = bun.Tuple([]any{id, uuid.New(), uuid.New()})
		}
		a.Picked = bun.List(tuples)
		var runs []bunstore.ClaimRow
		if err := tx.NewRaw(claimRunSQL, &a).Scan(ctx, &runs); err != nil {
			return fmt.Errorf("start runs: %w", err)
		}
		for _, r := range runs {
			b := struct {
				bunstore.QueueArgs
				Attempt int `bun:"attempt"`
			}{a, r.Attempt}
			b.ID = r.ID
			if err := tx.NewRaw(claimDomainSQL, &b).Scan(ctx, &r.Domain); err != nil {
				return fmt.Errorf("update domain: %w", err)
			}
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", wf.Name, err)
	}
	// RETURNING comes in no particular order: give the jobs back in the
	// order they were picked.
	pos := make(map[uuid.UUID]int, len(picked))
	for i, id := range picked {
		pos[id] = i
	}
	slices.SortFunc(rows, func(x, y bunstore.ClaimRow) int { return pos[x.ID] - pos[y.ID] })
	return bunstore.Jobs(rows), nil
}
