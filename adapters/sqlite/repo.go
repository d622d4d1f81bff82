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

// ErrUnknownColumn means a core.Workflow names a column this adapter does
// not know. Workflow fields become SQL identifiers, so only the columns of
// bunstore's allowlists are accepted.
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

// queueSecondarySQL queues the secondary status of the rows that are not
// already active. A NULL status counts as not active: "NULL NOT IN (...)"
// is NULL, not true, hence the explicit IS NULL. Batches run one after the
// other (see Store.Within), so each sees the committed result of the one
// before and no domain is queued twice.
//
// Queueing starts a fresh job: the attempt count and the retry time of the
// workflow's queue go back to zero and NULL.
//
// Arguments: the secondary column, its queued value, the error column, the
// attempts column, the next attempt column, now, the IDs, the secondary
// column twice, the active values.
const queueSecondarySQL = `UPDATE domains SET ? = ?, ? = NULL, ? = 0, ? = NULL, updated_at = ?
WHERE id IN (?) AND (? IS NULL OR ? NOT IN (?))
RETURNING id`

// queueAnySecondarySQL is queueSecondarySQL for a workflow without active
// values, which queues every row. It is a statement of its own because an
// empty list renders as NULL, and "x NOT IN (NULL)" matches nothing.
//
// Arguments: as queueSecondarySQL's, up to the IDs.
const queueAnySecondarySQL = `UPDATE domains SET ? = ?, ? = NULL, ? = 0, ? = NULL, updated_at = ?
WHERE id IN (?)
RETURNING id`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetPrimary sets wf.Primary to status on the existing domains of ids and
// returns the IDs it updated, in no particular order.
func (r *repo) SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error) {
	primary, err := bunstore.Column(wf.Primary, bunstore.Primary)
	if err != nil {
		return nil, err
	}
	// An empty list would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil
	}
	var updated []uuid.UUID
	if err := r.db.NewRaw(setPrimarySQL, primary, string(status), now, bun.List(ids)).
		Scan(ctx, &updated); err != nil {
		return nil, fmt.Errorf("set %s: %w", wf.Primary, err)
	}
	return updated, nil
}

// QueueSecondary sets wf.Secondary to wf.Queued, clears wf.ErrorField and
// resets the queue's attempts and retry time on the domains of ids whose
// secondary status is NULL or not one of wf.Active, and returns the IDs it
// queued, in no particular order.
func (r *repo) QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	// The workflow's columns, allowlisted by role and by queue prefix.
	qa, err := bunstore.QueueColumns(wf)
	if err != nil {
		return nil, err
	}
	secondary, errCol := qa.Secondary, qa.ErrorCol
	if len(ids) == 0 {
		return nil, nil
	}
	q := r.db.NewRaw(queueSecondarySQL, secondary, wf.Queued, errCol, qa.Attempts, qa.NextAt, now,
		bun.List(ids), secondary, secondary, bun.List(wf.Active))
	if len(wf.Active) == 0 {
		q = r.db.NewRaw(queueAnySecondarySQL, secondary, wf.Queued, errCol, qa.Attempts, qa.NextAt, now, bun.List(ids))
	}
	var queued []uuid.UUID
	if err := q.Scan(ctx, &queued); err != nil {
		return nil, fmt.Errorf("queue %s: %w", wf.Secondary, err)
	}
	return queued, nil
}
