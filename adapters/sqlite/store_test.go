package sqlite_test

import (
	"testing"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/migrations"
)

// The Store serves every suite, results listing and metrics included.
var (
	_ storetest.ScanStore    = (*sqlite.Store)(nil)
	_ storetest.StatsStore   = (*sqlite.Store)(nil)
	_ storetest.CatalogStore = (*sqlite.Store)(nil)
	_ storetest.SitemapStore = (*sqlite.Store)(nil)
)

// TestContract runs the shared store suite; every case gets a database
// file of its own, so the cases run in parallel without seeing each
// other's hosts.
func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return sqlite.NewStore(sqlitetest.NewDB(t))
	})
}

// TestQueueContract runs the shared claim/lease/fencing suite for both
// workflows, a database file per case.
func TestQueueContract(t *testing.T) {
	t.Parallel()
	storetest.RunQueue(t, func(t *testing.T) storetest.QueueStore {
		return sqlite.NewStore(sqlitetest.NewDB(t))
	})
}

// TestScanContract runs the shared suite of storing scan results.
func TestScanContract(t *testing.T) {
	t.Parallel()
	storetest.RunScan(t, func(t *testing.T) storetest.ScanStore {
		return sqlite.NewStore(sqlitetest.NewDB(t))
	})
}

// TestStats runs the shared status count check.
func TestStats(t *testing.T) {
	t.Parallel()
	storetest.RunStats(t, sqlite.NewStore(sqlitetest.NewDB(t)))
}

// TestCatalogContract runs the shared listing suite: paging, filters, every
// sort key, the contact listing and the export.
func TestCatalogContract(t *testing.T) {
	t.Parallel()
	storetest.RunCatalog(t, func(t *testing.T) storetest.CatalogStore {
		return sqlite.NewStore(sqlitetest.NewDB(t))
	})
}

// TestSitemapContract runs the shared suite of storing sitemap analysis
// results.
func TestSitemapContract(t *testing.T) {
	t.Parallel()
	storetest.RunSitemap(t, func(t *testing.T) storetest.SitemapStore {
		return sqlite.NewStore(sqlitetest.NewDB(t))
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
			db := sqlitetest.NewDB(t)
			return sqlite.NewStore(db), db
		},
		ErrUnknownWorkflow: sqlite.ErrUnknownWorkflow,
		TxPhrase:           "sqlite transaction",
		StressDomains:      300,
		Pools: func(t *testing.T, n int) (storetest.QueueStore, *bun.DB, []queue.Queue) {
			dsn := sqlitetest.Path(t)
			db := sqlitetest.Open(t, dsn)
			others := make([]queue.Queue, n)
			for i := range others {
				others[i] = sqlite.NewStore(sqlitetest.Open(t, dsn))
			}
			return sqlite.NewStore(db), db, others
		},
		StressRounds: 3,
	})
}

// TestMigrateContract runs the shared migration cases: up, down step by
// step and up again, concurrent callers, and a newer build's migration.
func TestMigrateContract(t *testing.T) {
	t.Parallel()
	m := storetest.Migrations{
		All:         allMigrations(),
		Newest:      migrations.Sqlite.Sorted()[len(allMigrations())-1].Name,
		Migrate:     sqlite.Migrate,
		Status:      sqlite.MigrationStatus,
		Empty:       func(t *testing.T) string { return sqlitetest.EmptyPath(t) },
		Open:        func(t *testing.T, path string) *bun.DB { return sqlitetest.Open(t, path) },
		Migrated:    func(t *testing.T) *bun.DB { return sqlitetest.NewDB(t) },
		TableExists: schemaObject,
	}
	storetest.RunMigrate(t, m)
	storetest.RunMigrateJobs(t, m, func(db *bun.DB) storetest.ScanStore { return sqlite.NewStore(db) })
}
