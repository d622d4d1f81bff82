package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// testFailureDetail pins where a failure's two texts go: the run keeps the
// public error and the detail through Retry, Fail and Rescue; the domain,
// which listings and the seed's API serve, gets the public error only; a
// run that completes after a retry clears both; an empty detail reads back
// empty.
func testFailureDetail(t *testing.T, s HistoryStore) {
	ctx := context.Background()
	wf := core.EmailScan
	id := QueueDomains(t, s, wf, "detail", 1)[0]
	t0 := time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC)
	claim := func(now time.Time) queue.Job {
		t.Helper()
		jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
		require.NoError(t, err)
		require.Len(t, jobs, 1)
		return jobs[0]
	}
	latest := func() queue.Run {
		t.Helper()
		runs, _, err := s.Runs(ctx, wf, id, 1, 0)
		require.NoError(t, err)
		require.Len(t, runs, 1)
		return runs[0]
	}
	// noDetail fails if the detail reached the domain that users read.
	noDetail := func(detail string) {
		t.Helper()
		d, err := s.GetDomain(ctx, id)
		require.NoError(t, err)
		require.NotContains(t, fmt.Sprintf("%+v", d), detail, "the domain carries the error detail")
	}

	retried := queue.Failure{Public: "HTTP 503; will retry", Detail: "fetch http://detail0.example.org/: HTTP 503 from 10.0.0.7:8080"}
	failed := queue.Failure{Public: "robots.txt disallows /", Detail: "robots.txt http://detail0.example.org/robots.txt: Disallow: / for ScraperSkyBot"}

	job := claim(t0)
	require.NoError(t, s.Retry(ctx, wf, job, t0, retried, t0.Add(time.Second)))
	r := latest()
	require.Equal(t, queue.RunWaiting, r.State)
	require.Equal(t, retried.Public, r.Error)
	require.Equal(t, retried.Detail, r.ErrorDetail)
	st, msg := SecondaryOf(t, s, wf, id)
	require.Equal(t, wf.Queued, st)
	require.Equal(t, retried.Public, msg)
	noDetail(retried.Detail)

	job = claim(t0.Add(time.Minute))
	require.NoError(t, s.Fail(ctx, wf, job, failed, t0.Add(2*time.Minute)))
	r = latest()
	require.Equal(t, queue.RunFailed, r.State)
	require.Equal(t, failed.Public, r.Error)
	require.Equal(t, failed.Detail, r.ErrorDetail)
	st, msg = SecondaryOf(t, s, wf, id)
	require.Equal(t, wf.Failed, st)
	require.Equal(t, failed.Public, msg)
	noDetail(failed.Detail)

	// A retry, then success: the completed run has neither text.
	QueueAgain(t, s, id)
	job = claim(t0.Add(time.Hour))
	require.NoError(t, s.Retry(ctx, wf, job, t0.Add(time.Hour), retried, t0.Add(time.Hour)))
	job = claim(t0.Add(time.Hour + time.Second))
	require.NoError(t, s.FinishScan(ctx, job, scan.Outcome{FinishedAt: t0.Add(time.Hour + time.Minute)}))
	r = latest()
	require.Equal(t, queue.RunCompleted, r.State)
	require.Empty(t, r.Error)
	require.Empty(t, r.ErrorDetail)

	// No detail given: none kept.
	QueueAgain(t, s, id)
	job = claim(t0.Add(2 * time.Hour))
	require.NoError(t, s.Fail(ctx, wf, job, queue.Failure{Public: "gave up"}, t0.Add(2*time.Hour)))
	r = latest()
	require.Equal(t, "gave up", r.Error)
	require.Empty(t, r.ErrorDetail)

	// Rescue: the detail names the claim that was fenced out.
	QueueAgain(t, s, id)
	job = claim(t0.Add(3 * time.Hour))
	n, err := s.Rescue(ctx, wf, 1, t0.Add(4*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	r = latest()
	require.Equal(t, queue.RunFailed, r.State)
	require.Equal(t, "lease expired after 1 attempts", r.Error)
	require.Equal(t, "lease of claim "+job.Token.String()+" expired", r.ErrorDetail)
	_, msg = SecondaryOf(t, s, wf, id)
	require.Equal(t, r.Error, msg)
	noDetail(job.Token.String())
}
