package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
)

// ErrUnknownWorkflow means a core.Workflow has a Name this adapter does not
// map to columns.
var ErrUnknownWorkflow = bunstore.ErrUnknownWorkflow

// ErrUnknownColumn means a listing was asked to sort by a column it does
// not allow.
var ErrUnknownColumn = bunstore.ErrUnknownColumn

// setPrimarySQL locks the batch's rows in ID order, then updates them.
// Taking every lock in one fixed order is what keeps two overlapping batches
// from deadlocking: the second waits for the first instead of each holding
// a row the other needs. MATERIALIZED makes the CTE run to completion (all
// rows locked) before the update starts; IDs that do not exist simply drop
// out, and RETURNING tells the caller which ones were found.
//
// Arguments: the IDs (uuid[]), the primary column, its new value, now.
const setPrimarySQL = `WITH locked AS MATERIALIZED (
	SELECT id FROM domains WHERE id = ANY(?) ORDER BY id FOR UPDATE
)
UPDATE domains AS d SET ? = ?, updated_at = ?
FROM locked WHERE d.id = locked.id
RETURNING d.id`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetPrimary sets wf's primary status to status on the existing domains of ids,
// locking them in ID order first, and returns the IDs it updated.
func (r *repo) SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error) {
	a, err := bunstore.ArgsFor(wf)
	if err != nil {
		return nil, err
	}
	primary := a.Primary
	// An empty array would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil
	}
	var updated []uuid.UUID
	if err := r.db.NewRaw(setPrimarySQL, pgdialect.Array(ids), primary, string(status), now).
		Scan(ctx, &updated); err != nil {
		return nil, fmt.Errorf("lock and set %s status: %w", wf.Name, err)
	}
	return updated, nil
}

// QueueSecondary queues the domains of ids for which wf.ShouldQueue holds
// and returns the IDs it queued; see bunstore.QueueSecondary.
func (r *repo) QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	return bunstore.QueueSecondary(ctx, r.db, oneOf, wf, ids, now)
}
