package analysis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

type blinking struct {
	next  analysis.Results
	n     int32
	calls atomic.Int32
}

func (b *blinking) FinishAnalysis(ctx context.Context, job queue.Job, out analysis.Outcome) error {
	if b.calls.Add(1) <= b.n {
		return fmt.Errorf("%w: read tcp: connection reset by peer", core.ErrUnavailable)
	}
	return b.next.FinishAnalysis(ctx, job, out)
}

type noSitemaps struct{}

func (noSitemaps) Analyze(context.Context, string) (analysis.Analysis, error) {
	return analysis.Analysis{}, nil
}

func TestHandlerRetriesStoringInPlace(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.SitemapCuration, "blip", 1)
	jobs, err := s.Claim(context.Background(), core.SitemapCuration, 1, time.Minute, time.Now())
	require.NoError(t, err)
	r := &blinking{next: s, n: 2}
	h := analysis.NewHandler(noSitemaps{}, r, core.SystemClock{}).WithStoreRetry(queue.StoreRetry{Attempts: 5, Base: time.Millisecond, Max: time.Millisecond})
	require.NoError(t, h.Handle(context.Background(), jobs[0]))
	require.Equal(t, int32(3), r.calls.Load())
	st, _ := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
	require.Equal(t, core.SitemapCuration.Done, st)
}
