package sqlite_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestHistoryContract(t *testing.T) {
	t.Parallel()
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore { return sqlite.NewStore(sqlitetest.NewDB(t)) })
}

func TestProgressContract(t *testing.T) {
	t.Parallel()
	storetest.RunProgress(t, func(t *testing.T) storetest.HistoryStore { return sqlite.NewStore(sqlitetest.NewDB(t)) })
}
