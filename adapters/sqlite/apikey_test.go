package sqlite_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

func TestAPIKeyContract(t *testing.T) {
	t.Parallel()
	storetest.RunAPIKeys(t, func(t *testing.T) apikey.Store { return sqlite.NewStore(sqlitetest.NewDB(t)) })
}
