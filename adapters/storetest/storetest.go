// Package storetest is the contract suite every store adapter passes: the
// same cases run against memory, Postgres and any later store, so the
// adapters cannot drift apart. It is imported only from adapters' tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// Store is what the suite needs from an adapter.
type Store interface {
	curation.UnitOfWork
	curation.DomainAdder
	curation.DomainGetter
}

// Factory returns an empty store for one test; it registers its own cleanup.
type Factory func(t *testing.T) Store

// fixedClock is a settable clock.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Run runs the whole contract suite against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Run("AddAndGet", func(t *testing.T) { t.Parallel(); testAddAndGet(t, newStore(t)) })
	t.Run("GetMissing", func(t *testing.T) { t.Parallel(); testGetMissing(t, newStore(t)) })
	t.Run("RoundTripNullable", func(t *testing.T) { t.Parallel(); testRoundTrip(t, newStore(t)) })
	t.Run("EmailScanQueueing", func(t *testing.T) { t.Parallel(); testEmailScanQueueing(t, newStore(t)) })
	t.Run("SitemapQueueing", func(t *testing.T) { t.Parallel(); testSitemapQueueing(t, newStore(t)) })
	t.Run("NonTriggerStatus", func(t *testing.T) { t.Parallel(); testNonTrigger(t, newStore(t)) })
	t.Run("NotFoundAndDuplicates", func(t *testing.T) { t.Parallel(); testNotFound(t, newStore(t)) })
	t.Run("AtomicOnFault", func(t *testing.T) { t.Parallel(); testAtomic(t, newStore(t)) })
	t.Run("ConcurrentOverlappingBatches", func(t *testing.T) { t.Parallel(); testConcurrent(t, newStore(t)) })
	t.Run("BatchLimit", func(t *testing.T) { t.Parallel(); testBatchLimit(t, newStore(t)) })
}

// Seed stores domains with the given statuses and returns them as stored.
func Seed(t *testing.T, s curation.DomainAdder, ds ...core.Domain) []core.Domain {
	t.Helper()
	out, err := s.AddDomains(context.Background(), ds)
	require.NoError(t, err)
	return out
}

func dom(host string) core.Domain { return core.NewDomain(host, t0) }

func ptr[T any](v T) *T { return &v }

func get(t *testing.T, s Store, id uuid.UUID) core.Domain {
	t.Helper()
	d, err := s.GetDomain(context.Background(), id)
	require.NoError(t, err)
	return d
}

func testAddAndGet(t *testing.T, s Store) {
	ctx := context.Background()
	a, b := dom("a.example.org"), dom("b.example.org")
	got, err := s.AddDomains(ctx, []core.Domain{a, b})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, a.ID, got[0].ID)
	require.Equal(t, b.ID, got[1].ID)

	// A host already stored keeps its ID; a new one is added; order is kept.
	c, a2 := dom("c.example.org"), dom("a.example.org")
	got, err = s.AddDomains(ctx, []core.Domain{c, a2})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, c.ID, got[0].ID)
	require.Equal(t, a.ID, got[1].ID, "existing host returns its existing ID")

	d := get(t, s, a.ID)
	require.Equal(t, "a.example.org", d.Domain)
	require.Equal(t, core.CurationNew, d.EmailScanStatus)
	require.Equal(t, core.CurationNew, d.SitemapCurationStatus)
	require.Nil(t, d.PageScrapeStatus)
	require.Nil(t, d.SitemapAnalysisStatus)
	require.True(t, d.CreatedAt.Equal(t0), "created_at %v", d.CreatedAt)
}

func testGetMissing(t *testing.T, s Store) {
	_, err := s.GetDomain(context.Background(), uuid.New())
	require.ErrorIs(t, err, core.ErrNotFound)
}

func testRoundTrip(t *testing.T, s Store) {
	d := dom("round.example.org")
	d.EmailScanStatus = core.CurationNotAFit
	d.SitemapCurationStatus = core.CurationMaybe
	d.PageScrapeStatus = ptr(core.TaskError)
	d.PageScrapeError = ptr("HTTP 503 after 3 attempts")
	d.SitemapAnalysisStatus = ptr(core.AnalysisProcessing)
	d.SitemapAnalysisError = ptr("x")
	Seed(t, s, d)
	got := get(t, s, d.ID)
	require.Equal(t, d.EmailScanStatus, got.EmailScanStatus)
	require.Equal(t, d.SitemapCurationStatus, got.SitemapCurationStatus)
	require.Equal(t, d.PageScrapeStatus, got.PageScrapeStatus)
	require.Equal(t, d.PageScrapeError, got.PageScrapeError)
	require.Equal(t, d.SitemapAnalysisStatus, got.SitemapAnalysisStatus)
	require.Equal(t, d.SitemapAnalysisError, got.SitemapAnalysisError)
}

func testEmailScanQueueing(t *testing.T, s Store) {
	ctx := context.Background()
	cases := []struct {
		name      string
		secondary *core.TaskStatus
		errText   *string
		queued    bool
	}{
		{"null", nil, nil, true},
		{"queued", ptr(core.TaskQueued), nil, false},
		{"in progress", ptr(core.TaskInProgress), nil, false},
		{"completed", ptr(core.TaskCompleted), nil, true},
		{"error", ptr(core.TaskError), ptr("no such host"), true},
		{"cancelled", ptr(core.TaskCancelled), nil, true},
	}
	var ids []uuid.UUID
	for i, c := range cases {
		d := dom(fmt.Sprintf("q%d.example.org", i))
		d.PageScrapeStatus = c.secondary
		d.PageScrapeError = c.errText
		d.SitemapAnalysisStatus = ptr(core.AnalysisCompleted)
		Seed(t, s, d)
		ids = append(ids, d.ID)
	}
	later := t0.Add(time.Hour)
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, fixedClock{later}, nil)
	res, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected, UserID: "u1"})
	require.NoError(t, err)
	require.Equal(t, len(cases), res.Updated)
	require.Equal(t, 4, res.Queued)
	require.Empty(t, res.NotFound)

	for i, c := range cases {
		d := get(t, s, ids[i])
		require.Equal(t, core.CurationSelected, d.EmailScanStatus, c.name)
		require.True(t, d.UpdatedAt.Equal(later), "%s: updated_at %v", c.name, d.UpdatedAt)
		require.Equal(t, core.CurationNew, d.SitemapCurationStatus, "%s: other workflow untouched", c.name)
		require.Equal(t, ptr(core.AnalysisCompleted), d.SitemapAnalysisStatus, "%s: other workflow untouched", c.name)
		if c.queued {
			require.Equal(t, ptr(core.TaskQueued), d.PageScrapeStatus, c.name)
			require.Nil(t, d.PageScrapeError, "%s: error cleared when queued", c.name)
		} else {
			require.Equal(t, c.secondary, d.PageScrapeStatus, c.name)
		}
	}

	// Repeating the request updates again but queues nothing: all are active.
	res, err = u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, len(cases), res.Updated)
	require.Equal(t, 0, res.Queued)
}

func testSitemapQueueing(t *testing.T, s Store) {
	ctx := context.Background()
	statuses := []*core.AnalysisStatus{nil, ptr(core.AnalysisQueued), ptr(core.AnalysisProcessing), ptr(core.AnalysisCompleted), ptr(core.AnalysisError)}
	var ids []uuid.UUID
	for i, st := range statuses {
		d := dom(fmt.Sprintf("s%d.example.org", i))
		d.SitemapAnalysisStatus = st
		d.SitemapAnalysisError = ptr("old")
		d.PageScrapeStatus = ptr(core.TaskError)
		d.PageScrapeError = ptr("keep")
		Seed(t, s, d)
		ids = append(ids, d.ID)
	}
	u := curation.NewSecondaryStateUpdater(s, core.SitemapCuration, core.SystemClock{}, nil)
	res, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 5, res.Updated)
	require.Equal(t, 3, res.Queued)
	for i, st := range statuses {
		d := get(t, s, ids[i])
		require.Equal(t, core.CurationSelected, d.SitemapCurationStatus)
		require.Equal(t, core.CurationNew, d.EmailScanStatus)
		require.Equal(t, ptr("keep"), d.PageScrapeError, "email workflow untouched")
		if st == nil || (*st != core.AnalysisQueued && *st != core.AnalysisProcessing) {
			require.Equal(t, ptr(core.AnalysisQueued), d.SitemapAnalysisStatus)
			require.Nil(t, d.SitemapAnalysisError)
		} else {
			require.Equal(t, st, d.SitemapAnalysisStatus)
			require.Equal(t, ptr("old"), d.SitemapAnalysisError)
		}
	}
}

func testNonTrigger(t *testing.T, s Store) {
	ctx := context.Background()
	d := dom("nt.example.org")
	d.PageScrapeStatus = ptr(core.TaskError)
	d.PageScrapeError = ptr("boom")
	Seed(t, s, d)
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil)
	for _, st := range []core.CurationStatus{core.CurationMaybe, core.CurationNotAFit, core.CurationArchived, core.CurationNew} {
		res, err := u.Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{d.ID}, Status: st})
		require.NoError(t, err)
		require.Equal(t, 1, res.Updated)
		require.Equal(t, 0, res.Queued)
		got := get(t, s, d.ID)
		require.Equal(t, st, got.EmailScanStatus)
		require.Equal(t, ptr(core.TaskError), got.PageScrapeStatus)
		require.Equal(t, ptr("boom"), got.PageScrapeError)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	a := dom("nf.example.org")
	Seed(t, s, a)
	ghost1, ghost2 := uuid.New(), uuid.New()
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil)
	res, err := u.Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{a.ID, ghost1, a.ID, ghost2, ghost1}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Updated, "duplicates collapse")
	require.Equal(t, 1, res.Queued)
	require.ElementsMatch(t, []uuid.UUID{ghost1, ghost2}, res.NotFound)

	res, err = u.Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{ghost1}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, curation.UpdateResult{NotFound: []uuid.UUID{ghost1}}, res)
}

// failingUnit wraps a unit of work so that the status update fails after
// its write ran in the same transaction.
type failingUnit struct{ inner curation.UnitOfWork }

var errInjected = errors.New("injected fault")

func (f failingUnit) Within(ctx context.Context, fn func(context.Context, curation.Repository) error) error {
	return f.inner.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		return fn(ctx, failingRepo{r})
	})
}

type failingRepo struct{ curation.Repository }

func (f failingRepo) SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, []uuid.UUID, []uuid.UUID, error) {
	if _, _, _, err := f.Repository.SetStatus(ctx, wf, ids, status, now); err != nil {
		return nil, nil, nil, err
	}
	return nil, nil, nil, errInjected
}

func testAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	var before []core.Domain
	for i := range 5 {
		d := dom(fmt.Sprintf("at%d.example.org", i))
		if i%2 == 0 {
			d.PageScrapeStatus = ptr(core.TaskError)
			d.PageScrapeError = ptr("old error")
		}
		before = append(before, Seed(t, s, d)[0])
	}
	ids := make([]uuid.UUID, len(before))
	for i, d := range before {
		ids[i] = get(t, s, d.ID).ID
		before[i] = get(t, s, d.ID)
	}
	u := curation.NewSecondaryStateUpdater(failingUnit{s}, core.EmailScan, fixedClock{t0.Add(time.Hour)}, nil)
	_, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.ErrorIs(t, err, errInjected)
	for _, want := range before {
		require.Equal(t, want, get(t, s, want.ID), "row unchanged after a failed transaction")
	}
}

func testConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	const domains, workers, rounds = 60, 8, 3
	var ids []uuid.UUID
	for i := range domains {
		d := dom(fmt.Sprintf("cc%d.example.org", i))
		Seed(t, s, d)
		ids = append(ids, d.ID)
	}
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil)
	for round := range rounds {
		// Reset to a state where every domain is eligible again.
		_, err := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil).
			Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationNew})
		require.NoError(t, err)
		resetSecondary(t, s, ids)

		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		errs := make(chan error, workers)
		for w := range workers {
			// Overlapping windows in opposite orders.
			lo := (w * domains / workers / 2) % domains
			batch := append([]uuid.UUID(nil), ids[lo:min(lo+domains/2, domains)]...)
			if w%2 == 1 {
				for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
					batch[i], batch[j] = batch[j], batch[i]
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := u.Update(ctx, curation.UpdateInput{IDs: batch, Status: core.CurationSelected})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				total += res.Queued
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "round %d", round)
		}
		queued := 0
		for _, id := range ids {
			d := get(t, s, id)
			if d.PageScrapeStatus != nil && *d.PageScrapeStatus == core.TaskQueued {
				require.Equal(t, core.CurationSelected, d.EmailScanStatus)
				queued++
			}
		}
		require.Equal(t, queued, total, "round %d: sum of queued counts equals domains queued", round)
		require.Positive(t, queued)
	}
}

// resetSecondary puts page_scrape_status back to Completed through the
// repository so that the next round can queue again.
func resetSecondary(t *testing.T, s Store, ids []uuid.UUID) {
	t.Helper()
	// Completed is not active, so a Selected update re-queues; reaching it
	// needs the store's own write path, which the unit of work provides via
	// a workflow whose queued value is Completed.
	done := core.EmailScan
	done.Queued = core.TaskCompleted
	done.Active = []core.Secondary{core.TaskCompleted}
	require.NoError(t, s.Within(context.Background(), func(ctx context.Context, r curation.Repository) error {
		_, _, _, err := r.SetStatus(ctx, done, ids, core.CurationSelected, time.Now())
		return err
	}))
}
