package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

// TestCatalogContract runs the shared listing suite, a database per case.
func TestCatalogContract(t *testing.T) {
	t.Parallel()
	storetest.RunCatalog(t, func(t *testing.T) storetest.CatalogStore {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}
