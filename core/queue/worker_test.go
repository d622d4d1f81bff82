package queue_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

type transientErr struct{ msg string }

func (e transientErr) Error() string   { return e.msg }
func (e transientErr) Transient() bool { return true }

func fastConfig() queue.Config {
	return queue.Config{
		Concurrency:     3,
		PollInterval:    5 * time.Millisecond,
		Lease:           2 * time.Second,
		JobTimeout:      time.Second,
		MaxAttempts:     3,
		BackoffBase:     time.Millisecond,
		BackoffMax:      4 * time.Millisecond,
		RescueInterval:  0,
		ShutdownTimeout: 50 * time.Millisecond,
	}
}

func start(t *testing.T, w *queue.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("worker did not stop")
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	c := fastConfig()
	c.Lease = c.JobTimeout
	_, err := queue.NewWorker(memory.NewStore(), core.EmailScan, queue.HandlerFunc(nil), c, core.SystemClock{}, nil, queue.Hooks{})
	require.ErrorIs(t, err, queue.ErrInvalidConfig)
	require.Contains(t, err.Error(), "lease")
	require.NoError(t, queue.DefaultConfig().Validate())
}

func TestEveryDomainHandledOnceAcrossWorkers(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "once", 40)
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		mu.Lock()
		seen[j.DomainID]++
		mu.Unlock()
		// Finish the job so it leaves the queue.
		return s.Fail(ctx, core.EmailScan, j, queue.Failure{Public: "handled"}, time.Now())
	})
	var stops []func()
	for range 4 {
		w, err := queue.NewWorker(s, core.EmailScan, h, fastConfig(), core.SystemClock{}, nil, queue.Hooks{})
		require.NoError(t, err)
		stops = append(stops, start(t, w))
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == len(ids)
	}, 5*time.Second, 5*time.Millisecond)
	for _, stop := range stops {
		stop()
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "domain %s handled %d times", id, n)
		st, msg := storetest.SecondaryOf(t, s, core.EmailScan, id)
		require.Equal(t, core.TaskError, st)
		require.Equal(t, "handled", msg)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "perm", 1)
	var calls atomic.Int32
	h := queue.HandlerFunc(func(context.Context, queue.Job) error {
		calls.Add(1)
		return errors.New("robots.txt disallows /")
	})
	w, err := queue.NewWorker(s, core.EmailScan, h, fastConfig(), core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	require.Eventually(t, func() bool {
		st, _ := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
		return st == core.TaskError
	}, 5*time.Second, 5*time.Millisecond)
	stop()
	_, msg := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, "robots.txt disallows /", msg)
	require.Equal(t, int32(1), calls.Load())
}

func TestTransientErrorRetriesThenFails(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.SitemapCuration, "tr", 1)
	var calls atomic.Int32
	var outcomes sync.Map
	h := queue.HandlerFunc(func(_ context.Context, j queue.Job) error {
		require.Equal(t, int(calls.Add(1)), j.Attempt)
		return transientErr{"HTTP 503"}
	})
	hooks := queue.Hooks{Finished: func(_ core.Workflow, o string) {
		v, _ := outcomes.LoadOrStore(o, new(atomic.Int32))
		v.(*atomic.Int32).Add(1)
	}}
	w, err := queue.NewWorker(s, core.SitemapCuration, h, fastConfig(), core.SystemClock{}, nil, hooks)
	require.NoError(t, err)
	stop := start(t, w)
	require.Eventually(t, func() bool {
		st, _ := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
		return st == core.AnalysisError
	}, 5*time.Second, 5*time.Millisecond)
	stop()
	_, msg := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
	require.Equal(t, "HTTP 503; gave up after 3 runs", msg)
	require.Equal(t, int32(3), calls.Load())
	retries, _ := outcomes.Load(queue.OutcomeRetry)
	require.Equal(t, int32(2), retries.(*atomic.Int32).Load())
}

func TestShutdownReleasesRunningJobs(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "sd", 2)
	started := make(chan struct{}, 2)
	h := queue.HandlerFunc(func(ctx context.Context, _ queue.Job) error {
		started <- struct{}{}
		<-ctx.Done() // a crawl that outlasts the grace period
		return ctx.Err()
	})
	w, err := queue.NewWorker(s, core.EmailScan, h, fastConfig(), core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	<-started
	<-started
	stop()
	for _, id := range ids {
		st, _ := storetest.SecondaryOf(t, s, core.EmailScan, id)
		require.Equal(t, core.TaskQueued, st)
		d, err := s.GetDomain(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, 0, d.PageScrapeAttempts, "the attempt is given back")
	}
}

func TestShutdownLetsShortJobsFinish(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "fin", 1)
	started := make(chan struct{})
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		close(started)
		time.Sleep(20 * time.Millisecond) // shorter than the grace period
		return s.Fail(ctx, core.EmailScan, j, queue.Failure{Public: "finished during shutdown"}, time.Now())
	})
	c := fastConfig()
	c.ShutdownTimeout = 2 * time.Second
	w, err := queue.NewWorker(s, core.EmailScan, h, c, core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	<-started
	stop()
	_, msg := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, "finished during shutdown", msg)
}

func TestLostLeaseCancelsTheJob(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "lost", 1)
	started := make(chan struct{})
	cancelled := make(chan struct{})
	h := queue.HandlerFunc(func(ctx context.Context, _ queue.Job) error {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	})
	c := fastConfig()
	c.Lease, c.JobTimeout = 600*time.Millisecond, 590*time.Millisecond
	outcome := make(chan string, 1)
	hooks := queue.Hooks{Finished: func(_ core.Workflow, o string) { outcome <- o }}
	w, err := queue.NewWorker(s, core.EmailScan, h, c, core.SystemClock{}, nil, hooks)
	require.NoError(t, err)
	stop := start(t, w)
	<-started
	// Another process rescues and re-claims the domain behind the worker's back.
	ctx := context.Background()
	n, err := s.Rescue(ctx, core.EmailScan, 5, time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	thief, err := s.Claim(ctx, core.EmailScan, 1, time.Hour, time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, thief, 1)
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the job was not cancelled after losing its lease")
	}
	require.Equal(t, queue.OutcomeLost, <-outcome, "cancelled by the lost lease, not by the job timeout")
	stop()
	st, _ := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, core.TaskInProgress, st, "the new owner's claim is untouched")
	require.NoError(t, s.Extend(ctx, core.EmailScan, thief[0], time.Now().Add(time.Hour)))
}
