package sqlite_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestOldestQueuedContract(t *testing.T) {
	t.Parallel()
	storetest.RunOldestQueued(t, sqlite.NewStore(sqlitetest.NewDB(t)))
}
