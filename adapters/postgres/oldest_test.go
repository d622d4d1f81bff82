package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestOldestQueuedContract(t *testing.T) {
	t.Parallel()
	storetest.RunOldestQueued(t, postgres.NewStore(pgtest.NewDB(t)))
}
