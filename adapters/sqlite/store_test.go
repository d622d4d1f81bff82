package sqlite_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
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
