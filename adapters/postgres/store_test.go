package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

// TestContract runs the shared store suite; every case gets a database of
// its own, so the cases run in parallel without seeing each other's hosts.
func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}
