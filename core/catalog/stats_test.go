package catalog_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// countingCounter answers n, the number of its readings, as the count of
// New; block, when set, holds each reading until it is closed.
type countingCounter struct {
	n     atomic.Int32
	block chan struct{}
	err   error
}

func (c *countingCounter) CountStatuses(context.Context) ([]core.StatusCount, error) {
	n := c.n.Add(1)
	if c.block != nil {
		<-c.block
	}
	if c.err != nil {
		return nil, c.err
	}
	return []core.StatusCount{{Field: core.FieldEmailScanStatus, Status: "New", Count: int(n)}}, nil
}

type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func readCount(t *testing.T, c *catalog.StatsCache) int {
	t.Helper()
	counts, err := c.CountStatuses(context.Background())
	require.NoError(t, err)
	return counts[0].Count
}

func TestStatsCacheTTLAndInvalidate(t *testing.T) {
	t.Parallel()
	next := &countingCounter{}
	clock := &manualClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := catalog.NewStatsCache(next, 5*time.Second, clock)
	require.Equal(t, 1, readCount(t, c))
	require.Equal(t, 1, readCount(t, c), "served from the reading")
	clock.add(4 * time.Second)
	require.Equal(t, 1, readCount(t, c))
	clock.add(time.Second)
	require.Equal(t, 2, readCount(t, c), "older than the TTL: counted again")
	c.Invalidate()
	require.Equal(t, 3, readCount(t, c), "a write through this process is seen at once")
	require.Equal(t, 3, readCount(t, c))

	next.err = errors.New("down")
	clock.add(time.Minute)
	_, err := c.CountStatuses(context.Background())
	require.Error(t, err, "a failed count is returned")
	next.err = nil
	require.Equal(t, 5, readCount(t, c), "and not cached")
}

func TestStatsCacheSharesOneReading(t *testing.T) {
	t.Parallel()
	next := &countingCounter{block: make(chan struct{})}
	c := catalog.NewStatsCache(next, time.Hour, core.SystemClock{})
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Go(func() { results[i] = readCount(t, c) })
	}
	close(next.block)
	wg.Wait()
	require.Equal(t, int32(1), next.n.Load(), "eight callers, one count")
	for _, r := range results {
		require.Equal(t, 1, r)
	}
}

func TestStatsCacheInvalidateDuringReading(t *testing.T) {
	t.Parallel()
	next := &countingCounter{block: make(chan struct{})}
	c := catalog.NewStatsCache(next, time.Hour, core.SystemClock{})
	done := make(chan int)
	go func() {
		counts, _ := c.CountStatuses(context.Background())
		done <- counts[0].Count
	}()
	for next.n.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the reading to start
	}
	c.Invalidate() // a write commits while the count runs
	close(next.block)
	require.Equal(t, 1, <-done)
	require.Equal(t, 2, readCount(t, c), "the reading that may have missed the write serves nobody after it")
}

// Touch (the workers' claims and finished jobs) makes the counts read
// again once they are DefaultStatsMinAge old, not before: a burst of
// touches costs one count per MinAge, not one per touch.
func TestStatsCacheTouch(t *testing.T) {
	t.Parallel()
	next := &countingCounter{}
	clock := &manualClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := catalog.NewStatsCache(next, 5*time.Second, clock)
	require.Equal(t, 1, readCount(t, c))

	for range 100 {
		c.Touch()
	}
	require.Equal(t, 1, readCount(t, c), "younger than the minimum age: served")
	clock.add(catalog.DefaultStatsMinAge)
	require.Equal(t, 2, readCount(t, c), "touched and old enough: counted again")
	require.Equal(t, 2, readCount(t, c), "no touch since: served")
	clock.add(2 * catalog.DefaultStatsMinAge)
	require.Equal(t, 2, readCount(t, c), "untouched counts live for the TTL")
	c.Touch()
	require.Equal(t, 3, readCount(t, c))
}
