package memory_test

import (
	"testing"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

func TestAPIKeyContract(t *testing.T) {
	t.Parallel()
	storetest.RunAPIKeys(t, func(*testing.T) apikey.Store { return memory.NewAPIKeys() })
}
