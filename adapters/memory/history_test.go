package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestHistoryContract(t *testing.T) {
	t.Parallel()
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore { return memory.NewStore() })
}

func TestProgressContract(t *testing.T) {
	t.Parallel()
	storetest.RunProgress(t, func(t *testing.T) storetest.HistoryStore { return memory.NewStore() })
}
