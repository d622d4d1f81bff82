package sqlite

import (
	"context"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

var _ scan.Results = (*Store)(nil)

// FinishScan stores a finished email scan in one transaction: the fenced
// domain update first (Completed, counts, finish time), then every contact
// and every page in one upsert each. The transaction holds the write lock,
// so nothing can take the domain away before the results are committed.
// If the job lost its lease nothing is written and the error wraps
// core.ErrLeaseLost.
//
// The rows are stored under job.DomainID, the domain the fence checked,
// whatever DomainID the outcome's records carry. An address or URL listed
// twice in out is stored once: a contact keeps its first record and the
// last LastSeenAt, a page its last record, as the upserts would across
// scans.
func (s *Store) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	return bunstore.FinishScan(ctx, s.dialect(), job, out)
}

// Contacts returns the contacts stored for the domain, ordered by email in
// byte order (SQLite's BINARY collation, PostgreSQL's "C"); none (not an
// error) for an unknown domain.
func (s *Store) Contacts(ctx context.Context, domainID uuid.UUID) ([]scan.Contact, error) {
	return bunstore.Contacts(ctx, s.dialect(), domainID)
}

// Pages returns the pages stored for the domain, ordered by URL in byte
// order; none (not an error) for an unknown domain.
func (s *Store) Pages(ctx context.Context, domainID uuid.UUID) ([]scan.Page, error) {
	return bunstore.Pages(ctx, s.dialect(), domainID)
}
