package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// HistoryStore is a ScanStore that lists a domain's runs.
type HistoryStore interface {
	ScanStore
	// Runs returns at most limit of the domain's runs of wf after skipping
	// offset, newest first, and how many there are.
	Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error)
}

// RunHistory runs the scan history contract: every run of a domain is kept
// with its attempts, counts, new contacts, times and outcome, and its error
// detail stays on the run.
func RunHistory(t *testing.T, newStore func(t *testing.T) HistoryStore) {
	t.Run("RunsAreKept", func(t *testing.T) { t.Parallel(); testRunsAreKept(t, newStore(t)) })
	t.Run("FailureDetail", func(t *testing.T) { t.Parallel(); testFailureDetail(t, newStore(t)) })
	for _, wf := range core.Workflows {
		t.Run("Cancel/"+wf.Name, func(t *testing.T) { t.Parallel(); testCancel(t, newStore(t), wf) })
	}
	t.Run("HeldSortsJobs", func(t *testing.T) { t.Parallel(); testHeld(t, newStore(t)) })
}

func testRunsAreKept(t *testing.T, s HistoryStore) {
	ctx := context.Background()
	wf := core.EmailScan
	id := QueueDomains(t, s, wf, "history", 1)[0]
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	claim := func(now time.Time) queue.Job {
		t.Helper()
		jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
		require.NoError(t, err)
		require.Len(t, jobs, 1)
		return jobs[0]
	}
	outcome := func(job queue.Job, now time.Time, emails ...string) scan.Outcome {
		out := scan.Outcome{FinishedAt: now, Pages: []scan.Page{
			{DomainID: job.DomainID, URL: "http://history0.example.org/", Status: 200, EmailsFound: len(emails), FetchedAt: now}}}
		for _, e := range emails {
			out.Contacts = append(out.Contacts, contactOf(job, e, now))
		}
		return out
	}

	// Run 1: a retry, then completed with three contacts, all new.
	first := claim(t0)
	require.NoError(t, s.Retry(ctx, wf, first, t0.Add(time.Minute), queue.Failure{Public: "HTTP 503"}, t0.Add(time.Second)))
	again := claim(t0.Add(2 * time.Minute))
	require.Equal(t, first.RunID, again.RunID, "a retry continues its run")
	require.NoError(t, s.FinishScan(ctx, again, outcome(again, t0.Add(3*time.Minute), "a@history0.example.org", "b@history0.example.org", "c@history0.example.org")))

	// Run 2: four contacts, one of them new.
	QueueAgain(t, s, id)
	second := claim(t0.Add(time.Hour))
	require.NotEqual(t, first.RunID, second.RunID, "queueing again starts a new run")
	require.NoError(t, s.FinishScan(ctx, second, outcome(second, t0.Add(time.Hour+time.Minute),
		"a@history0.example.org", "b@history0.example.org", "c@history0.example.org", "d@history0.example.org")))

	// Run 3: failed.
	QueueAgain(t, s, id)
	third := claim(t0.Add(2 * time.Hour))
	require.NoError(t, s.Fail(ctx, wf, third, queue.Failure{Public: "robots.txt disallows /"}, t0.Add(2*time.Hour+time.Second)))

	// Run 4: running.
	QueueAgain(t, s, id)
	fourth := claim(t0.Add(3 * time.Hour))

	runs, total, err := s.Runs(ctx, wf, id, 10, 0)
	require.NoError(t, err)
	require.Equal(t, 4, total)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	want := []queue.Run{
		{ID: fourth.RunID, DomainID: id, Workflow: wf.Name, State: queue.RunRunning, Attempt: 1, StartedAt: t0.Add(3 * time.Hour)},
		{ID: third.RunID, DomainID: id, Workflow: wf.Name, State: queue.RunFailed, Attempt: 1, StartedAt: t0.Add(2 * time.Hour),
			FinishedAt: at(2*time.Hour + time.Second), Error: "robots.txt disallows /"},
		{ID: second.RunID, DomainID: id, Workflow: wf.Name, State: queue.RunCompleted, Attempt: 1, StartedAt: t0.Add(time.Hour),
			FinishedAt: at(time.Hour + time.Minute), PagesScanned: 1, ContactsFound: 4, NewContacts: 1},
		{ID: first.RunID, DomainID: id, Workflow: wf.Name, State: queue.RunCompleted, Attempt: 2, StartedAt: t0,
			FinishedAt: at(3 * time.Minute), PagesScanned: 1, ContactsFound: 3, NewContacts: 3},
	}
	require.Equal(t, want, runs)
	require.Equal(t, 3*time.Minute, runs[3].Duration())

	page, total, err := s.Runs(ctx, wf, id, 3, 3)
	require.NoError(t, err)
	require.Equal(t, 4, total)
	require.Equal(t, want[3:], page, "the last page")

	none, total, err := s.Runs(ctx, core.SitemapCuration, id, 10, 0)
	require.NoError(t, err)
	require.Zero(t, total, "runs are per workflow")
	require.Empty(t, none)
	none, total, err = s.Runs(ctx, wf, uuid.New(), 10, 0)
	require.NoError(t, err)
	require.Zero(t, total, fmt.Sprintf("an unknown domain has no runs: %v", none))
}
