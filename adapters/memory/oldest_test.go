package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestOldestQueuedContract(t *testing.T) {
	t.Parallel()
	storetest.RunOldestQueued(t, memory.NewStore())
}
