package postgres_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestHistoryContract(t *testing.T) {
	t.Parallel()
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore { return postgres.NewStore(pgtest.NewDB(t)) })
}

func TestProgressContract(t *testing.T) {
	t.Parallel()
	storetest.RunProgress(t, func(t *testing.T) storetest.HistoryStore { return postgres.NewStore(pgtest.NewDB(t)) })
}
