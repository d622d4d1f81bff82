package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
)

// ErrUnknownWorkflow means a core.Workflow has a Name this adapter does not
// map to columns.
var ErrUnknownWorkflow = bunstore.ErrUnknownWorkflow

// ErrUnknownColumn means a listing was asked to sort by a column it does
// not allow.
var ErrUnknownColumn = bunstore.ErrUnknownColumn

// setStatusSQL is the seed's PUT at one write per row. The CTE locks the
// batch's rows in ID order and evaluates the queueing and cancelling rules
// (bunstore.ShouldQueueSQL, bunstore.ShouldCancelSQL) on each; the UPDATE
// then sets the primary status and, where a rule held, the queued or the
// cancelled secondary, in one pass. Taking every lock in one fixed order
// is what keeps two overlapping batches from deadlocking: the second waits
// for the first instead of each holding a row the other needs. A row the
// CTE waited for is returned, and the rules evaluated, as the first batch
// committed it (READ COMMITTED locks and returns the newest version), so
// no domain is queued or cancelled twice. MATERIALIZED makes the CTE run
// to completion (all rows locked) before the update starts; IDs that do
// not exist drop out, and RETURNING tells the caller which rows were found
// and which were queued or cancelled.
//
// When the batch does not set the trigger (so it may cancel), running
// first locks the batch's running runs, in ID order, before any domain:
// a worker's fenced finish locks its run and then its domain, and taking
// them in the same order means the two wait for each other instead of
// deadlocking. (The uncorrelated count makes locked wait for running.)
// The runs themselves are written by bunstore.CancelRuns, the next
// statement.
const setStatusSQL = `WITH running AS MATERIALIZED (
	SELECT id FROM jobs
	WHERE NOT ?trigger_set AND workflow = ?workflow AND domain_id ?ids AND state = 'running'
	ORDER BY id FOR UPDATE
), locked AS MATERIALIZED (
	SELECT id, ` + bunstore.ShouldQueueSQL + ` AS queue, ` + bunstore.ShouldCancelSQL + ` AS cancel
	FROM domains WHERE id ?ids AND (SELECT count(*) FROM running) >= 0 ORDER BY id FOR UPDATE
)
UPDATE domains AS d SET ?primary = ?status, updated_at = ?now,
	?secondary = CASE WHEN locked.queue THEN ?queued WHEN locked.cancel THEN ?cancelled ELSE d.?secondary END,
	?error_col = CASE WHEN locked.queue OR locked.cancel THEN NULL ELSE d.?error_col END,
	?attempts = CASE WHEN locked.queue THEN 0 ELSE d.?attempts END,
	?finished = CASE WHEN locked.cancel THEN ?now ELSE d.?finished END,
	?next = CASE WHEN locked.queue OR locked.cancel THEN NULL ELSE d.?next END
FROM locked WHERE d.id = locked.id
RETURNING d.id, locked.queue, locked.cancel`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetStatus sets wf's primary status on the existing domains of ids and
// queues or cancels those the rules allow, in one statement (see
// setStatusSQL); a second ends the cancelled domains' open runs.
func (r *repo) SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) (updated, queued, cancelled []uuid.UUID, err error) {
	a, err := bunstore.StatusArgsFor(wf, ids, status, now, oneOf)
	if err != nil {
		return nil, nil, nil, err
	}
	// An empty array would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil, nil, nil
	}
	var rows []bunstore.StatusRow
	if err := r.db.NewRaw(setStatusSQL, &a).Scan(ctx, &rows); err != nil {
		return nil, nil, nil, fmt.Errorf("lock and set %s status: %w", wf.Name, err)
	}
	updated, queued, cancelled = bunstore.SplitStatus(rows)
	if err := bunstore.CancelRuns(ctx, r.db, &a, cancelled, oneOf); err != nil {
		return nil, nil, nil, err
	}
	return updated, queued, cancelled, nil
}
