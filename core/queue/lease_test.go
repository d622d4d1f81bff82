package queue_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// settableClock is a Clock the test moves by hand; the worker reads it from
// its own goroutines.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *settableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// extendSpy passes every call to the store and reports each lease
// extension that succeeded.
type extendSpy struct {
	queue.Queue
	extended chan time.Time
}

func (s extendSpy) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	err := s.Queue.Extend(ctx, wf, job, until)
	if err == nil {
		select {
		case s.extended <- until:
		default:
		}
	}
	return err
}

// TestRunningJobKeepsItsLease guards the worker's lease extension: while a
// job runs past its first lease, the worker moves the lease to the clock's
// now plus a lease, so a rescuer running after the first lease expired
// (another process, or a scan just longer than its timeout) leaves the job
// alone. Re-sending the claim's own expiry would let that rescuer take it.
func TestRunningJobKeepsItsLease(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	wf := core.EmailScan
	ids := storetest.QueueDomains(t, s, wf, "keep", 1)
	t0 := time.Now().UTC()
	clock := &settableClock{t: t0}
	later := t0.Add(time.Hour) // long past the claim's lease

	spy := extendSpy{Queue: s, extended: make(chan time.Time, 1)}
	c := fastConfig()
	// Extended every 500 ms; the job may wait up to 1.4 s for the first one.
	c.Lease, c.JobTimeout = 1500*time.Millisecond, 1400*time.Millisecond
	claimedLease := make(chan time.Time, 1)
	extendedTo := make(chan time.Time, 1)
	rescued := make(chan int, 1)
	outcome := make(chan string, 1)
	var runs atomic.Int32
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		if runs.Add(1) > 1 {
			// Only a rescue puts the domain back: finish the second run at once.
			return s.Fail(ctx, wf, j, queue.Failure{Public: "run again after a rescue"}, clock.Now())
		}
		claimedLease <- j.LeaseExpiresAt
		// The job runs long: by the next extension the clock reads an hour later.
		clock.Set(later)
		select {
		case until := <-spy.extended:
			extendedTo <- until
		case <-ctx.Done():
			return ctx.Err()
		}
		n, err := s.Rescue(ctx, wf, 5, later)
		if err != nil {
			return err
		}
		rescued <- n
		return s.Fail(ctx, wf, j, queue.Failure{Public: "finished"}, later)
	})
	hooks := queue.Hooks{Finished: func(_ core.Workflow, o string) {
		select {
		case outcome <- o: // the first run's
		default:
		}
	}}
	w, err := queue.NewWorker(spy, wf, h, c, clock, nil, hooks)
	require.NoError(t, err)
	stop := start(t, w)
	var o string
	select {
	case o = <-outcome:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not finish")
	}
	stop()
	require.Equal(t, t0.Add(c.Lease), <-claimedLease, "claimed at t0")
	require.Len(t, rescued, 1, "the job never saw its lease extended (outcome %s)", o)
	require.Zero(t, <-rescued, "a rescue an hour after the claim took a job whose lease the worker extended")
	require.Equal(t, later.Add(c.Lease), <-extendedTo, "the lease runs from the clock's now")
	require.Equal(t, queue.OutcomeDone, o)
	st, msg := storetest.SecondaryOf(t, s, wf, ids[0])
	require.Equal(t, wf.Failed, st)
	require.Equal(t, "finished", msg)
}
