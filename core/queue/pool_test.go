package queue_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// claimCounter records the limits the worker claims with.
type claimCounter struct {
	queue.Queue
	mu     sync.Mutex
	limits []int
}

func (c *claimCounter) Claim(ctx context.Context, wf core.Workflow, limit int, lease time.Duration, now time.Time) ([]queue.Job, error) {
	c.mu.Lock()
	c.limits = append(c.limits, limit)
	c.mu.Unlock()
	return c.Queue.Claim(ctx, wf, limit, lease, now)
}

// One worker fills all of its slots from one claim: the pool model, one
// poller per workflow, not one poller per slot.
func TestOneClaimFillsEverySlot(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	const slots = 12
	storetest.QueueDomains(t, s, core.EmailScan, "slots", slots)
	q := &claimCounter{Queue: s}

	var mu sync.Mutex
	running, peak := 0, 0
	all := make(chan struct{})
	release := make(chan struct{})
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		mu.Lock()
		running++
		peak = max(peak, running)
		if running == slots {
			close(all)
		}
		mu.Unlock()
		<-release
		return s.Fail(ctx, core.EmailScan, j, queue.Failure{Public: "handled"}, time.Now())
	})
	cfg := fastConfig()
	cfg.Concurrency = slots
	cfg.PollInterval = time.Hour // only the first claim and job ends claim
	w, err := queue.NewWorker(q, core.EmailScan, h, cfg, core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	defer stop()

	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatalf("only %d of %d slots ran at once", peak, slots)
	}
	q.mu.Lock()
	require.Equal(t, slots, q.limits[0], "the first claim asks for every free slot")
	claimsWhileFilling := len(q.limits)
	q.mu.Unlock()
	require.Equal(t, 1, claimsWhileFilling, "one statement filled every slot")
	close(release)
}

// Wake makes an idle worker claim at once, long before its next poll.
func TestWakeClaimsBeforeThePoll(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	handled := make(chan struct{}, 1)
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		handled <- struct{}{}
		return s.Fail(ctx, core.EmailScan, j, queue.Failure{Public: "handled"}, time.Now())
	})
	cfg := fastConfig()
	cfg.PollInterval = time.Hour
	q := &claimCounter{Queue: s}
	w, err := queue.NewWorker(q, core.EmailScan, h, cfg, core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	defer stop()

	// Wait for the first (empty) claim, so the worker is idle until the poll.
	require.Eventually(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.limits) > 0 },
		5*time.Second, time.Millisecond)
	storetest.QueueDomains(t, s, core.EmailScan, "wake", 1)
	select {
	case <-handled:
		t.Fatal("handled without a wake: the test would not show anything")
	case <-time.After(50 * time.Millisecond):
	}
	w.Wake()
	w.Wake() // a second wake while one is pending does not block
	select {
	case <-handled:
	case <-time.After(10 * time.Second):
		t.Fatal("the woken worker did not claim")
	}
}
