package metrics_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/metrics"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
)

// countingCounter counts the readings of the store it wraps.
type countingCounter struct {
	next  metrics.StatusCounter
	calls atomic.Int32
}

func (c *countingCounter) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	c.calls.Add(1)
	time.Sleep(20 * time.Millisecond) // a slow aggregate, so that scrapes overlap
	return c.next.CountStatuses(ctx)
}

func TestDomainCountsAreSharedByScrapes(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	storetest.QueueDomains(t, store, core.EmailScan, "c", 2)
	counter := &countingCounter{next: store}
	m := metrics.New(counter, nil, metrics.WithCountInterval(time.Hour))

	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.Contains(t, scrape(t, m), `scrapersky_domains{column="page_scrape_status",status="Queued"} 2`)
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), counter.calls.Load(), "16 concurrent scrapes, one count")

}

func TestDomainCountsAreReadAgainAfterTheInterval(t *testing.T) {
	t.Parallel()
	counter := &countingCounter{next: memory.NewStore()}
	m := metrics.New(counter, nil, metrics.WithCountInterval(time.Millisecond))
	scrape(t, m)
	time.Sleep(5 * time.Millisecond)
	scrape(t, m)
	require.Equal(t, int32(2), counter.calls.Load(), "a scrape after the interval counts again")
}

// flakyCounter fails while down is set.
type flakyCounter struct {
	next metrics.StatusCounter
	down atomic.Bool
}

func (f *flakyCounter) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	if f.down.Load() {
		return nil, context.DeadlineExceeded
	}
	return f.next.CountStatuses(ctx)
}

// A failed refresh serves the last good counts instead of failing every
// scrape of the interval.
func TestFailedRefreshServesTheLastCounts(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	storetest.QueueDomains(t, store, core.EmailScan, "f", 2)
	counter := &flakyCounter{next: store}
	m := metrics.New(counter, nil, metrics.WithCountInterval(time.Millisecond))
	const want = `scrapersky_domains{column="page_scrape_status",status="Queued"} 2`
	require.Contains(t, scrape(t, m), want)
	counter.down.Store(true)
	time.Sleep(5 * time.Millisecond)
	require.Contains(t, scrape(t, m), want)
}
