package sqlite

import (
	"context"
	"strings"

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
// Migration 3's indexes serve the common pages: (status, updated_at, id)
// for a status filter in update order, (updated_at, id), (created_at, id),
// and the unique index on domain for those orders; other combinations read
// the matching rows and keep the top. Text compares in byte order (BINARY),
// like the other stores. SQLite sorts NULLs first ascending, PostgreSQL
// last: the nullable statuses say NULLS LAST / NULLS FIRST, so the three
// stores agree; the others must not, or no index could give their order.
func (s *Store) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	return bunstore.ListDomains(ctx, s.dialect(), q)
}

// ListContacts returns the page of contacts q selects, ordered by email in
// byte order and then ID: migration 3's (email, id) index without a domain
// filter, migration 2's unique (domain_id, email) index with one.
func (s *Store) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[scan.Contact], error) {
	return bunstore.ListContacts(ctx, s.dialect(), q)
}

// StreamContacts calls fn with every contact f selects, reading StreamBatch
// rows per query with keyset pagination: each query starts after the last
// (email, id) of the one before, a row-value comparison that migration 3's
// (email, id) index serves along with the ORDER BY, so a batch costs the
// same at any depth, where OFFSET would rescan everything before it. Only
// one batch is in memory at a time. No transaction spans the batches: fn
// writes to a client, and a slow client must not pin a read snapshot,
// which in WAL mode would keep the checkpointer from recycling the log.
func (s *Store) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	return bunstore.StreamContacts(ctx, s.dialect(), f, fn)
}

// contains renders "LIKE pattern" for "contains s, ignoring case". SQLite's
// LIKE folds the case of ASCII letters only, on both sides, while
// PostgreSQL's ILIKE and the memory store fold every letter. The stored
// side is lowercase already (core.NormalizeDomain makes hosts lowercase
// ASCII, the extractor lowercases addresses), so lowering the pattern here
// with Go's Unicode rules gives the same matches as theirs.
func contains(s string) schema.QueryAppender {
	return bun.SafeQuery(`LIKE ? ESCAPE '\'`, bunstore.ContainsPattern(strings.ToLower(s)))
}
