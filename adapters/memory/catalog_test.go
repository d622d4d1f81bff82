package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestCatalogContract(t *testing.T) {
	t.Parallel()
	storetest.RunCatalog(t, func(t *testing.T) storetest.CatalogStore { return memory.NewStore() })
}
