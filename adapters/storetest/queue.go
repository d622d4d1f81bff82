package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// QueueStore is what the queue suite needs from an adapter.
type QueueStore interface {
	Store
	queue.Queue
}

// QueueFactory returns an empty store for one test.
type QueueFactory func(t *testing.T) QueueStore

// RunQueue runs the claim/lease/fencing contract against stores made by
// newStore, for both workflows.
func RunQueue(t *testing.T, newStore QueueFactory) {
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		t.Run(wf.Name, func(t *testing.T) {
			t.Run("ShouldQueue", func(t *testing.T) { t.Parallel(); testShouldQueue(t, newStore(t), wf) })
			t.Run("ClaimLeaseFinish", func(t *testing.T) { t.Parallel(); testClaim(t, newStore(t), wf) })
			t.Run("Fencing", func(t *testing.T) { t.Parallel(); testFencing(t, newStore(t), wf) })
			t.Run("RetryAndBackoff", func(t *testing.T) { t.Parallel(); testRetry(t, newStore(t), wf) })
			t.Run("ReleaseGivesAttemptBack", func(t *testing.T) { t.Parallel(); testRelease(t, newStore(t), wf) })
			t.Run("RequeueStartsFresh", func(t *testing.T) { t.Parallel(); testRequeue(t, newStore(t), wf) })
			t.Run("Rescue", func(t *testing.T) { t.Parallel(); testRescue(t, newStore(t), wf) })
			t.Run("ExtendMovesLease", func(t *testing.T) { t.Parallel(); testExtendMovesLease(t, newStore(t), wf) })
			t.Run("ConcurrentClaimers", func(t *testing.T) { t.Parallel(); testConcurrentClaim(t, newStore(t), wf) })
		})
	}
	t.Run("ProgressColumns", func(t *testing.T) { t.Parallel(); testProgressColumns(t, newStore(t)) })
}

// QueueDomains stores n new domains and queues them through wf's updater.
func QueueDomains(t *testing.T, s Store, wf core.Workflow, prefix string, n int) []uuid.UUID {
	t.Helper()
	ds := make([]core.Domain, n)
	ids := make([]uuid.UUID, n)
	for i := range ds {
		ds[i] = dom(fmt.Sprintf("%s%d.example.org", prefix, i))
		ids[i] = ds[i].ID
	}
	Seed(t, s, ds...)
	res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(context.Background(), curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, n, res.Queued)
	return ids
}

// SecondaryOf reads wf's secondary status (nil for NULL) and error of a
// domain.
func SecondaryOf(t *testing.T, s curation.DomainGetter, wf core.Workflow, id uuid.UUID) (status core.Secondary, errMsg string) {
	t.Helper()
	d, err := s.GetDomain(context.Background(), id)
	require.NoError(t, err)
	var msg *string
	switch wf.Name {
	case core.EmailScan.Name:
		if d.PageScrapeStatus != nil {
			status = *d.PageScrapeStatus
		}
		msg = d.PageScrapeError
	case core.SitemapCuration.Name:
		if d.SitemapAnalysisStatus != nil {
			status = *d.SitemapAnalysisStatus
		}
		msg = d.SitemapAnalysisError
	default:
		t.Fatalf("unknown workflow %s", wf.Name)
	}
	if msg != nil {
		errMsg = *msg
	}
	return status, errMsg
}

// WithSecondary returns d with wf's secondary status set to st (nil for
// NULL).
func WithSecondary(d core.Domain, wf core.Workflow, st core.Secondary) core.Domain {
	switch v := st.(type) {
	case core.TaskStatus:
		d.PageScrapeStatus = &v
	case core.AnalysisStatus:
		d.SitemapAnalysisStatus = &v
	}
	return d
}

// testShouldQueue pins the store's queueing and cancelling rules to
// core.Workflow.ShouldQueue and ShouldCancel: a domain in every secondary
// status (and NULL) is set to every curation status, and exactly the
// domains ShouldQueue names are queued and those ShouldCancel names
// cancelled; the others keep their secondary status.
func testShouldQueue(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	current := append([]core.Secondary{nil}, wf.Statuses()...)
	for ti, target := range core.CurationStatuses {
		var ids []uuid.UUID
		wantQueued, wantCancelled := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
		for ci, cur := range current {
			d := WithSecondary(dom(fmt.Sprintf("sq%d-%d.example.org", ti, ci)), wf, cur)
			Seed(t, s, d)
			ids = append(ids, d.ID)
			if wf.ShouldQueue(target, cur) {
				wantQueued[d.ID] = true
			}
			if wf.ShouldCancel(target, cur) {
				wantCancelled[d.ID] = true
			}
		}
		res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
			Update(ctx, curation.UpdateInput{IDs: ids, Status: target})
		require.NoError(t, err)
		require.Equal(t, len(ids), res.Updated)
		require.Equal(t, len(wantQueued), res.Queued, "%s", target)
		require.Equal(t, len(wantCancelled), res.Cancelled, "%s", target)
		for ci, id := range ids {
			st, _ := SecondaryOf(t, s, wf, id)
			switch {
			case wantQueued[id]:
				require.Equal(t, wf.Queued, st, "%s from %v", target, current[ci])
			case wantCancelled[id]:
				require.Equal(t, wf.Cancelled, st, "%s from %v", target, current[ci])
			default:
				require.Equal(t, current[ci], st, "%s from %v is left alone", target, current[ci])
			}
		}
	}
}

func testClaim(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	ids := QueueDomains(t, s, wf, "cl", 3)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 2, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	for _, j := range jobs {
		require.Contains(t, ids, j.DomainID)
		require.Equal(t, 1, j.Attempt)
		require.NotEqual(t, uuid.Nil, j.Token)
		require.WithinDuration(t, now.Add(time.Minute), j.LeaseExpiresAt, time.Second)
		st, _ := SecondaryOf(t, s, wf, j.DomainID)
		require.Equal(t, wf.Running, st)
	}
	require.NotEqual(t, jobs[0].Token, jobs[1].Token)
	rest, err := s.Claim(ctx, wf, 5, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, rest, 1, "only the unclaimed domain is left")
	none, err := s.Claim(ctx, wf, 5, time.Minute, now)
	require.NoError(t, err)
	require.Empty(t, none)

	require.NoError(t, s.Extend(ctx, wf, jobs[0], now.Add(time.Hour)))
	require.NoError(t, s.Fail(ctx, wf, jobs[0], queue.Failure{Public: "robots.txt disallows /"}, now))
	st, msg := SecondaryOf(t, s, wf, jobs[0].DomainID)
	require.Equal(t, wf.Failed, st)
	require.Equal(t, "robots.txt disallows /", msg)

	// A failed domain can be queued again; its error is cleared then.
	res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{jobs[0].DomainID}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Queued)
	_, msg = SecondaryOf(t, s, wf, jobs[0].DomainID)
	require.Empty(t, msg)
}

func testFencing(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	QueueDomains(t, s, wf, "fe", 1)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 1, time.Second, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	old := jobs[0]

	// The lease expires, the rescuer takes the domain back and another
	// worker claims it.
	n, err := s.Rescue(ctx, wf, 5, now.Add(2*time.Second))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	again, err := s.Claim(ctx, wf, 1, time.Minute, now.Add(3*time.Second))
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, old.DomainID, again[0].DomainID)
	require.Equal(t, 2, again[0].Attempt)

	// Every write of the zombie is refused.
	require.ErrorIs(t, s.Extend(ctx, wf, old, now.Add(time.Hour)), core.ErrLeaseLost)
	require.ErrorIs(t, s.Fail(ctx, wf, old, queue.Failure{Public: "late"}, now), core.ErrLeaseLost)
	require.ErrorIs(t, s.Retry(ctx, wf, old, now, queue.Failure{Public: "late"}, now), core.ErrLeaseLost)
	require.ErrorIs(t, s.Release(ctx, wf, old, now), core.ErrLeaseLost)
	st, _ := SecondaryOf(t, s, wf, old.DomainID)
	require.Equal(t, wf.Running, st, "the newer claim is untouched")

	// A finished job is fenced too.
	require.NoError(t, s.Fail(ctx, wf, again[0], queue.Failure{Public: "done"}, now))
	require.ErrorIs(t, s.Extend(ctx, wf, again[0], now.Add(time.Hour)), core.ErrLeaseLost)
}

func testRetry(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	QueueDomains(t, s, wf, "re", 1)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.Retry(ctx, wf, jobs[0], now.Add(time.Minute), queue.Failure{Public: "HTTP 503"}, now))
	st, msg := SecondaryOf(t, s, wf, jobs[0].DomainID)
	require.Equal(t, wf.Queued, st)
	require.Equal(t, "HTTP 503", msg)

	early, err := s.Claim(ctx, wf, 1, time.Minute, now.Add(30*time.Second))
	require.NoError(t, err)
	require.Empty(t, early, "not due before next_attempt_at")
	due, err := s.Claim(ctx, wf, 1, time.Minute, now.Add(61*time.Second))
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.Equal(t, 2, due[0].Attempt, "a retry counts as an attempt")
	st, msg = SecondaryOf(t, s, wf, due[0].DomainID)
	require.Equal(t, wf.Running, st)
	require.Equal(t, "HTTP 503", msg, "the last error stays visible while the retry runs")
	require.NoError(t, s.Release(ctx, wf, due[0], now))
	_, msg = SecondaryOf(t, s, wf, due[0].DomainID)
	require.Equal(t, "HTTP 503", msg, "a release keeps the last error")
}

func testRelease(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	QueueDomains(t, s, wf, "rl", 1)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, s.Release(ctx, wf, jobs[0], now))
	st, _ := SecondaryOf(t, s, wf, jobs[0].DomainID)
	require.Equal(t, wf.Queued, st)
	again, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, again, 1, "released work is due at once")
	require.Equal(t, 1, again[0].Attempt, "the attempt was given back")
}

func testRescue(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	QueueDomains(t, s, wf, "rs", 2)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 2, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	require.NoError(t, s.Extend(ctx, wf, jobs[1], now.Add(time.Hour)))

	n, err := s.Rescue(ctx, wf, 3, now.Add(30*time.Second))
	require.NoError(t, err)
	require.Equal(t, 0, n, "no lease has expired yet")
	n, err = s.Rescue(ctx, wf, 3, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the expired lease is rescued")
	st, _ := SecondaryOf(t, s, wf, jobs[0].DomainID)
	require.Equal(t, wf.Queued, st)
	st, _ = SecondaryOf(t, s, wf, jobs[1].DomainID)
	require.Equal(t, wf.Running, st)

	// With no attempts left the rescuer fails the domain instead.
	again, err := s.Claim(ctx, wf, 1, time.Minute, now.Add(3*time.Minute))
	require.NoError(t, err)
	require.Len(t, again, 1)
	n, err = s.Rescue(ctx, wf, 2, now.Add(10*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n, "the extended lease still holds")
	st, msg := SecondaryOf(t, s, wf, again[0].DomainID)
	require.Equal(t, wf.Failed, st)
	require.Contains(t, msg, "lease expired")
}

func testConcurrentClaim(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	const n, claimers = 60, 6
	ids := QueueDomains(t, s, wf, "cc", n)
	var mu sync.Mutex
	got := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	for range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := s.Claim(ctx, wf, 3, time.Minute, time.Now().UTC())
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					got[j.DomainID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, got, len(ids))
	for id, c := range got {
		require.Equal(t, 1, c, "domain %s claimed %d times", id, c)
	}
}

// QueueAgain selects a finished domain for the email scan again.
func QueueAgain(t *testing.T, s Store, id uuid.UUID) {
	t.Helper()
	res, err := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil).
		Update(context.Background(), curation.UpdateInput{IDs: []uuid.UUID{id}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Queued)
}

func testRequeue(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	ids := QueueDomains(t, s, wf, "rq", 1)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, s.Retry(ctx, wf, jobs[0], now, queue.Failure{Public: "HTTP 503"}, now))
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, now.Add(time.Second))
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 2, jobs[0].Attempt)
	require.NoError(t, s.Fail(ctx, wf, jobs[0], queue.Failure{Public: "HTTP 503 after 2 attempts"}, now))

	// The user selects the failed domain again: a fresh job with every
	// attempt available.
	res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Queued)
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, now.Add(2*time.Second))
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 1, jobs[0].Attempt, "queueing again resets the attempts")
}

// testProgressColumns follows one email scan domain through claim,
// retry, claim, fail and a rescue, checking the columns core.Domain shows.
func testProgressColumns(t *testing.T, s QueueStore) {
	ctx := context.Background()
	wf := core.EmailScan
	id := QueueDomains(t, s, wf, "progress", 1)[0]
	t1 := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

	jobs, err := s.Claim(ctx, wf, 1, time.Minute, t1)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NotEqual(t, uuid.Nil, jobs[0].RunID)
	require.Equal(t, queue.Job{DomainID: id, Domain: "progress0.example.org", RunID: jobs[0].RunID, Attempt: 1, Token: jobs[0].Token,
		LeaseExpiresAt: t1.Add(time.Minute)}, jobs[0])
	d, err := s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, d.PageScrapeAttempts)
	require.Equal(t, &t1, d.PageScrapeStartedAt)
	require.Nil(t, d.PageScrapeFinishedAt)
	require.True(t, d.UpdatedAt.Equal(t1))

	require.NoError(t, s.Retry(ctx, wf, jobs[0], t1.Add(time.Hour), queue.Failure{Public: "HTTP 503"}, t1.Add(time.Second)))
	t2 := t1.Add(2 * time.Hour)
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, t2)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 2, jobs[0].Attempt)
	require.NoError(t, s.Fail(ctx, wf, jobs[0], queue.Failure{Public: "robots.txt disallows /"}, t2.Add(time.Second)))
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, core.TaskError, *d.PageScrapeStatus)
	require.Equal(t, "robots.txt disallows /", *d.PageScrapeError)
	require.Equal(t, &t2, d.PageScrapeStartedAt)
	require.Equal(t, ptr(t2.Add(time.Second)), d.PageScrapeFinishedAt)

	// Queued again by a user, the domain starts a fresh job: attempts from
	// one; a claim clears the finish time, and the rescuer fails the domain
	// when they run out, saying how many there were.
	QueueAgain(t, s, id)
	t3 := t2.Add(time.Hour)
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, t3)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 1, jobs[0].Attempt)
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Nil(t, d.PageScrapeFinishedAt)
	n, err := s.Rescue(ctx, wf, 1, t3.Add(2*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, core.TaskError, *d.PageScrapeStatus)
	require.Equal(t, "lease expired after 1 attempts", *d.PageScrapeError)
	require.Equal(t, ptr(t3.Add(2*time.Minute)), d.PageScrapeFinishedAt)
	require.ErrorIs(t, s.Extend(ctx, wf, jobs[0], t3.Add(time.Hour)), core.ErrLeaseLost, "the rescued job is fenced out")
}
