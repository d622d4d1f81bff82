package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// testCancel: moving the primary status away from the trigger cancels a
// running domain, a waiting one (a retry pending) and a queued one never
// claimed, in the same transaction; their open runs end cancelled without
// a claim, so every fenced write of the running job is refused; Held says
// so; selecting again queues them and the next claim starts a new run.
func testCancel(t *testing.T, s HistoryStore, wf core.Workflow) {
	ctx := context.Background()
	ids := QueueDomains(t, s, wf, "cancel-"+wf.Name[:5], 4)
	now := time.Now().UTC()
	// Claim three (oldest update first: all were queued in one batch, so
	// the order is the IDs'), make one of them wait for a retry, finish
	// another, and leave the fourth queued.
	jobs, err := s.Claim(ctx, wf, 3, time.Hour, now)
	require.NoError(t, err)
	require.Len(t, jobs, 3)
	running, waiting, done := jobs[0], jobs[1], jobs[2]
	require.NoError(t, s.Retry(ctx, wf, waiting, now.Add(time.Hour), queue.Failure{Public: "HTTP 503; will retry"}, now))
	require.NoError(t, s.Fail(ctx, wf, done, queue.Failure{Public: "robots.txt disallows /"}, now))
	var never uuid.UUID
	for _, id := range ids {
		if id != running.DomainID && id != waiting.DomainID && id != done.DomainID {
			never = id
		}
	}

	res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationNotAFit})
	require.NoError(t, err)
	require.Equal(t, curation.UpdateResult{Updated: 4, Cancelled: 3, NotFound: []uuid.UUID{}}, res)
	for _, id := range []uuid.UUID{running.DomainID, waiting.DomainID, never} {
		st, msg := SecondaryOf(t, s, wf, id)
		require.Equal(t, wf.Cancelled, st)
		require.Empty(t, msg, "the status says it; an old retry message would mislead")
	}
	st, msg := SecondaryOf(t, s, wf, done.DomainID)
	require.Equal(t, wf.Failed, st, "finished work is left alone")
	require.Equal(t, "robots.txt disallows /", msg)

	for _, j := range []queue.Job{running, waiting} {
		runs, total, err := s.Runs(ctx, wf, j.DomainID, 10, 0)
		require.NoError(t, err)
		require.Equal(t, 1, total)
		require.Equal(t, queue.RunCancelled, runs[0].State)
		require.True(t, runs[0].State.Finished())
		require.Equal(t, queue.CancelledMessage, runs[0].Error)
		require.NotNil(t, runs[0].FinishedAt)
		require.Nil(t, runs[0].NextAttemptAt)
	}
	runs, _, err := s.Runs(ctx, wf, never, 10, 0)
	require.NoError(t, err)
	require.Empty(t, runs, "queueing wrote no run, nor did cancelling")

	// The running job is fenced out: every write it could make is refused.
	held, cancelled, err := s.Held(ctx, wf, []queue.Job{running})
	require.NoError(t, err)
	require.Empty(t, held)
	require.Equal(t, []uuid.UUID{running.RunID}, cancelled)
	require.ErrorIs(t, s.Extend(ctx, wf, running, now.Add(2*time.Hour)), core.ErrLeaseLost)
	require.ErrorIs(t, s.Retry(ctx, wf, running, now, queue.Failure{Public: "x"}, now), core.ErrLeaseLost)
	require.ErrorIs(t, s.Fail(ctx, wf, running, queue.Failure{Public: "x"}, now), core.ErrLeaseLost)
	require.ErrorIs(t, s.Release(ctx, wf, running, now), core.ErrLeaseLost)
	if wf.Name == core.EmailScan.Name {
		out := scan.Outcome{FinishedAt: now, Contacts: []contact.Contact{contactOf(running, "late@example.com", now)}}
		require.ErrorIs(t, s.FinishScan(ctx, running, out), core.ErrLeaseLost)
		cs, err := s.Contacts(ctx, running.DomainID)
		require.NoError(t, err)
		require.Empty(t, cs, "a cancelled scan stores nothing")
	}
	st, _ = SecondaryOf(t, s, wf, running.DomainID)
	require.Equal(t, wf.Cancelled, st, "the refused writes changed nothing")
	none, err := s.Claim(ctx, wf, 5, time.Hour, now.Add(2*time.Hour))
	require.NoError(t, err)
	require.Empty(t, none, "cancelled domains are not claimed")

	// Selecting again queues them as today; the next claim starts a run.
	res, err = curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 4, res.Queued)
	require.Zero(t, res.Cancelled)
	again, err := s.Claim(ctx, wf, 5, time.Hour, now.Add(time.Minute))
	require.NoError(t, err)
	require.Len(t, again, 4)
	for _, j := range again {
		require.Equal(t, 1, j.Attempt)
		if j.DomainID == running.DomainID {
			require.NotEqual(t, running.RunID, j.RunID)
			runs, total, err := s.Runs(ctx, wf, j.DomainID, 10, 0)
			require.NoError(t, err)
			require.Equal(t, 2, total)
			require.Equal(t, queue.RunRunning, runs[0].State)
			require.Equal(t, queue.RunCancelled, runs[1].State)
		}
	}
}

// testHeld: Held sorts a worker's jobs into held (running under their
// token), cancelled (run cancelled or deleted with its domain) and the
// rest (lease lost: rescued and claimed again under another token), in
// one call.
func testHeld(t *testing.T, s HistoryStore) {
	ctx := context.Background()
	wf := core.EmailScan
	ids := QueueDomains(t, s, wf, "held", 4)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 4, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 4)
	byDomain := map[uuid.UUID]queue.Job{}
	for _, j := range jobs {
		byDomain[j.DomainID] = j
	}
	keep, cancel, remove, lose := byDomain[ids[0]], byDomain[ids[1]], byDomain[ids[2]], byDomain[ids[3]]

	_, err = curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{cancel.DomainID}, Status: core.CurationArchived})
	require.NoError(t, err)
	if r, ok := s.(curation.Remover); ok {
		_, err := r.DeleteDomains(ctx, []uuid.UUID{remove.DomainID})
		require.NoError(t, err)
	} else {
		remove = cancel // no delete: count it as cancelled twice
	}
	// keep's lease is extended; lose's expires and is rescued.
	require.NoError(t, s.Extend(ctx, wf, keep, now.Add(time.Hour)))
	n, err := s.Rescue(ctx, wf, 5, now.Add(30*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	// Another worker claims it again: the run runs, under another token.
	thief, err := s.Claim(ctx, wf, 1, time.Hour, now.Add(31*time.Minute))
	require.NoError(t, err)
	require.Len(t, thief, 1)
	require.Equal(t, lose.RunID, thief[0].RunID)

	held, cancelled, err := s.Held(ctx, wf, []queue.Job{keep, cancel, remove, lose})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{keep.RunID}, held)
	require.ElementsMatch(t, []uuid.UUID{cancel.RunID, remove.RunID}, cancelled)

	held, cancelled, err = s.Held(ctx, core.SitemapCuration, []queue.Job{keep})
	require.NoError(t, err)
	require.Empty(t, held, "a run of another workflow is not held")
	require.Equal(t, []uuid.UUID{keep.RunID}, cancelled)

	held, cancelled, err = s.Held(ctx, wf, nil)
	require.NoError(t, err)
	require.Empty(t, held)
	require.Empty(t, cancelled)
}
