package queue_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// heldSpy passes every call to the store, records the size of each Held
// batch, and, once drop is set, answers that it holds none of the jobs
// and cancelled none: a claim that disappeared behind the worker's back.
type heldSpy struct {
	queue.Queue
	mu      sync.Mutex
	batches []int
	drop    atomic.Bool
}

func (s *heldSpy) Held(ctx context.Context, wf core.Workflow, jobs []queue.Job) ([]uuid.UUID, []uuid.UUID, error) {
	s.mu.Lock()
	s.batches = append(s.batches, len(jobs))
	s.mu.Unlock()
	if s.drop.Load() {
		return nil, nil, nil
	}
	return s.Queue.Held(ctx, wf, jobs)
}

func (s *heldSpy) calls() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...)
}

func checkConfig() queue.Config {
	c := fastConfig()
	c.CheckInterval = 20 * time.Millisecond
	return c
}

// blockingHandler starts jobs that run until their context ends and
// reports each start and the context's cause.
func blockingHandler(started chan<- queue.Job, causes chan<- error) queue.Handler {
	return queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		started <- j
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
}

func outcomeHook(ch chan<- string) queue.Hooks {
	return queue.Hooks{Finished: func(_ core.Workflow, o string) { ch <- o }}
}

// TestCancelStopsRunningJob: setting a running domain's primary status
// away from the trigger cancels it in the store, and the worker's check
// notices within a few CheckIntervals: the job's context ends, the outcome
// is cancelled, and the worker writes nothing (the domain stays Cancelled,
// the run cancelled).
func TestCancelStopsRunningJob(t *testing.T) {
	t.Parallel()
	for _, wf := range core.Workflows {
		t.Run(wf.Name, func(t *testing.T) {
			t.Parallel()
			s := memory.NewStore()
			ids := storetest.QueueDomains(t, s, wf, "cancel", 1)
			started, causes, outcomes := make(chan queue.Job, 1), make(chan error, 1), make(chan string, 1)
			w, err := queue.NewWorker(s, wf, blockingHandler(started, causes), checkConfig(), core.SystemClock{}, nil, outcomeHook(outcomes))
			require.NoError(t, err)
			stop := start(t, w)
			defer stop()
			job := <-started

			res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
				Update(context.Background(), curation.UpdateInput{IDs: ids, Status: core.CurationNotAFit})
			require.NoError(t, err)
			require.Equal(t, 1, res.Cancelled)

			select {
			case <-causes:
			case <-time.After(5 * time.Second):
				t.Fatal("the cancelled job kept running")
			}
			require.Equal(t, queue.OutcomeCancelled, <-outcomes)
			st, msg := storetest.SecondaryOf(t, s, wf, ids[0])
			require.Equal(t, wf.Cancelled, st, "no release, retry or fail after the cancel")
			require.Empty(t, msg)
			runs, _, err := s.Runs(context.Background(), wf, ids[0], 10, 0)
			require.NoError(t, err)
			require.Len(t, runs, 1)
			require.Equal(t, queue.RunCancelled, runs[0].State)
			require.Equal(t, queue.CancelledMessage, runs[0].Error)
			require.NotNil(t, runs[0].FinishedAt)
			require.ErrorIs(t, s.Extend(context.Background(), wf, job, time.Now().Add(time.Hour)), core.ErrLeaseLost)
		})
	}
}

// TestDeleteStopsRunningJob: a deleted domain's run is gone; the check
// stops its job as cancelled.
func TestDeleteStopsRunningJob(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "del", 1)
	started, causes, outcomes := make(chan queue.Job, 1), make(chan error, 1), make(chan string, 1)
	w, err := queue.NewWorker(s, core.EmailScan, blockingHandler(started, causes), checkConfig(), core.SystemClock{}, nil, outcomeHook(outcomes))
	require.NoError(t, err)
	stop := start(t, w)
	defer stop()
	<-started
	_, err = curation.NewDeleter(s).DeleteDomains(context.Background(), ids)
	require.NoError(t, err)
	select {
	case <-causes:
	case <-time.After(5 * time.Second):
		t.Fatal("the job of a deleted domain kept running")
	}
	require.Equal(t, queue.OutcomeCancelled, <-outcomes)
}

// TestVanishedClaimCancelsJob drives the worker with a fake Held that
// suddenly holds nothing: the jobs' contexts end within a few
// CheckIntervals, as lost leases (nothing says they were cancelled), and
// every check asked about all running jobs at once.
func TestVanishedClaimCancelsJob(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	storetest.QueueDomains(t, s, core.EmailScan, "vanish", 3)
	spy := &heldSpy{Queue: s}
	started, causes, outcomes := make(chan queue.Job, 3), make(chan error, 3), make(chan string, 3)
	w, err := queue.NewWorker(spy, core.EmailScan, blockingHandler(started, causes), checkConfig(), core.SystemClock{}, nil, outcomeHook(outcomes))
	require.NoError(t, err)
	stop := start(t, w)
	defer stop()
	for range 3 {
		<-started
	}
	// Let a few checks pass with all three running: they are held.
	require.Eventually(t, func() bool {
		n := 0
		for _, b := range spy.calls() {
			if b == 3 {
				n++
			}
		}
		return n >= 2
	}, 5*time.Second, 5*time.Millisecond)
	select {
	case <-causes:
		t.Fatal("a held job was stopped")
	default:
	}

	spy.drop.Store(true)
	for range 3 {
		select {
		case cause := <-causes:
			require.ErrorIs(t, cause, core.ErrLeaseLost)
		case <-time.After(5 * time.Second):
			t.Fatal("the job kept running after its claim disappeared")
		}
		require.Equal(t, queue.OutcomeLost, <-outcomes)
	}
	for _, b := range spy.calls() {
		require.Equal(t, 3, b, "one check per interval covers every running job")
	}
}

// TestIdleWorkerDoesNotCheck: with no job running the worker asks the
// store nothing about held jobs.
func TestIdleWorkerDoesNotCheck(t *testing.T) {
	t.Parallel()
	spy := &heldSpy{Queue: memory.NewStore()}
	w, err := queue.NewWorker(spy, core.EmailScan, queue.HandlerFunc(nil), checkConfig(), core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	time.Sleep(10 * checkConfig().CheckInterval)
	stop()
	require.Empty(t, spy.calls())
}

// TestRefusedWriteAfterCancelIsCancelled: a job whose own fenced write is
// refused because the user cancelled it, before the periodic check has
// looked, still ends "cancelled", not "lease lost": the worker asks the
// store once why.
func TestRefusedWriteAfterCancelIsCancelled(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "refused", 1)
	outcomes := make(chan string, 1)
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		_, err := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil).
			Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationNotAFit})
		require.NoError(t, err)
		return s.Extend(ctx, core.EmailScan, j, time.Now().Add(time.Hour)) // refused: ErrLeaseLost
	})
	cfg := fastConfig()
	cfg.CheckInterval = time.Hour // the periodic check never runs
	w, err := queue.NewWorker(s, core.EmailScan, h, cfg, core.SystemClock{}, nil, outcomeHook(outcomes))
	require.NoError(t, err)
	stop := start(t, w)
	defer stop()
	select {
	case o := <-outcomes:
		require.Equal(t, queue.OutcomeCancelled, o)
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not end")
	}
}
