package sqlite

import (
	"context"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/sitemap"
)

var _ sitemap.Results = (*Store)(nil)

// FinishAnalysis stores a finished sitemap analysis in one transaction:
// the fenced domain update first (Completed, totals, finish time), then
// every file in one upsert, then the deletion of the domain's files out no
// longer lists. The transaction holds the write lock, so nothing can take
// the domain away before the files are committed. A file found again keeps
// its ID. If the job lost its lease nothing is written and the error wraps
// core.ErrLeaseLost.
//
// The files are stored under job.DomainID, the domain the fence checked,
// whatever DomainID they carry. A URL listed twice is stored once, its
// first record winning as in sitemap.Build; sitemap_count counts the
// distinct URLs as stored (NUL bytes dropped, invalid UTF-8 replaced, as
// Bun writes them). A file with an invalid type, discovery or a negative
// URL count (or a negative total) is rejected, before anything is written,
// with an error wrapping core.ErrInvalidStatus.
func (s *Store) FinishAnalysis(ctx context.Context, job queue.Job, out sitemap.Outcome) error {
	return bunstore.FinishAnalysis(ctx, s.dialect(), job, out)
}

// SitemapFiles returns the sitemap files stored for the domain, ordered by
// URL in byte order (the BINARY collation of the unique (domain_id, url)
// index, which serves the query); none (not an error) for an unknown
// domain.
func (s *Store) SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]sitemap.File, error) {
	return bunstore.SitemapFiles(ctx, s.dialect(), domainID)
}
