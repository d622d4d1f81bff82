package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// testBatchLimit runs a status update of exactly curation.MaxBatch IDs,
// which every store must take in one transaction, and one ID more, which
// is refused with nothing changed. A full submission's worth of the IDs
// are stored domains, the rest unknown: the statements still carry all
// the IDs, and seeding stays cheap.
func testBatchLimit(t *testing.T, s Store) {
	ctx := context.Background()
	ds := make([]core.Domain, curation.MaxSubmit)
	for i := range ds {
		ds[i] = dom(fmt.Sprintf("max%d.example.org", i))
	}
	ids := make([]uuid.UUID, 0, curation.MaxBatch+1)
	for _, d := range Seed(t, s, ds...) {
		ids = append(ids, d.ID)
	}
	for len(ids) < curation.MaxBatch+1 {
		ids = append(ids, uuid.New())
	}
	stored, unknown := ids[:curation.MaxSubmit], ids[curation.MaxSubmit:curation.MaxBatch]
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, fixedClock{t0}, nil)

	_, err := u.Update(ctx, curation.UpdateInput{IDs: ids[:curation.MaxBatch+1], Status: core.CurationSelected})
	require.ErrorIs(t, err, core.ErrBatchTooLarge, "%d IDs", curation.MaxBatch+1)
	for _, id := range []uuid.UUID{stored[0], stored[len(stored)-1]} {
		require.Equal(t, core.CurationNew, get(t, s, id).EmailScanStatus, "a refused batch changes nothing")
	}

	res, err := u.Update(ctx, curation.UpdateInput{IDs: ids[:curation.MaxBatch], Status: core.CurationSelected})
	require.NoError(t, err, "exactly %d IDs are allowed", curation.MaxBatch)
	require.Equal(t, len(stored), res.Updated)
	require.Equal(t, len(stored), res.Queued)
	// (ElementsMatch is quadratic: far too slow for 9,000 IDs.)
	require.Equal(t, sortedIDs(unknown), sortedIDs(res.NotFound))
	for _, id := range []uuid.UUID{stored[0], stored[len(stored)-1]} {
		d := get(t, s, id)
		require.Equal(t, core.CurationSelected, d.EmailScanStatus)
		require.Equal(t, ptr(core.TaskQueued), d.PageScrapeStatus)
	}
}

func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}
