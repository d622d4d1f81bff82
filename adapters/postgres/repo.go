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
// batch's rows in ID order and evaluates the queueing rule
// (bunstore.ShouldQueueSQL) on each; the UPDATE then sets the primary
// status and, where the rule held, the queued secondary, in one pass.
// Taking every lock in one fixed order is what keeps two overlapping
// batches from deadlocking: the second waits for the first instead of each
// holding a row the other needs. A row the CTE waited for is returned, and
// the rule evaluated, as the first batch committed it (READ COMMITTED
// locks and returns the newest version), so no domain is queued twice.
// MATERIALIZED makes the CTE run to completion (all rows locked) before
// the update starts; IDs that do not exist drop out, and RETURNING tells
// the caller which rows were found and which were queued.
const setStatusSQL = `WITH locked AS MATERIALIZED (
	SELECT id, ` + bunstore.ShouldQueueSQL + ` AS queue
	FROM domains WHERE id ?ids ORDER BY id FOR UPDATE
)
UPDATE domains AS d SET ?primary = ?status, updated_at = ?now,
	?secondary = CASE WHEN locked.queue THEN ?queued ELSE d.?secondary END,
	?error_col = CASE WHEN locked.queue THEN NULL ELSE d.?error_col END,
	?attempts = CASE WHEN locked.queue THEN 0 ELSE d.?attempts END,
	?next = CASE WHEN locked.queue THEN NULL ELSE d.?next END
FROM locked WHERE d.id = locked.id
RETURNING d.id, locked.queue`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetStatus sets wf's primary status on the existing domains of ids and
// queues those the rule allows, in one statement; see setStatusSQL.
func (r *repo) SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) (updated, queued []uuid.UUID, err error) {
	a, err := bunstore.StatusArgsFor(wf, ids, status, now, oneOf)
	if err != nil {
		return nil, nil, err
	}
	// An empty array would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil, nil
	}
	var rows []bunstore.StatusRow
	if err := r.db.NewRaw(setStatusSQL, &a).Scan(ctx, &rows); err != nil {
		return nil, nil, fmt.Errorf("lock and set %s status: %w", wf.Name, err)
	}
	updated, queued = bunstore.SplitQueued(rows)
	return updated, queued, nil
}
