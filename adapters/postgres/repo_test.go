package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

func TestRepoRejectsUnknownColumns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s := postgres.NewStore(db)
	d := core.NewDomain("cols.example.org", time.Now())
	_, err := s.AddDomains(ctx, []core.Domain{d})
	require.NoError(t, err)

	swapped := core.EmailScan
	swapped.Primary, swapped.Secondary = core.FieldPageScrapeStatus, core.FieldEmailScanStatus
	cases := []struct {
		name   string
		mutate func(*core.Workflow)
		call   string
	}{
		{"primary injection", func(w *core.Workflow) { w.Primary = "email_scan_status = 'x'; DROP TABLE domains; --" }, "primary"},
		{"primary is a secondary", func(w *core.Workflow) { w.Primary = core.FieldPageScrapeStatus }, "primary"},
		{"primary is the id", func(w *core.Workflow) { w.Primary = "id" }, "primary"},
		{"secondary is a primary", func(w *core.Workflow) { w.Secondary = core.FieldEmailScanStatus }, "secondary"},
		{"secondary unknown", func(w *core.Workflow) { w.Secondary = "page_scrape_status\"" }, "secondary"},
		{"error field is a status", func(w *core.Workflow) { w.ErrorField = core.FieldPageScrapeStatus }, "secondary"},
		{"error field empty", func(w *core.Workflow) { w.ErrorField = "" }, "secondary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			wf := core.EmailScan
			c.mutate(&wf)
			err := s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
				var err error
				if c.call == "primary" {
					_, err = r.SetPrimary(ctx, wf, []uuid.UUID{d.ID}, core.CurationSelected, time.Now())
				} else {
					_, err = r.QueueSecondary(ctx, wf, []uuid.UUID{d.ID}, time.Now())
				}
				return err
			})
			require.ErrorIs(t, err, postgres.ErrUnknownColumn)
		})
	}
	t.Cleanup(func() {
		got, err := s.GetDomain(ctx, d.ID)
		require.NoError(t, err, "the table survived")
		require.Equal(t, core.CurationNew, got.EmailScanStatus, "nothing was written")
	})
}

func TestRepoEdgeCases(t *testing.T) {
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

	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		got, err := r.SetPrimary(ctx, core.EmailScan, nil, core.CurationSelected, now)
		require.NoError(t, err)
		require.Empty(t, got, "an empty batch updates nothing")
		got, err = r.QueueSecondary(ctx, core.EmailScan, []uuid.UUID{}, now)
		require.NoError(t, err)
		require.Empty(t, got)

		// A workflow without active values queues every row, NULL or not:
		// the empty list must not turn into NULL.
		done := core.EmailScan
		done.Queued, done.Active = string(core.TaskCompleted), nil
		got, err = r.QueueSecondary(ctx, done, ids, now)
		require.NoError(t, err)
		require.ElementsMatch(t, ids, got)

		got, err = r.SetPrimary(ctx, core.EmailScan, []uuid.UUID{uuid.New()}, core.CurationSelected, now)
		require.NoError(t, err)
		require.Empty(t, got, "unknown IDs drop out without an error")
		return nil
	})
	require.NoError(t, err)
	for _, id := range ids {
		d, err := s.GetDomain(ctx, id)
		require.NoError(t, err)
		require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
	}

	// A status the CHECK constraint refuses fails the statement and the
	// transaction with it.
	bogus := core.EmailScan
	bogus.Queued = "Bogus"
	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		_, err := r.QueueSecondary(ctx, bogus, ids, now)
		return err
	})
	require.Error(t, err)
	require.Equal(t, "23514", sqlState(err))
}

func TestWithinErrors(t *testing.T) {
	t.Parallel()
	s := postgres.NewStore(pgtest.NewDB(t))
	errMine := errors.New("mine")
	err := s.Within(context.Background(), func(context.Context, curation.Repository) error { return errMine })
	require.Equal(t, errMine, err, "fn's error comes back as it is")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err = s.Within(ctx, func(context.Context, curation.Repository) error { called = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "postgres transaction")
	require.False(t, called, "no transaction, no fn")
}

func TestAddDomainsConcurrentSameHosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s := postgres.NewStore(db)

	got, err := s.AddDomains(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, got)

	// A host listed twice in one batch is stored once, with its first ID.
	first, second := core.NewDomain("twice.example.org", time.Now()), core.NewDomain("twice.example.org", time.Now())
	got, err = s.AddDomains(ctx, []core.Domain{first, second})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, first.ID, got[0].ID)
	require.Equal(t, first.ID, got[1].ID)

	// Eight submissions of the same hosts, each with fresh IDs, race; all
	// must agree on one stored ID per host.
	const workers, hosts = 8, 50
	results := make([][]core.Domain, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		batch := make([]core.Domain, hosts)
		for i := range batch {
			// Reverse order in every other batch so inserts interleave.
			h := i
			if w%2 == 1 {
				h = hosts - 1 - i
			}
			batch[i] = core.NewDomain(fmt.Sprintf("race%d.example.org", h), time.Now())
		}
		wg.Go(func() { results[w], errs[w] = s.AddDomains(ctx, batch) })
	}
	wg.Wait()
	idOf := map[string]uuid.UUID{}
	for w := range workers {
		require.NoError(t, errs[w])
		require.Len(t, results[w], hosts)
		for i, d := range results[w] {
			h := i
			if w%2 == 1 {
				h = hosts - 1 - i
			}
			require.Equal(t, fmt.Sprintf("race%d.example.org", h), d.Domain, "input order is kept")
			if prev, ok := idOf[d.Domain]; ok {
				require.Equal(t, prev, d.ID, "%s has one ID", d.Domain)
			}
			idOf[d.Domain] = d.ID
		}
	}
	require.Len(t, idOf, hosts)
	var count int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM domains WHERE domain LIKE 'race%'").Scan(ctx, &count))
	require.Equal(t, hosts, count)
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
