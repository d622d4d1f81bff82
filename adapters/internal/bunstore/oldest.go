package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// oldestQueuedSQL finds the queued domain of a workflow that changed least
// recently. The claim index of the workflow holds exactly its queued rows.
const oldestQueuedSQL = `SELECT updated_at FROM domains WHERE ?secondary = ?queued ORDER BY updated_at LIMIT 1`

// OldestQueued returns when the longest-waiting queued domain of wf was
// last changed (queued, usually), and false when none is queued. Metrics
// turn it into the age of the queue's head.
func (c Common) OldestQueued(ctx context.Context, wf core.Workflow) (time.Time, bool, error) {
	a, err := ArgsFor(wf)
	if err != nil {
		return time.Time{}, false, err
	}
	var rows []struct {
		UpdatedAt time.Time `bun:"updated_at"`
	}
	if err := c.D.DB.NewRaw(oldestQueuedSQL, &a).Scan(ctx, &rows); err != nil {
		return time.Time{}, false, fmt.Errorf("oldest queued %s: %w", wf.Name, err)
	}
	if len(rows) == 0 {
		return time.Time{}, false, nil
	}
	return rows[0].UpdatedAt.UTC(), true, nil
}
