package postgres

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// Compile-time check that Store provides the catalog's ports.
var _ catalog.Store = (*Store)(nil)

// StreamBatch is how many contacts one query of StreamContacts reads.
const StreamBatch = bunstore.StreamBatch

// ListDomains returns the page of domains q selects: one query for the page
// and, unless the first page already holds every match, one for the total.
//
// Migration 3's indexes serve the common pages: (status, updated_at, id) for
// a status filter in update order, (updated_at, id), (created_at, id) and
// (domain COLLATE "C", id) for those orders, and a trigram index for
// domain_filter; other combinations read the matching rows and keep the top
// (see the migration for why). The domain sorts in byte order (COLLATE
// "C"), like the other stores; statuses need no collation, their CHECK'd
// values sort the same in every locale.
func (s *Store) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	return bunstore.ListDomains(ctx, s.dialect(), q)
}

// ListContacts returns the page of contacts q selects, ordered by email in
// byte order and then ID.
func (s *Store) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[scan.Contact], error) {
	return bunstore.ListContacts(ctx, s.dialect(), q)
}

// StreamContacts calls fn with every contact f selects, reading StreamBatch
// rows per query with keyset pagination: each query starts after the last
// (email, id) of the one before, so a batch costs the same at any depth,
// where OFFSET would rescan everything before it. The row comparison and the
// ORDER BY use the C collation of migration 3's (email COLLATE "C", id)
// index, which serves both. No transaction spans the batches: fn writes to
// a client, and a slow client must not hold a snapshot or a connection.
func (s *Store) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	return bunstore.StreamContacts(ctx, s.dialect(), f, fn)
}

// contains renders "ILIKE pattern": PostgreSQL folds the case of every
// letter on both sides, as the memory store does.
func contains(s string) schema.QueryAppender {
	return bun.SafeQuery(`ILIKE ? ESCAPE '\'`, bunstore.ContainsPattern(s))
}
