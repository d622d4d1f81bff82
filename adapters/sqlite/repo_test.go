package sqlite_test

import (
	"context"
	"errors"
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

func TestRepoRejectsUnknownColumns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	d := core.NewDomain("cols.example.org", time.Now())
	_, err := s.AddDomains(ctx, []core.Domain{d})
	require.NoError(t, err)

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
		{"queue prefix of the other workflow", func(w *core.Workflow) { w.Prefix = core.SitemapCuration.Prefix }, "secondary"},
		{"queue prefix injection", func(w *core.Workflow) { w.Prefix = `x" = 1; --` }, "secondary"},
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
			require.ErrorIs(t, err, sqlite.ErrUnknownColumn)
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
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ds := []core.Domain{core.NewDomain("e1.example.org", now), core.NewDomain("e2.example.org", now)}
	ds[1].PageScrapeStatus = ptr(core.TaskQueued)
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
	// transaction with it; the primary set before it is rolled back.
	bogus := core.EmailScan
	bogus.Queued = "Bogus"
	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		if _, err := r.SetPrimary(ctx, bogus, ids, core.CurationMaybe, now); err != nil {
			return err
		}
		_, err := r.QueueSecondary(ctx, bogus, ids, now)
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

func TestWithinErrors(t *testing.T) {
	t.Parallel()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	errMine := errors.New("mine")
	err := s.Within(context.Background(), func(context.Context, curation.Repository) error { return errMine })
	require.Equal(t, errMine, err, "fn's error comes back as it is")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err = s.Within(ctx, func(context.Context, curation.Repository) error { called = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "sqlite transaction")
	require.False(t, called, "no transaction, no fn")
}

func TestAddDomainsConcurrentSameHosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	s := sqlite.NewStore(db)

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
	errs := parallelDo(workers, func(w int) error {
		batch := make([]core.Domain, hosts)
		for i := range batch {
			h := i
			if w%2 == 1 {
				h = hosts - 1 - i
			}
			batch[i] = core.NewDomain(fmt.Sprintf("race%d.example.org", h), time.Now())
		}
		var err error
		results[w], err = s.AddDomains(ctx, batch)
		return err
	})
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
