package scan_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// steppingClock moves by step at every reading.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// progressResults records the progress writes and the outcome; fail
// decides the error of the nth progress write (from 1).
type progressResults struct {
	mu       sync.Mutex
	writes   [][2]int
	out      *scan.Outcome
	fail     func(n int) error
	finished int
}

func (r *progressResults) Progress(_ context.Context, _ queue.Job, pages, contacts int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, [2]int{pages, contacts})
	if r.fail != nil {
		return r.fail(len(r.writes))
	}
	return nil
}

func (r *progressResults) FinishScan(_ context.Context, _ queue.Job, out scan.Outcome) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished++
	r.out = &out
	return nil
}

// countingScanner reports its pages one by one and counts how many it
// reported before it stopped.
type countingScanner struct {
	rep      scan.Report
	reported int
	calls    int
}

func (s *countingScanner) Scan(ctx context.Context, _ string, onPage scan.OnPage) (scan.Report, error) {
	s.calls++
	for _, p := range s.rep.Pages {
		if err := onPage(ctx, p); err != nil {
			return scan.Report{}, fmt.Errorf("visit %s: %w", p.URL, err)
		}
		s.reported++
	}
	return s.rep, nil
}

// site12 is twelve pages: page i has the address a<i%4>@acme.io, so four
// distinct addresses, the last new one on page 3; page 5 repeats page 4's
// URL. Every page also lists blocked@acme.io.
func site12() scan.Report {
	var rep scan.Report
	for i := range 12 {
		url := fmt.Sprintf("https://acme.io/p%d", i)
		if i == 5 {
			url = "https://acme.io/p4"
		}
		rep.Pages = append(rep.Pages, scan.PageResult{URL: url, Status: 200, Emails: []scan.Found{
			{Email: fmt.Sprintf("a%d@acme.io", i%4)}, {Email: "blocked@acme.io"}}})
	}
	rep.PageCapReached = true
	return rep
}

func progressJob() queue.Job {
	return queue.Job{DomainID: uuid.New(), Domain: "acme.io", RunID: uuid.New(), Token: uuid.New(), Attempt: 1}
}

func TestProgressEveryFivePages(t *testing.T) {
	t.Parallel()
	res := &progressResults{}
	list := &listFake{on: map[string]bool{"blocked@acme.io": true}}
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} // time stands still
	h := scan.NewHandler(&countingScanner{rep: site12()}, res, clock).WithSuppressions(list)
	require.NoError(t, h.Handle(context.Background(), progressJob()))

	// Zero at the start, then every fifth distinct page (the repeated URL
	// does not count), with the distinct addresses that would be stored.
	require.Equal(t, [][2]int{{0, 0}, {5, 4}, {10, 4}}, res.writes)
	require.Equal(t, 1, res.finished)
	require.Len(t, res.out.Pages, 11, "the final counts come with the result")
	require.Len(t, res.out.Contacts, 4, "the suppressed address is neither counted nor stored")
	require.True(t, res.out.PageCapReached, "the scanner's page cap reaches the outcome")
}

func TestProgressAfterTwoSeconds(t *testing.T) {
	t.Parallel()
	res := &progressResults{}
	// Three seconds pass between two readings: a slow site's every page is
	// written (the first reading is the start).
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), step: 3 * time.Second}
	rep := site12()
	rep.Pages = rep.Pages[:3]
	h := scan.NewHandler(&countingScanner{rep: rep}, res, clock)
	require.NoError(t, h.Handle(context.Background(), progressJob()))
	require.Equal(t, [][2]int{{0, 0}, {1, 2}, {2, 3}, {3, 4}}, res.writes, "without a list every address counts")
}

func TestProgressFailureDoesNotFailTheScan(t *testing.T) {
	t.Parallel()
	res := &progressResults{fail: func(int) error {
		return fmt.Errorf("%w: connection refused", core.ErrUnavailable)
	}}
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sc := &countingScanner{rep: site12()}
	h := scan.NewHandler(sc, res, clock)
	require.NoError(t, h.Handle(context.Background(), progressJob()))
	require.Equal(t, 12, sc.reported, "the crawl went on")
	require.Len(t, res.writes, 3, "each write was tried at its time, none more")
	require.Equal(t, 1, res.finished, "the result is stored")
}

func TestProgressLeaseLostStopsTheScan(t *testing.T) {
	t.Parallel()
	res := &progressResults{fail: func(n int) error {
		if n >= 2 {
			return fmt.Errorf("scan progress x: %w", core.ErrLeaseLost)
		}
		return nil
	}}
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sc := &countingScanner{rep: site12()}
	h := scan.NewHandler(sc, res, clock)
	err := h.Handle(context.Background(), progressJob())
	require.ErrorIs(t, err, core.ErrLeaseLost)
	require.Equal(t, 4, sc.reported, "the crawl stops at the refused write (the fifth page)")
	require.Zero(t, res.finished, "nothing is stored")
}

func TestProgressLeaseLostBeforeTheCrawl(t *testing.T) {
	t.Parallel()
	res := &progressResults{fail: func(int) error { return core.ErrLeaseLost }}
	sc := &countingScanner{rep: site12()}
	h := scan.NewHandler(sc, res, core.SystemClock{})
	err := h.Handle(context.Background(), progressJob())
	require.True(t, errors.Is(err, core.ErrLeaseLost), "got %v", err)
	require.Zero(t, sc.calls, "a claim already gone crawls nothing")
	require.Zero(t, res.finished)
}
