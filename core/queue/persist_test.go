package queue_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// driverText stands for what a database driver says when the server goes
// away; users must never read it.
const driverText = "FATAL: terminating connection due to administrator command (SQLSTATE=57P01)"

func unavailable() error { return fmt.Errorf("%w: %s", core.ErrUnavailable, driverText) }

func fastRetry(n int) queue.StoreRetry {
	return queue.StoreRetry{Attempts: n, Base: time.Millisecond, Max: 4 * time.Millisecond}
}

func TestStoreRetryRidesOutABlip(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	err := fastRetry(5).Do(context.Background(), func(context.Context) error {
		if calls.Add(1) < 3 {
			return unavailable()
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, int32(3), calls.Load())
}

func TestStoreRetryStops(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		err       error
		attempts  int
		wantCalls int32
		wantStore bool
	}{
		{"lease lost at once", fmt.Errorf("fenced: %w", core.ErrLeaseLost), 5, 1, false},
		{"permanent at once", errors.New("check constraint violated"), 5, 1, true},
		{"bounded", unavailable(), 4, 4, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			err := fastRetry(c.attempts).Do(context.Background(), func(context.Context) error {
				calls.Add(1)
				return c.err
			})
			require.ErrorIs(t, err, c.err)
			require.Equal(t, c.wantCalls, calls.Load())
			var se *queue.StoreError
			require.Equal(t, c.wantStore, errors.As(err, &se))
		})
	}
}

func TestStoreRetryStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	p := queue.StoreRetry{Attempts: 100, Base: 20 * time.Millisecond, Max: 20 * time.Millisecond}
	err := p.Do(ctx, func(context.Context) error {
		if calls.Add(1) == 2 {
			cancel()
		}
		return unavailable()
	})
	require.ErrorIs(t, err, core.ErrUnavailable)
	require.Equal(t, int32(2), calls.Load())
}

// A store failure while results are written is retried by the queue with a
// short message; the driver's text goes only to the log.
func TestStoreFailureShowsAShortMessage(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "blip", 1)
	var calls atomic.Int32
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		calls.Add(1)
		return fmt.Errorf("finish scan: %w", fastRetry(2).Do(ctx, func(context.Context) error { return unavailable() }))
	})
	cfg := fastConfig()
	cfg.BackoffBase, cfg.BackoffMax = time.Hour, time.Hour // stay queued after the first retry
	w, err := queue.NewWorker(s, core.EmailScan, h, cfg, core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	require.Eventually(t, func() bool {
		st, _ := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
		return st == core.EmailScan.Queued && calls.Load() == 1
	}, 5*time.Second, 5*time.Millisecond)
	stop()
	_, msg := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, "could not store results; will retry", msg)
	require.False(t, strings.Contains(msg, "SQLSTATE"))
}

// When the attempts run out the job fails, still without the driver's text.
func TestStoreFailureGivesUpWithAShortMessage(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.SitemapCuration, "down", 1)
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		return fmt.Errorf("finish analysis: %w", fastRetry(1).Do(ctx, func(context.Context) error { return unavailable() }))
	})
	w, err := queue.NewWorker(s, core.SitemapCuration, h, fastConfig(), core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	require.Eventually(t, func() bool {
		st, _ := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
		return st == core.SitemapCuration.Failed
	}, 5*time.Second, 5*time.Millisecond)
	stop()
	_, msg := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
	require.Equal(t, "could not store results; gave up after 3 runs", msg)
}
