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

// ErrUnknownColumn means a core.Workflow names a column this adapter does
// not know. Workflow fields become SQL identifiers, so only the columns of
// bunstore's allowlists are accepted.
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

// queueSecondarySQL queues the secondary status of the rows that are not
// already active. A NULL status counts as not active: "NULL <> ALL(...)" is
// NULL, not true, hence the explicit IS NULL. Inside the curation unit of
// work SetPrimary has already locked these rows in ID order, so this
// statement waits for no one; and because READ COMMITTED gives each
// statement a fresh snapshot, it sees the committed result of any batch
// that held the rows before, so no domain is queued twice.
//
// Arguments: the secondary column, its queued value, the error column, now,
// the IDs (uuid[]), the secondary column again, the active values (text[]).
//
// Queueing starts a fresh job: the attempt count and the retry time of the
// workflow's queue go back to zero and NULL.
const queueSecondarySQL = `UPDATE domains SET ? = ?, ? = NULL, ? = 0, ? = NULL, updated_at = ?
WHERE id = ANY(?) AND (? IS NULL OR ? <> ALL(?))
RETURNING id`

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetPrimary sets wf.Primary to status on the existing domains of ids,
// locking them in ID order first, and returns the IDs it updated.
func (r *repo) SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error) {
	primary, err := bunstore.Column(wf.Primary, bunstore.Primary)
	if err != nil {
		return nil, err
	}
	// An empty array would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil
	}
	var updated []uuid.UUID
	if err := r.db.NewRaw(setPrimarySQL, pgdialect.Array(ids), primary, string(status), now).
		Scan(ctx, &updated); err != nil {
		return nil, fmt.Errorf("lock and set %s: %w", wf.Primary, err)
	}
	return updated, nil
}

// QueueSecondary sets wf.Secondary to wf.Queued and clears wf.ErrorField on
// the domains of ids whose secondary status is NULL or not one of
// wf.Active, and returns the IDs it queued.
func (r *repo) QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	q, err := bunstore.QueueColumns(wf)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// A nil slice renders as NULL, and "x <> ALL(NULL)" is NULL: with no
	// active values nothing would be queued. An empty array makes ALL true.
	active := wf.Active
	if active == nil {
		active = []string{}
	}
	var queued []uuid.UUID
	if err := r.db.NewRaw(queueSecondarySQL,
		q.Secondary, wf.Queued, q.ErrorCol, q.Attempts, q.NextAt, now,
		pgdialect.Array(ids), q.Secondary, q.Secondary, pgdialect.Array(active)).
		Scan(ctx, &queued); err != nil {
		return nil, fmt.Errorf("queue %s: %w", wf.Secondary, err)
	}
	return queued, nil
}
