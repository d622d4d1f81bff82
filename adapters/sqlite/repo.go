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

// A status update is two statements inside the unit of work (three when
// it cancels), which holds the database's only write lock for the whole
// transaction (so there are no row locks to order, and each batch sees
// the one before committed): statusPickSQL reads the batch's existing
// rows and evaluates the queueing and cancelling rules
// (bunstore.ShouldQueueSQL, bunstore.ShouldCancelSQL) on each, and
// setStatusSQL writes each row once, setting the primary status and, for
// the rows the rules picked (?queue_ids, ?cancel_ids), the queued or the
// cancelled secondary; bunstore.CancelRuns then ends the cancelled
// domains' open runs. The pick is a statement of its own because SQLite's
// RETURNING sees only the updated row, not whether a rule held before the
// update.
const (
	statusPickSQL = `SELECT id, ` + bunstore.ShouldQueueSQL + ` AS queue, ` + bunstore.ShouldCancelSQL + ` AS cancel
FROM domains WHERE id ?ids`
	setStatusSQL = `UPDATE domains SET ?primary = ?status, updated_at = ?now,
	?secondary = CASE WHEN id ?queue_ids THEN ?queued WHEN id ?cancel_ids THEN ?cancelled ELSE ?secondary END,
	?error_col = CASE WHEN id ?queue_ids OR id ?cancel_ids THEN NULL ELSE ?error_col END,
	?attempts = CASE WHEN id ?queue_ids THEN 0 ELSE ?attempts END,
	?finished = CASE WHEN id ?cancel_ids THEN ?now ELSE ?finished END,
	?next = CASE WHEN id ?queue_ids OR id ?cancel_ids THEN NULL ELSE ?next END
WHERE id ?ids`
)

// repo is the curation.Repository of one transaction. It must not outlive
// the transaction nor be shared between goroutines.
type repo struct {
	db bun.IDB
}

// SetStatus sets wf's primary status on the existing domains of ids and
// queues or cancels those the rules allow; see statusPickSQL and
// setStatusSQL. The IDs come back in no particular order.
func (r *repo) SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) (updated, queued, cancelled []uuid.UUID, err error) {
	a, err := bunstore.StatusArgsFor(wf, ids, status, now, oneOf)
	if err != nil {
		return nil, nil, nil, err
	}
	// An empty list would render as NULL and match nothing anyway; core
	// rejects empty batches, but do not send a pointless statement.
	if len(ids) == 0 {
		return nil, nil, nil, nil
	}
	var rows []bunstore.StatusRow
	if err := r.db.NewRaw(statusPickSQL, &a).Scan(ctx, &rows); err != nil {
		return nil, nil, nil, fmt.Errorf("read %s status: %w", wf.Name, err)
	}
	if len(rows) == 0 {
		return nil, nil, nil, nil
	}
	updated, queued, cancelled = bunstore.SplitStatus(rows)
	// An empty list renders as NULL: "id IN (NULL)" is never true, so no
	// row is queued (or cancelled), which is right.
	a.QueueIDs, a.CancelIDs = oneOf(queued), oneOf(cancelled)
	if _, err := r.db.NewRaw(setStatusSQL, &a).Exec(ctx); err != nil {
		return nil, nil, nil, fmt.Errorf("set %s status: %w", wf.Name, err)
	}
	if err := bunstore.CancelRuns(ctx, r.db, &a, cancelled, oneOf); err != nil {
		return nil, nil, nil, err
	}
	return updated, queued, cancelled, nil
}
