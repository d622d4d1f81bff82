package postgres

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// Compile-time check that Store provides the catalog's ports.
var _ catalog.Store = (*Store)(nil)

// StreamBatch is how many contacts one query of StreamContacts reads.
const StreamBatch = bunstore.StreamBatch

// contains renders "ILIKE pattern": PostgreSQL folds the case of every
// letter on both sides, as the memory store does.
func contains(s string) schema.QueryAppender {
	return bun.SafeQuery(`ILIKE ? ESCAPE '\'`, bunstore.ContainsPattern(s))
}
