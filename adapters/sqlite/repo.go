package sqlite

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

// setPrimarySQL updates the batch's existing rows; IDs that do not exist
// simply drop out, and RETURNING tells the caller which ones were found.
// PostgreSQL's version locks the rows in ID order first so that
// overlapping batches cannot deadlock; here the unit of work holds the
// database's only write lock for the whole transaction, so there are no
// row locks to order.
//
// Arguments: the primary column, its new value, now, the IDs.
const setPrimarySQL = `UPDATE domains SET ? = ?, updated_at = ?
WHERE id IN (?)
RETURNING id`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetPrimary sets wf's primary status to status on the existing domains of ids and
// returns the IDs it updated, in no particular order.
func (r *repo) SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error) {
	a, err := bunstore.ArgsFor(wf)
	if err != nil {
		return nil, err
	}
	primary := a.Primary
	// An empty list would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil
	}
	var updated []uuid.UUID
	if err := r.db.NewRaw(setPrimarySQL, primary, string(status), now, bun.List(ids)).
		Scan(ctx, &updated); err != nil {
		return nil, fmt.Errorf("set %s status: %w", wf.Name, err)
	}
	return updated, nil
}

// QueueSecondary queues the domains of ids for which wf.ShouldQueue holds
// and returns the IDs it queued; see bunstore.QueueSecondary.
func (r *repo) QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	return bunstore.QueueSecondary(ctx, r.db, oneOf, wf, ids, now)
}
