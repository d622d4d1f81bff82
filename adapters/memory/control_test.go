package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
)

func TestControlContract(t *testing.T) {
	t.Parallel()
	storetest.RunControl(t, func(t *testing.T) storetest.ControlStore { return memory.NewStore() })
}
