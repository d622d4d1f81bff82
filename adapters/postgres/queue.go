package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var _ queue.Queue = (*Store)(nil)

// claimSQL claims up to ?limit due queued domains in one statement, as
// River's JobGetAvailable does. The CTE picks the rows in polling order
// (the claim index's order: retries that are due, after fresh work, then
// oldest update first) and locks them; SKIP LOCKED makes concurrent
// claimers pass over each other's rows instead of waiting for them, and
// under READ COMMITTED a row another claimer committed meanwhile is
// re-checked against the WHERE and dropped, so no domain is claimed twice.
// The UPDATE then moves the picked rows to running with a fresh fencing
// token, a lease and one more attempt, and returns the jobs. The whole
// claim commits on its own: no lock is held while the jobs run.
const claimSQL = `WITH picked AS (
	SELECT id FROM domains
	WHERE ?secondary = ?queued AND (?next_at IS NULL OR ?next_at <= ?now)
	ORDER BY ?next_at NULLS FIRST, updated_at, id
	LIMIT ?limit
	FOR UPDATE SKIP LOCKED
)
UPDATE domains AS d SET
	?secondary = ?running,
	?attempts = d.?attempts + 1,
	?token = gen_random_uuid(),
	?lease = ?until,
	?started = ?now,
	?finished = NULL,
	updated_at = ?now
FROM picked WHERE d.id = picked.id
RETURNING d.id, d.domain, d.?attempts AS attempt, d.?token AS token, d.?lease AS lease_expires_at`

// rescueSQL takes back the running rows whose lease expired before ?now:
// their worker died or lost the database. A row with attempts left goes
// back to the queue, due at once; the others fail. Clearing the token
// fences the lost worker out should it come back. SKIP LOCKED passes over
// a row a worker is finishing right now (its fenced write holds the row
// lock): the rescuer never waits, and the row is no longer running once
// that write commits, or is seen again on the next pass if it rolls back.
const rescueSQL = `WITH expired AS (
	SELECT id FROM domains
	WHERE ?secondary = ?running AND ?lease < ?now
	FOR UPDATE SKIP LOCKED
)
UPDATE domains AS d SET
	?secondary = CASE WHEN d.?attempts >= ?max_attempts THEN ?failed ELSE ?queued END,
	?error_col = CASE WHEN d.?attempts >= ?max_attempts
		THEN 'lease expired after ' || d.?attempts || ' attempts'
		ELSE 'lease expired (worker lost)' END,
	?finished = CASE WHEN d.?attempts >= ?max_attempts THEN ?now ELSE d.?finished END,
	?token = NULL, ?lease = NULL, ?next_at = NULL, updated_at = ?now
FROM expired WHERE d.id = expired.id`

// Claim moves up to limit due domains of wf's queue to wf.Running in one
// committed statement and returns them as jobs; see claimSQL.
func (s *Store) Claim(ctx context.Context, wf core.Workflow, limit int, lease time.Duration, now time.Time) ([]queue.Job, error) {
	a, err := bunstore.ArgsFor(wf)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	a.Limit, a.Now, a.Until = limit, now, now.Add(lease)
	var rows []bunstore.ClaimRow
	if err := s.db.NewRaw(claimSQL, &a).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("claim %s: %w", wf.Name, err)
	}
	return bunstore.Jobs(rows), nil
}
