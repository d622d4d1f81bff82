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

// TestQueueContract runs the shared claim/lease/fencing suite for both
// workflows, a database per case.
func TestQueueContract(t *testing.T) {
	t.Parallel()
	storetest.RunQueue(t, func(t *testing.T) storetest.QueueStore {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}

// TestScanContract runs the shared suite of storing scan results.
func TestScanContract(t *testing.T) {
	t.Parallel()
	storetest.RunScan(t, func(t *testing.T) storetest.ScanStore {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}
