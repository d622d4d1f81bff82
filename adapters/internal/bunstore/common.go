package bunstore

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/sitemap"
)

// Common is the half of a store whose statements are the same on every
// dialect. Each SQL store embeds one, so its methods are the store's own:
// the fenced queue writes, the scan and sitemap results, the listings and
// the counts. The store keeps what differs (the claim, the status update,
// transactions).
type Common struct {
	// D is the store's dialect.
	D Dialect
	// RescueLock is the dialect's row lock clause for the runs a rescue
	// picks (see Rescue).
	RescueLock string
}

// GetDomain returns the domain with id, or an error wrapping core.ErrNotFound.
func (c Common) GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error) {
	return GetDomain(ctx, c.D, id)
}

// Extend moves the job's lease to until, if the job still owns its domain.
func (c Common) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	return Fenced(ctx, c.D, "extend lease", extendSQL, "", wf, job, func(a *QueueArgs) { a.Until = until })
}

// Release puts the job back in the queue, due at once, and gives its
// attempt back, if the job still owns its domain.
func (c Common) Release(ctx context.Context, wf core.Workflow, job queue.Job, now time.Time) error {
	return Fenced(ctx, c.D, "release", releaseRunSQL, releaseDomainSQL, wf, job, func(a *QueueArgs) { a.Now = now })
}

// Retry puts the job back in the queue, due at at, with msg as its error,
// if the job still owns its domain.
func (c Common) Retry(ctx context.Context, wf core.Workflow, job queue.Job, at time.Time, msg string, now time.Time) error {
	return Fenced(ctx, c.D, "retry", retryRunSQL, retryDomainSQL, wf, job, func(a *QueueArgs) { a.At, a.Msg, a.Now = at, msg, now })
}

// Fail finishes the job with wf.Failed and msg as its error, if the job
// still owns its domain.
func (c Common) Fail(ctx context.Context, wf core.Workflow, job queue.Job, msg string, now time.Time) error {
	return Fenced(ctx, c.D, "fail", failRunSQL, failDomainSQL, wf, job, func(a *QueueArgs) { a.Msg, a.Now = msg, now })
}

// Rescue puts the running domains of wf whose lease expired before now back
// in the queue, or fails those that used maxAttempts, and returns how many
// it moved.
func (c Common) Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	return Rescue(ctx, c.D, c.RescueLock, wf, maxAttempts, now)
}

// FinishScan stores a finished email scan in one transaction fenced on the
// job's token; see the package function FinishScan.
func (c Common) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	return FinishScan(ctx, c.D, job, out)
}

// Contacts returns the contacts stored for the domain, ordered by email in
// byte order; none (not an error) for an unknown domain.
func (c Common) Contacts(ctx context.Context, domainID uuid.UUID) ([]scan.Contact, error) {
	return Contacts(ctx, c.D, domainID)
}

// Pages returns the pages stored for the domain, ordered by URL in byte
// order; none (not an error) for an unknown domain.
func (c Common) Pages(ctx context.Context, domainID uuid.UUID) ([]scan.Page, error) {
	return Pages(ctx, c.D, domainID)
}

// FinishAnalysis stores a finished sitemap analysis in one transaction
// fenced on the job's token; see the package function FinishAnalysis.
func (c Common) FinishAnalysis(ctx context.Context, job queue.Job, out sitemap.Outcome) error {
	return FinishAnalysis(ctx, c.D, job, out)
}

// SitemapFiles returns the sitemap files stored for the domain, ordered by
// URL in byte order.
func (c Common) SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]sitemap.File, error) {
	return SitemapFiles(ctx, c.D, domainID)
}

// ListDomains returns one page of domains matching q.
func (c Common) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	return ListDomains(ctx, c.D, q)
}

// ListContacts returns one page of contacts matching q.
func (c Common) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[scan.Contact], error) {
	return ListContacts(ctx, c.D, q)
}

// StreamContacts calls fn for every contact matching f, reading them in
// keyset batches with no transaction held between them.
func (c Common) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	return StreamContacts(ctx, c.D, f, fn)
}

// CountStatuses counts domains by the value of every status column.
func (c Common) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	return CountStatuses(ctx, c.D)
}

// Runs returns one page of the domain's runs of wf, newest first, and how
// many there are.
func (c Common) Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error) {
	return Runs(ctx, c.D, wf, domainID, limit, offset)
}
