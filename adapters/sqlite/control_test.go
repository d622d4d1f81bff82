package sqlite_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

// TestControlContract runs the shared delete and suppression suite, a
// database file per case.
func TestControlContract(t *testing.T) {
	t.Parallel()
	storetest.RunControl(t, func(t *testing.T) storetest.ControlStore {
		return sqlite.NewStore(sqlitetest.NewDB(t))
	})
}
