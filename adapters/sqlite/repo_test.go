package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// TestRepoCheckConstraint queues a status the schema's CHECK constraint
// refuses: the statement fails with the store's own error code. The shared
// edge cases are in storetest.RunSQL.
func TestRepoCheckConstraint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ds := []core.Domain{core.NewDomain("e1.example.org", now), core.NewDomain("e2.example.org", now)}
	ds[1].PageScrapeStatus = ptr(core.TaskQueued)
	_, err := s.AddDomains(ctx, ds)
	require.NoError(t, err)
	ids := []uuid.UUID{ds[0].ID, ds[1].ID}

	// A status the CHECK constraint refuses fails the statement and the
	// transaction with it; nothing is written.
	bogus := core.EmailScan
	bogus.Queued = core.TaskStatus("Bogus")
	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		_, _, _, err := r.SetStatus(ctx, bogus, ids, core.CurationSelected, now)
		return err
	})
	require.Error(t, err)
	require.Equal(t, checkFailed, sqliteCode(err), "%v", err)
	d, err := s.GetDomain(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, core.CurationNew, d.EmailScanStatus, "rolled back")
}

// TestLargestBatches runs the biggest requests core allows, a 1,000-host
// submission and a 10,000-ID status update: the values are inlined into
// the SQL, which SQLite's default limits must accept.
func TestLargestBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Now()
	var ids []uuid.UUID
	for chunk := range curation.MaxBatch / curation.MaxSubmit {
		ds := make([]core.Domain, curation.MaxSubmit)
		for i := range ds {
			ds[i] = core.NewDomain(fmt.Sprintf("big%d-%d.example.org", chunk, i), now)
		}
		got, err := s.AddDomains(ctx, ds)
		require.NoError(t, err)
		require.Len(t, got, curation.MaxSubmit)
		for _, d := range got {
			ids = append(ids, d.ID)
		}
	}
	require.Len(t, ids, curation.MaxBatch)
	start := time.Now()
	res, err := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	t.Logf("10,000-ID update took %s", time.Since(start))
	require.Equal(t, curation.MaxBatch, res.Updated)
	require.Equal(t, curation.MaxBatch, res.Queued)
}
