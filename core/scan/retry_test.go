package scan_test

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
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// blinking fails its first n writes as a restarting database would, then
// stores through next.
type blinking struct {
	next  scan.Results
	n     int32
	calls atomic.Int32
}

func (b *blinking) Progress(ctx context.Context, job queue.Job, pages, contacts int) error {
	return b.next.Progress(ctx, job, pages, contacts)
}

func (b *blinking) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	if b.calls.Add(1) <= b.n {
		return fmt.Errorf("%w: FATAL: terminating connection due to administrator command (SQLSTATE=57P01)", core.ErrUnavailable)
	}
	return b.next.FinishScan(ctx, job, out)
}

func TestHandlerRetriesStoringInPlace(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "blip", 1)
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, time.Now())
	require.NoError(t, err)
	sc := &fakeScanner{rep: scan.Report{Pages: []scan.PageResult{{URL: "https://blip0.example.org/", Status: 200}}}}
	r := &blinking{next: s, n: 2}
	h := scan.NewHandler(sc, r, core.SystemClock{}).WithStoreRetry(queue.StoreRetry{Attempts: 5, Base: time.Millisecond, Max: time.Millisecond})
	require.NoError(t, h.Handle(context.Background(), jobs[0]))
	require.Equal(t, int32(3), r.calls.Load())
	st, _ := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, core.EmailScan.Done, st)
}
