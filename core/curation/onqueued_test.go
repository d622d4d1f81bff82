package curation_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// The hook hears of committed batches that queued work, with their count,
// and of nothing else: not a batch that queued nothing, not a failed one.
func TestOnQueuedHearsCommittedQueueing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewStore()
	now := core.SystemClock{}.Now()
	ds, err := store.AddDomains(ctx, []core.Domain{core.NewDomain("a.example.org", now), core.NewDomain("b.example.org", now)})
	require.NoError(t, err)
	ids := []uuid.UUID{ds[0].ID, ds[1].ID}

	var heard []int
	u := curation.NewSecondaryStateUpdater(store, core.EmailScan, core.SystemClock{}, nil).
		OnQueued(func(n int) { heard = append(heard, n) })

	_, err = u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationMaybe})
	require.NoError(t, err)
	require.Empty(t, heard, "a batch that queued nothing is not announced")

	_, err = u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, []int{2}, heard)

	_, err = u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, []int{2}, heard, "already queued domains are not queued again")

	_, err = u.Update(ctx, curation.UpdateInput{Status: core.CurationSelected})
	require.Error(t, err)
	require.Equal(t, []int{2}, heard)
}
