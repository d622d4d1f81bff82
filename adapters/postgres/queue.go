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
// River's JobGetAvailable does. The first CTE picks the domains in polling
// order (the queued index's: oldest update first) and locks them; SKIP
// LOCKED makes concurrent claimers pass over each other's rows instead of
// waiting for them, and under READ COMMITTED a row another claimer
// committed meanwhile is re-checked against the WHERE and dropped, so no
// domain is claimed twice. A domain whose run waits for a retry that is
// not due yet is passed over (jobs_open_key finds the run).
//
// The second CTE starts a run for each picked domain, or resumes its
// waiting run (the open-run key is the conflict target), with one more
// attempt, a fresh fencing token and a lease. The final UPDATE mirrors the
// claim on the domain (running, the run's attempt, this claim's start) and returns
// the jobs. The whole claim commits on its own: no lock is held while the
// jobs run.
const claimSQL = `WITH picked AS (
	SELECT d.id FROM domains AS d
	WHERE d.?secondary = ?queued AND NOT EXISTS (
		SELECT 1 FROM jobs AS w
		WHERE w.workflow = ?workflow AND w.domain_id = d.id
			AND w.finished_at IS NULL AND w.next_attempt_at > ?now)
	ORDER BY d.updated_at, d.id
	LIMIT ?limit
	FOR UPDATE OF d SKIP LOCKED
), run AS (
	INSERT INTO jobs AS j (id, workflow, domain_id, state, attempt, claim_token, lease_expires_at, started_at)
	SELECT gen_random_uuid(), ?workflow, picked.id, 'running', 1, gen_random_uuid(), ?until, ?now FROM picked
	ON CONFLICT (workflow, domain_id) WHERE finished_at IS NULL DO UPDATE SET
		state = 'running', attempt = j.attempt + 1, claim_token = EXCLUDED.claim_token,
		lease_expires_at = EXCLUDED.lease_expires_at, next_attempt_at = NULL
	RETURNING j.id, j.domain_id, j.attempt, j.claim_token, j.lease_expires_at, j.started_at
)
UPDATE domains AS d SET
	?secondary = ?running,
	?attempts = run.attempt,
	?started = ?now,
	?finished = NULL,
	?next = NULL,
	updated_at = ?now
FROM run WHERE d.id = run.domain_id
RETURNING d.id, d.domain, run.id AS run_id, run.attempt, run.claim_token AS token, run.lease_expires_at`

// rescueLock makes the rescue pass over a run a worker is finishing right
// now (its fenced write holds the row lock): the rescuer never waits, and
// the run is no longer running once that write commits, or is seen again
// on the next pass if it rolls back.
const rescueLock = "FOR UPDATE SKIP LOCKED"

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
