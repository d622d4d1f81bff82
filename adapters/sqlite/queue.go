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

// A claim is two statements in one write transaction: claimPickSQL
// chooses the rows, claimSQL moves them to running with a token each.
//
// PostgreSQL needs FOR UPDATE SKIP LOCKED so that concurrent claimers pass
// over each other's rows. SQLite has no row locks and needs none: the
// transaction begins IMMEDIATE inside the Store's writer slot, so it holds
// the database's only write lock from before the pick until the commit. No
// other claim, rescue or fenced write can run in between, and the next
// claimer sees these rows running. The tokens are made in Go (SQLite has
// no UUID function) once the rows are known, one per row, which is why the
// pick is a statement of its own.

// claimPickSQL picks up to ?limit due queued domains in polling order: fresh
// work (NULL next attempt; SQLite sorts NULLs first) and retries that are
// due, then oldest update first, then id. The order is the claim index's,
// so SQLite reads the first ?limit entries of that partial index and stops.
//
// INDEXED BY pins that index. Without statistics SQLite's planner prefers
// an equality on the status column, which migration 3's listing index
// (status, updated_at, id) offers, and then sorts every queued row in a
// temporary b-tree: the queue's hottest query would slow down as the
// queue grows. INDEXED BY is SQLite's documented guard against a new
// index changing a time-critical plan: were the index ever unusable, the
// claim would fail loudly rather than sort.
const claimPickSQL = `SELECT id FROM domains INDEXED BY ?claim_index
WHERE ?secondary = ?queued AND (?next_at IS NULL OR ?next_at <= ?now)
ORDER BY ?next_at, updated_at, id
LIMIT ?limit`

// claimSQL moves the picked rows to running with their fresh fencing
// token, a lease and one more attempt, and returns the jobs. The status
// check repeats the pick's: under the write lock it cannot fail, but the
// statement does not rely on that. SQLite's RETURNING names only the
// updated table's columns, unqualified, and shows the row as updated, so
// attempt is the new count.
const claimSQL = `WITH picked(id, token) AS (VALUES ?picked)
UPDATE domains AS d SET
	?secondary = ?running,
	?attempts = d.?attempts + 1,
	?token = picked.token,
	?lease = ?until,
	?started = ?now,
	?finished = NULL,
	updated_at = ?now
FROM picked WHERE d.id = picked.id AND d.?secondary = ?queued
RETURNING id, domain, ?attempts AS attempt, ?token AS token, ?lease AS lease_expires_at`

// rescueSQL takes back the running rows whose lease expired before ?now:
// their worker died or lost the database. A row with attempts left goes
// back to the queue, due at once; the others fail. Clearing the token
// fences the lost worker out should it come back. Every SET expression
// reads the row as it was before the statement. PostgreSQL's version skips
// rows a worker is finishing at that moment; here that worker's write
// either committed before this statement (the row is no longer running)
// or runs after it (and finds itself fenced out).
//
// INDEXED BY pins the rescue index, which holds only the running rows in
// lease order, for the reason claimPickSQL gives: left alone, the planner
// takes the listing index's equality on the status instead.
const rescueSQL = `UPDATE domains INDEXED BY ?rescue_index SET
	?secondary = CASE WHEN ?attempts >= ?max_attempts THEN ?failed ELSE ?queued END,
	?error_col = CASE WHEN ?attempts >= ?max_attempts
		THEN 'lease expired after ' || ?attempts || ' attempts'
		ELSE 'lease expired (worker lost)' END,
	?finished = CASE WHEN ?attempts >= ?max_attempts THEN ?now ELSE ?finished END,
	?token = NULL, ?lease = NULL, ?next_at = NULL, updated_at = ?now
WHERE ?secondary = ?running AND ?lease < ?now`

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
			tuples[i] = bun.Tuple([]any{id, uuid.New()})
		}
		a.Picked = bun.List(tuples)
		if err := tx.NewRaw(claimSQL, &a).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("update: %w", err)
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
