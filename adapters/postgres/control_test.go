package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

// TestControlContract runs the shared delete and suppression suite, a
// database per case.
func TestControlContract(t *testing.T) {
	t.Parallel()
	storetest.RunControl(t, func(t *testing.T) storetest.ControlStore {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}
