package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// syncBuffer is a bytes.Buffer for loggers of several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// errPermanent is the fake handler's failure: not transient, so the worker
// fails the domain through Store.Fail.
var errPermanent = errors.New("robots.txt disallows /")

// TestWorkersAndRequestsShareTheFile is the embedded deployment under load:
// four queue.Workers (two jobs each, rescuers on) drain 100 queued domains
// while eight goroutines send status batches to the same rows, as HTTP
// requests would, and two more submit domains and read. Every domain is
// handled exactly once, finished through FinishScan or Fail; no statement
// fails, "database is locked" included, and no worker logs an error.
func TestWorkersAndRequestsShareTheFile(t *testing.T) {
	t.Parallel()
	const (
		domains  = 100
		workers  = 4
		requests = 8
		batches  = 12
	)
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	wf := core.EmailScan
	ids := storetest.QueueDomains(t, s, wf, "load", domains)
	index := make(map[uuid.UUID]int, domains)
	for i, id := range ids {
		index[id] = i
	}

	// Even domains finish with results, odd ones fail.
	var mu sync.Mutex
	handled := map[uuid.UUID]int{}
	var finished atomic.Int64
	handler := queue.HandlerFunc(func(ctx context.Context, job queue.Job) error {
		mu.Lock()
		handled[job.DomainID]++
		mu.Unlock()
		defer finished.Add(1)
		if index[job.DomainID]%2 == 1 {
			return errPermanent
		}
		now := time.Now().UTC()
		return s.FinishScan(ctx, job, scan.Build(job.DomainID, job.Domain, scan.Report{Pages: []scan.PageResult{
			{URL: "http://" + job.Domain + "/", Status: 200},
			{URL: "http://" + job.Domain + "/contact", Status: 200, Emails: []scan.Found{
				{Email: "info@" + job.Domain, Context: "write to us"},
				{Email: "jane@gmail.com", Context: "Jane"},
			}},
		}}, now))
	})
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := queue.Config{
		Concurrency:     2,
		PollInterval:    10 * time.Millisecond,
		Lease:           time.Minute,
		JobTimeout:      30 * time.Second,
		MaxAttempts:     3,
		BackoffBase:     time.Second,
		BackoffMax:      time.Second,
		RescueInterval:  20 * time.Millisecond,
		ShutdownTimeout: 5 * time.Second,
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var running sync.WaitGroup
	runErrs := make([]error, workers)
	for i := range workers {
		w, err := queue.NewWorker(s, wf, handler, cfg, core.SystemClock{}, log, queue.Hooks{})
		require.NoError(t, err)
		running.Go(func() { runErrs[i] = w.Run(runCtx) })
	}

	// The requests: random overlapping batches in random order, the
	// sitemap workflow's primary and secondary on the same rows (queueing,
	// and cancelling what they queued). The email scan's primary is left
	// alone: any status but Selected would cancel the scans under test.
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	plans := make([][]curation.UpdateInput, requests)
	wfs := make([][]core.Workflow, requests)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	for r := range plans {
		for range batches {
			n := 10 + rng.IntN(60)
			in := curation.UpdateInput{Status: core.CurationSelected}
			for _, i := range rng.Perm(domains)[:n] {
				in.IDs = append(in.IDs, ids[i])
			}
			in.IDs = append(in.IDs, uuid.New()) // a ghost
			b := core.SitemapCuration
			switch rng.IntN(3) {
			case 0:
				in.Status = core.CurationMaybe
			case 1:
				in.Status = core.CurationNotAFit
			}
			plans[r] = append(plans[r], in)
			wfs[r] = append(wfs[r], b)
		}
	}
	start := time.Now()
	var latencies []time.Duration
	var latMu sync.Mutex
	reqErrs := parallelDo(requests+2, func(r int) error {
		switch r {
		case requests:
			// Submissions of new hosts, in between.
			for i := range 10 {
				ds := []core.Domain{core.NewDomain(fmt.Sprintf("new%d.example.org", i), time.Now()), core.NewDomain(fmt.Sprintf("load%d.example.org", i), time.Now())}
				if _, err := s.AddDomains(ctx, ds); err != nil {
					return err
				}
			}
			return nil
		case requests + 1:
			// Reads, which take no writer slot.
			for i := range 50 {
				if _, err := s.GetDomain(ctx, ids[i%domains]); err != nil {
					return err
				}
				if _, err := s.Contacts(ctx, ids[i%domains]); err != nil {
					return err
				}
				if _, err := s.CountStatuses(ctx); err != nil {
					return err
				}
			}
			return nil
		}
		for i, in := range plans[r] {
			began := time.Now()
			res, err := curation.NewSecondaryStateUpdater(s, wfs[r][i], core.SystemClock{}, nil).Update(ctx, in)
			if err != nil {
				return err
			}
			latMu.Lock()
			latencies = append(latencies, time.Since(began))
			latMu.Unlock()
			if res.Updated != len(in.IDs)-1 || len(res.NotFound) != 1 {
				return fmt.Errorf("batch %d/%d: %+v", r, i, res)
			}
		}
		return nil
	})
	requestsTook := time.Since(start)
	for r, err := range reqErrs {
		require.NoError(t, err, "request goroutine %d", r)
	}

	require.Eventually(t, func() bool { return finished.Load() >= domains }, 30*time.Second, 10*time.Millisecond,
		"the workers finish every domain")
	drained := time.Since(start)
	stop()
	running.Wait()
	for i, err := range runErrs {
		require.NoError(t, err, "worker %d", i)
	}

	slices.Sort(latencies)
	t.Logf("%d status batches in %s while the workers ran: p50 %s, p99 %s, max %s; 100 domains drained in %s",
		len(latencies), requestsTook, latencies[len(latencies)/2], latencies[len(latencies)*99/100], latencies[len(latencies)-1], drained)

	require.Len(t, handled, domains)
	for id, n := range handled {
		require.Equal(t, 1, n, "domain %s handled %d times", id, n)
	}
	for i, id := range ids {
		d, err := s.GetDomain(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 1, d.PageScrapeAttempts, "domain %d", i)
		if i%2 == 0 {
			require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus, "domain %d", i)
			require.Equal(t, 2, d.ContactsFound)
			cs, err := s.Contacts(ctx, id)
			require.NoError(t, err)
			require.Len(t, cs, 2)
		} else {
			require.Equal(t, core.TaskError, *d.PageScrapeStatus, "domain %d", i)
			require.Equal(t, errPermanent.Error(), *d.PageScrapeError)
		}
	}
	out := logs.String()
	require.NotContains(t, out, "level=ERROR", "no worker statement failed")
	require.NotContains(t, out, "locked")
}
