package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// TestRepoCheckConstraint queues a status the schema's CHECK constraint
// refuses: the statement fails with the store's own error code. The shared
// edge cases are in storetest.RunSQL.
func TestRepoCheckConstraint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.NewDB(t))
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ds := []core.Domain{core.NewDomain("e1.example.org", now), core.NewDomain("e2.example.org", now)}
	queued := core.TaskQueued
	ds[1].PageScrapeStatus = &queued
	_, err := s.AddDomains(ctx, ds)
	require.NoError(t, err)
	ids := []uuid.UUID{ds[0].ID, ds[1].ID}

	// A status the CHECK constraint refuses fails the statement and the
	// transaction with it.
	bogus := core.EmailScan
	bogus.Queued = core.TaskStatus("Bogus")
	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		_, _, _, err := r.SetStatus(ctx, bogus, ids, core.CurationSelected, now)
		return err
	})
	require.Error(t, err)
	require.Equal(t, "23514", sqlState(err))
}

func TestPingAndReadTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db, err := postgres.Open(dsn, postgres.WithReadTimeout(200*time.Millisecond))
	require.NoError(t, err)
	s := postgres.NewStore(db)
	require.NoError(t, s.Ping(ctx))

	// A statement that outlasts the read timeout fails instead of hanging.
	start := time.Now()
	_, err = db.ExecContext(ctx, "SELECT pg_sleep(2)")
	require.Error(t, err)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.Less(t, time.Since(start), 1500*time.Millisecond)

	require.NoError(t, db.Close())
	require.ErrorContains(t, s.Ping(ctx), "ping postgres")
}
