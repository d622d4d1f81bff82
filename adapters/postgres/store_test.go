package postgres_test

import (
	"testing"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/migrations"
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

// TestSQLContract runs the cases only the SQL stores share: outcomes that
// name another domain, a finish rolled back by a schema CHECK, the
// workflow column allowlist, the repository's edge cases and racing
// submissions of the same hosts, and racing status batches.
func TestSQLContract(t *testing.T) {
	t.Parallel()
	storetest.RunSQL(t, storetest.SQLStores{
		New: func(t *testing.T) (storetest.ScanStore, *bun.DB) {
			db := pgtest.NewDB(t)
			return postgres.NewStore(db), db
		},
		ErrUnknownWorkflow: postgres.ErrUnknownWorkflow,
		TxPhrase:           "postgres transaction",
		StressDomains:      600,
		Pools: func(t *testing.T, n int) (storetest.QueueStore, *bun.DB, []queue.Queue) {
			dsn := pgtest.DSN(t)
			db := pgtest.Open(t, dsn)
			others := make([]queue.Queue, n)
			for i := range others {
				others[i] = postgres.NewStore(pgtest.Open(t, dsn))
			}
			return postgres.NewStore(db), db, others
		},
		StressRounds: 5,
	})
}

// TestMigrateContract runs the shared migration cases: up, down step by
// step and up again, concurrent callers, and a newer build's migration.
func TestMigrateContract(t *testing.T) {
	t.Parallel()
	m := storetest.Migrations{
		All:         allMigrations(),
		Newest:      migrations.Postgres.Sorted()[len(allMigrations())-1].Name,
		Migrate:     postgres.Migrate,
		Status:      postgres.MigrationStatus,
		Empty:       func(t *testing.T) string { return pgtest.EmptyDSN(t) },
		Open:        func(t *testing.T, dsn string) *bun.DB { return pgtest.Open(t, dsn) },
		Migrated:    func(t *testing.T) *bun.DB { return pgtest.NewDB(t) },
		TableExists: tableExists,
	}
	storetest.RunMigrate(t, m)
	storetest.RunMigrateJobs(t, m, func(db *bun.DB) storetest.ScanStore { return postgres.NewStore(db) })
}
