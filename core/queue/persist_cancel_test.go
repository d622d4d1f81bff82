package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestStoreRetryWakesWhenTheContextEnds: a context that ends while the
// retry sleeps ends the sleep; the handler does not wait out an hour's
// delay to learn that its job was cancelled.
func TestStoreRetryWakesWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	called := make(chan struct{})
	done := make(chan error, 1)
	p := queue.StoreRetry{Attempts: 3, Base: time.Hour, Max: time.Hour}
	go func() {
		done <- p.Do(ctx, func(context.Context) error {
			close(called) // only one call: the next is an hour away
			return unavailable()
		})
	}()
	<-called
	// Let Do reach its sleep: cancelling before its own ctx.Err check
	// would pass even a sleep that ignores the context.
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, core.ErrUnavailable)
	case <-time.After(time.Minute): // liveness bound, not a speed measure
		t.Fatal("Do slept through the end of its context")
	}
}
