package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

func TestAPIKeyContract(t *testing.T) {
	t.Parallel()
	storetest.RunAPIKeys(t, func(t *testing.T) apikey.Store { return postgres.NewStore(pgtest.NewDB(t)) })
}
