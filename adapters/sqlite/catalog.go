package sqlite

import (
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// Compile-time check that Store provides the catalog's ports.
var _ catalog.Store = (*Store)(nil)

// StreamBatch is how many contacts one query of StreamContacts reads.
const StreamBatch = bunstore.StreamBatch

// contains renders "LIKE pattern" for "contains s, ignoring case". SQLite's
// LIKE folds the case of ASCII letters only, on both sides, while
// PostgreSQL's ILIKE and the memory store fold every letter. The stored
// side is lowercase already (core.NormalizeDomain makes hosts lowercase
// ASCII, the extractor lowercases addresses), so lowering the pattern here
// with Go's Unicode rules gives the same matches as theirs.
func contains(s string) schema.QueryAppender {
	return bun.SafeQuery(`LIKE ? ESCAPE '\'`, bunstore.ContainsPattern(strings.ToLower(s)))
}
