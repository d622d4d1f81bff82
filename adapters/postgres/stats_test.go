package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestStats(t *testing.T) {
	t.Parallel()
	storetest.RunStats(t, postgres.NewStore(pgtest.NewDB(t)))
}
