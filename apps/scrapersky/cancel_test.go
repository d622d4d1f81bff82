package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	sitemapscraper "github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// cancelStore is what the in-process cancel tests need from a store; the
// memory, SQLite and PostgreSQL stores all provide it.
type cancelStore interface {
	curation.UnitOfWork
	curation.DomainAdder
	curation.DomainGetter
	queue.Queue
	scan.Results
	analysis.Results
	Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error)
	Contacts(ctx context.Context, domainID uuid.UUID) ([]contact.Contact, error)
}

var cancelStores = []struct {
	name string
	open func(t *testing.T) cancelStore
}{
	{"memory", func(*testing.T) cancelStore { return memory.NewStore() }},
	{"sqlite", func(t *testing.T) cancelStore { return sqlite.NewStore(sqlitetest.NewDB(t)) }},
	{"postgres", func(t *testing.T) cancelStore { return postgres.NewStore(pgtest.NewDB(t)) }},
}

// slowSite answers every request after latency and counts them: a home
// page linking to ten pages with an address each, robots.txt pointing at
// a sitemap index of ten sitemaps.
type slowSite struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
}

func newSlowSite(t *testing.T, latency time.Duration) *slowSite {
	t.Helper()
	s := &slowSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		s.mu.Unlock()
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
		base := "http://" + r.Host
		switch {
		case r.URL.Path == "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nSitemap: %s/sitemap_index.xml\n", base)
		case r.URL.Path == "/sitemap_index.xml":
			w.Header().Set("Content-Type", "application/xml")
			var b strings.Builder
			b.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range 10 {
				fmt.Fprintf(&b, "<sitemap><loc>%s/sitemap%d.xml</loc></sitemap>", base, i)
			}
			b.WriteString("</sitemapindex>")
			fmt.Fprint(w, b.String())
		case strings.HasPrefix(r.URL.Path, "/sitemap"):
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/p1</loc></url></urlset>`, base)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>")
			if r.URL.Path == "/" {
				for i := 1; i <= 10; i++ {
					fmt.Fprintf(w, `<a href="/p%d">page %d</a> `, i, i)
				}
			}
			fmt.Fprintf(w, "<p>Write to info%s@acme-widgets.com</p></body></html>", strings.TrimPrefix(r.URL.Path, "/"))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *slowSite) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// cancelRig is one store with a worker of one workflow crawling for real,
// one page at a time, and the outcomes the worker reports.
type cancelRig struct {
	store    cancelStore
	wf       core.Workflow
	outcomes chan string
	stop     func()
}

func startCancelRig(t *testing.T, store cancelStore, wf core.Workflow) *cancelRig {
	t.Helper()
	cfg := scraper.DefaultConfig()
	cfg.AllowPrivateNetworks, cfg.Concurrency, cfg.RequestsPerSecond, cfg.Burst = true, 1, 100, 1
	crawler := scraper.New(cfg)
	var h queue.Handler = scan.NewHandler(scraper.NewEmailScanner(crawler), store, core.SystemClock{})
	if wf.Name == core.SitemapCuration.Name {
		h = analysis.NewHandler(sitemapscraper.New(crawler, sitemapscraper.DefaultConfig()), store, core.SystemClock{})
	}
	r := &cancelRig{store: store, wf: wf, outcomes: make(chan string, 8)}
	w, err := queue.NewWorker(store, wf, h, queue.Config{
		Concurrency: 1, PollInterval: 20 * time.Millisecond, Lease: time.Minute, JobTimeout: 30 * time.Second,
		MaxAttempts: 1, CheckInterval: 100 * time.Millisecond,
	}, core.SystemClock{}, nil, queue.Hooks{Finished: func(_ core.Workflow, o string) { r.outcomes <- o }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	r.stop = func() {
		cancel()
		require.NoError(t, <-done)
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			r.stop()
		}
	})
	return r
}

func (r *cancelRig) put(t *testing.T, id uuid.UUID, status core.CurationStatus) curation.UpdateResult {
	t.Helper()
	res, err := curation.NewSecondaryStateUpdater(r.store, r.wf, core.SystemClock{}, nil).
		Update(context.Background(), curation.UpdateInput{IDs: []uuid.UUID{id}, Status: status})
	require.NoError(t, err)
	return res
}

func (r *cancelRig) status(t *testing.T, id uuid.UUID) core.Secondary {
	t.Helper()
	d, err := r.store.GetDomain(context.Background(), id)
	require.NoError(t, err)
	switch {
	case r.wf.Name == core.EmailScan.Name && d.PageScrapeStatus != nil:
		return *d.PageScrapeStatus
	case r.wf.Name == core.SitemapCuration.Name && d.SitemapAnalysisStatus != nil:
		return *d.SitemapAnalysisStatus
	}
	return nil
}

func addSite(t *testing.T, store cancelStore, site *slowSite) uuid.UUID {
	t.Helper()
	ds, err := store.AddDomains(context.Background(), []core.Domain{core.NewDomain(hostOf(site.URL), time.Now().UTC())})
	require.NoError(t, err)
	return ds[0].ID
}

// TestCancelWhileQueued, on every store and both workflows: a domain
// selected and then set to Not a Fit before a worker claims it is
// Cancelled and never crawled; selecting it again queues it.
func TestCancelWhileQueued(t *testing.T) {
	t.Parallel()
	for _, st := range cancelStores {
		for _, wf := range core.Workflows {
			t.Run(st.name+"/"+wf.Name, func(t *testing.T) {
				t.Parallel()
				store := st.open(t)
				site := newSlowSite(t, 0)
				id := addSite(t, store, site)
				rig := &cancelRig{store: store, wf: wf}
				require.Equal(t, 1, rig.put(t, id, core.CurationSelected).Queued)
				res := rig.put(t, id, core.CurationNotAFit)
				require.Equal(t, curation.UpdateResult{Updated: 1, Cancelled: 1, NotFound: []uuid.UUID{}}, res)
				require.Equal(t, wf.Cancelled, rig.status(t, id))

				rig = startCancelRig(t, store, wf)
				time.Sleep(300 * time.Millisecond) // fifteen polls
				rig.stop()
				require.Zero(t, site.count(), "a cancelled domain is never crawled")
				require.Equal(t, wf.Cancelled, rig.status(t, id))
				runs, _, err := store.Runs(context.Background(), wf, id, 10, 0)
				require.NoError(t, err)
				require.Empty(t, runs, "no run was started")

				require.Equal(t, 1, rig.put(t, id, core.CurationSelected).Queued, "selecting again queues it")
				require.Equal(t, wf.Queued, rig.status(t, id))
			})
		}
	}
}

// TestCancelWhileRunning, on every store and both workflows: a crawl of a
// slow site is running when the domain is set to Not a Fit; the worker
// stops it within a few check intervals with the outcome cancelled, the
// site sees no request after that, nothing is stored, and the run is kept
// as cancelled. Selecting it again queues it and it is crawled anew.
func TestCancelWhileRunning(t *testing.T) {
	t.Parallel()
	for _, st := range cancelStores {
		for _, wf := range core.Workflows {
			t.Run(st.name+"/"+wf.Name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				store := st.open(t)
				site := newSlowSite(t, 200*time.Millisecond)
				id := addSite(t, store, site)
				rig := startCancelRig(t, store, wf)
				require.Equal(t, 1, rig.put(t, id, core.CurationSelected).Queued)
				waitFor(t, 10*time.Second, "the crawl to start", func() bool {
					return site.count() > 0 && rig.status(t, id) == wf.Running
				})

				res := rig.put(t, id, core.CurationNotAFit)
				require.Equal(t, 1, res.Cancelled)
				select {
				case o := <-rig.outcomes:
					require.Equal(t, queue.OutcomeCancelled, o)
				case <-time.After(10 * time.Second):
					t.Fatal("the cancelled job kept running")
				}
				require.Equal(t, wf.Cancelled, rig.status(t, id))
				seen := site.count()
				time.Sleep(time.Second)
				require.Equal(t, seen, site.count(), "no request after the cancel settled")
				require.Less(t, seen, 11, "the crawl did not run to the end")
				require.Equal(t, wf.Cancelled, rig.status(t, id), "the worker wrote nothing after the cancel")
				cs, err := store.Contacts(ctx, id)
				require.NoError(t, err)
				require.Empty(t, cs, "no contacts written")
				d, err := store.GetDomain(ctx, id)
				require.NoError(t, err)
				require.Zero(t, d.PagesScanned)
				require.Zero(t, d.SitemapCount)
				runs, _, err := store.Runs(ctx, wf, id, 10, 0)
				require.NoError(t, err)
				require.Len(t, runs, 1)
				require.Equal(t, queue.RunCancelled, runs[0].State)

				// Selecting again re-queues, and the next crawl runs to the end.
				require.Equal(t, 1, rig.put(t, id, core.CurationSelected).Queued)
				select {
				case o := <-rig.outcomes:
					require.Equal(t, queue.OutcomeDone, o)
				case <-time.After(30 * time.Second):
					t.Fatal("the re-selected domain was not processed")
				}
				require.Equal(t, wf.Done, rig.status(t, id))
				runs, _, err = store.Runs(ctx, wf, id, 10, 0)
				require.NoError(t, err)
				require.Len(t, runs, 2)
				require.Equal(t, queue.RunCompleted, runs[0].State)
				require.Equal(t, queue.RunCancelled, runs[1].State)
			})
		}
	}
}
