package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return memory.NewStore() })
}

func TestQueueContract(t *testing.T) {
	t.Parallel()
	storetest.RunQueue(t, func(t *testing.T) storetest.QueueStore { return memory.NewStore() })
}

func TestScanContract(t *testing.T) {
	t.Parallel()
	storetest.RunScan(t, func(t *testing.T) storetest.ScanStore { return memory.NewStore() })
}

func TestSitemapContract(t *testing.T) {
	t.Parallel()
	storetest.RunSitemap(t, func(t *testing.T) storetest.SitemapStore { return memory.NewStore() })
}

func TestStats(t *testing.T) {
	t.Parallel()
	storetest.RunStats(t, memory.NewStore())
}
