package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// Common is the half of a store whose statements are the same on every
// dialect. Each SQL store embeds one, so its methods are the store's own:
// the fenced queue writes and the rescue (here), the scan and sitemap
// results (scan.go, sitemap.go), the run history (runs.go), the listings
// (catalog.go), the counts (stats.go) and GetDomain (store.go). The store
// keeps what differs (the claim, the status update, transactions).
type Common struct {
	// D is the store's dialect.
	D Dialect
	// RescueLock is the dialect's row lock clause for the runs a rescue
	// picks (see Rescue).
	RescueLock string
}

// Extend moves the job's lease to until, if the job still owns its domain.
func (c Common) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	return fenced(ctx, c.D, "extend lease", extendSQL, "", wf, job, func(a *QueueArgs) { a.Until = until })
}

// Release puts the job back in the queue, due at once, and gives its
// attempt back, if the job still owns its domain.
func (c Common) Release(ctx context.Context, wf core.Workflow, job queue.Job, now time.Time) error {
	return fenced(ctx, c.D, "release", releaseRunSQL, releaseDomainSQL, wf, job, func(a *QueueArgs) { a.Now = now })
}

// Retry puts the job back in the queue, due at at, with f as its error
// (f.Detail on the run only), if the job still owns its domain.
func (c Common) Retry(ctx context.Context, wf core.Workflow, job queue.Job, at time.Time, f queue.Failure, now time.Time) error {
	return fenced(ctx, c.D, "retry", retryRunSQL, retryDomainSQL, wf, job, func(a *QueueArgs) { a.At, a.Msg, a.Detail, a.Now = at, f.Public, f.Detail, now })
}

// Fail finishes the job with wf.Failed and f as its error (f.Detail on
// the run only), if the job still owns its domain.
func (c Common) Fail(ctx context.Context, wf core.Workflow, job queue.Job, f queue.Failure, now time.Time) error {
	return fenced(ctx, c.D, "fail", failRunSQL, failDomainSQL, wf, job, func(a *QueueArgs) { a.Msg, a.Detail, a.Now = f.Public, f.Detail, now })
}

// heldRow is one row of Held's look-up.
type heldRow struct {
	ID         uuid.UUID  `bun:"id"`
	State      string     `bun:"state"`
	ClaimToken *uuid.UUID `bun:"claim_token"`
}

// Held reads the runs of jobs in one statement (by primary key, no lock:
// a plain read, outside SQLite's writer slot) and sorts them: running
// under the job's token is held; cancelled, or gone with its deleted
// domain, is cancelled; anything else lost its lease.
func (c Common) Held(ctx context.Context, wf core.Workflow, jobs []queue.Job) (held, cancelled []uuid.UUID, err error) {
	if _, err := ArgsFor(wf); err != nil {
		return nil, nil, err
	}
	if len(jobs) == 0 {
		return nil, nil, nil
	}
	ids := make([]uuid.UUID, len(jobs))
	for i, j := range jobs {
		ids[i] = j.RunID
	}
	var rows []heldRow
	if err := c.D.DB.NewRaw(`SELECT id, state, claim_token FROM jobs WHERE workflow = ? AND id ?`,
		wf.Name, c.D.OneOf(ids)).Scan(ctx, &rows); err != nil {
		return nil, nil, fmt.Errorf("check %d running jobs: %w", len(jobs), err)
	}
	found := make(map[uuid.UUID]heldRow, len(rows))
	for _, r := range rows {
		found[r.ID] = r
	}
	for _, j := range jobs {
		r, ok := found[j.RunID]
		switch {
		case ok && r.State == string(queue.RunRunning) && r.ClaimToken != nil && *r.ClaimToken == j.Token:
			held = append(held, j.RunID)
		case !ok || r.State == string(queue.RunCancelled):
			cancelled = append(cancelled, j.RunID)
		}
	}
	return held, cancelled, nil
}
