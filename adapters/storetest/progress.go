package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// RunProgress runs the contract of a scan's running figures, the page cap
// flag and the retry time the domain shows: the progress write is fenced
// like every worker write, the flag is kept on the domain and on the run,
// and a domain waiting for its next attempt shows when it is due.
func RunProgress(t *testing.T, newStore func(t *testing.T) HistoryStore) {
	t.Run("ProgressAdvancesAndIsFenced", func(t *testing.T) { t.Parallel(); testProgressFenced(t, newStore(t)) })
	t.Run("PageCapOnDomainAndRun", func(t *testing.T) { t.Parallel(); testPageCap(t, newStore(t)) })
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		t.Run("RetryTime/"+wf.Name, func(t *testing.T) { t.Parallel(); testRetryTime(t, newStore(t), wf) })
	}
}

// newestRun returns the domain's newest run of wf.
func newestRun(t *testing.T, s HistoryStore, wf core.Workflow, id uuid.UUID) queue.Run {
	t.Helper()
	runs, _, err := s.Runs(context.Background(), wf, id, 1, 0)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	return runs[0]
}

func testProgressFenced(t *testing.T, s HistoryStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	id, claim := claimOne(t, s, now)
	job := claim().Job

	require.NoError(t, s.Progress(ctx, job, 5, 2))
	d := get(t, s, id)
	require.Equal(t, core.TaskInProgress, *d.PageScrapeStatus, "progress is no status change")
	require.Equal(t, 5, d.PagesScanned)
	require.Equal(t, 2, d.ContactsFound)
	r := newestRun(t, s, core.EmailScan, id)
	require.Equal(t, queue.RunRunning, r.State)
	require.Equal(t, 5, r.PagesScanned)
	require.Equal(t, 2, r.ContactsFound)

	require.NoError(t, s.Progress(ctx, job, 10, 3), "figures advance")
	d = get(t, s, id)
	require.Equal(t, 10, d.PagesScanned)
	require.Equal(t, 3, d.ContactsFound)

	// The lease expires and another worker claims the domain: the first
	// worker's progress is refused and changes nothing.
	_, err := s.Rescue(ctx, core.EmailScan, 5, now.Add(2*time.Minute))
	require.NoError(t, err)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now.Add(3*time.Minute))
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.Progress(ctx, jobs[0], 1, 0))
	require.ErrorIs(t, s.Progress(ctx, job, 20, 9), core.ErrLeaseLost)
	d = get(t, s, id)
	require.Equal(t, 1, d.PagesScanned, "a fenced-out progress write changes nothing")
	require.Equal(t, 0, d.ContactsFound)
	require.Equal(t, 1, newestRun(t, s, core.EmailScan, id).PagesScanned)

	// A finished run takes no more progress.
	require.NoError(t, s.FinishScan(ctx, jobs[0], scan.Build(id, "scan0.example.org", report("a@scan0.example.org"), now.Add(4*time.Minute))))
	require.ErrorIs(t, s.Progress(ctx, jobs[0], 7, 7), core.ErrLeaseLost)
	d = get(t, s, id)
	require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
	require.Equal(t, 2, d.PagesScanned, "the final counts stand")
	require.Equal(t, 1, d.ContactsFound)

	// Unknown job: refused.
	require.ErrorIs(t, s.Progress(ctx, queue.Job{DomainID: id, RunID: uuid.New(), Token: uuid.New()}, 1, 1), core.ErrLeaseLost)
}

func testPageCap(t *testing.T, s HistoryStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	id, claim := claimOne(t, s, now)
	job := claim().Job
	require.False(t, get(t, s, id).PageCapReached)

	rep := report("a@scan0.example.org")
	rep.PageCapReached = true
	require.NoError(t, s.FinishScan(ctx, job, scan.Build(id, "scan0.example.org", rep, now.Add(time.Minute))))
	require.True(t, get(t, s, id).PageCapReached, "the domain shows the cap")
	first := newestRun(t, s, core.EmailScan, id)
	require.True(t, first.PageCapReached, "the run keeps the cap")

	// The next run starts without the flag: progress clears it, and a run
	// that ends below the cap leaves it false; the first run keeps its own.
	QueueAgain(t, s, id)
	require.True(t, get(t, s, id).PageCapReached, "queueing keeps the last run's flag")
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.Progress(ctx, jobs[0], 0, 0))
	d := get(t, s, id)
	require.False(t, d.PageCapReached, "a running scan has not reached the cap yet")
	require.Zero(t, d.PagesScanned)
	require.NoError(t, s.FinishScan(ctx, jobs[0], scan.Build(id, "scan0.example.org", report(), now.Add(time.Hour+time.Minute))))
	require.False(t, get(t, s, id).PageCapReached)
	runs, _, err := s.Runs(ctx, core.EmailScan, id, 10, 0)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.False(t, runs[0].PageCapReached)
	require.True(t, runs[1].PageCapReached)
}

// nextOf is wf's next attempt time as the domain shows it.
func nextOf(t *testing.T, s Store, wf core.Workflow, id uuid.UUID) *time.Time {
	t.Helper()
	d := get(t, s, id)
	if wf.Name == core.SitemapCuration.Name {
		return d.SitemapAnalysisNextAttemptAt
	}
	return d.PageScrapeNextAttemptAt
}

func testRetryTime(t *testing.T, s HistoryStore, wf core.Workflow) {
	ctx := context.Background()
	now := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	id := QueueDomains(t, s, wf, "retrytime", 1)[0]
	require.Nil(t, nextOf(t, s, wf, id), "queued, never tried: no due time")
	claim := func(at time.Time) queue.Job {
		t.Helper()
		jobs, err := s.Claim(ctx, wf, 1, time.Minute, at)
		require.NoError(t, err)
		require.Len(t, jobs, 1)
		return jobs[0]
	}
	job := claim(now)
	due := now.Add(90 * time.Second)
	require.NoError(t, s.Retry(ctx, wf, job, due, queue.Failure{Public: "HTTP 503"}, now.Add(time.Second)))
	got := nextOf(t, s, wf, id)
	require.NotNil(t, got, "a waiting domain shows when it is due")
	require.True(t, got.Equal(due), "due %v, shown %v", due, *got)
	require.Equal(t, time.UTC, got.Location())
	st, _ := SecondaryOf(t, s, wf, id)
	require.Equal(t, wf.Queued, st)

	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now.Add(time.Minute))
	require.NoError(t, err)
	require.Empty(t, jobs, "not due yet")
	require.NotNil(t, nextOf(t, s, wf, id))

	job = claim(due)
	require.Nil(t, nextOf(t, s, wf, id), "claimed: no longer waiting")
	require.NoError(t, s.Release(ctx, wf, job, due.Add(time.Second)))
	require.Nil(t, nextOf(t, s, wf, id), "released: due at once")
	job = claim(due.Add(2 * time.Second))
	require.NoError(t, s.Fail(ctx, wf, job, queue.Failure{Public: "gone"}, due.Add(3*time.Second)))
	require.Nil(t, nextOf(t, s, wf, id), "failed: nothing to wait for")
}
