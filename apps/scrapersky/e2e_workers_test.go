package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// TestFourWorkersCrawlEachDomainOnce: 200 queued domains (each a local site
// of its own), 4 workers each on its own connection pool: every site's home
// page is fetched exactly once and every domain ends Completed.
func TestFourWorkersCrawlEachDomainOnce(t *testing.T) {
	t.Parallel()
	const sites, workers = 200, 4
	dsn := pgtest.DSN(t)
	ctx := context.Background()

	homeHits := make([]atomic.Int32, sites)
	var hosts []string
	for i := range sites {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/":
				homeHits[i].Add(1)
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprintf(w, `<a href="/contact">Contact</a>`)
			case "/contact":
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprintf(w, `<p>info@site%d-widgets.com</p>`, i)
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		hosts = append(hosts, strings.TrimPrefix(srv.URL, "http://"))
	}

	admin := postgres.NewStore(pgtest.Open(t, dsn))
	ds, err := curation.NewSubmitter(admin, core.SystemClock{}).Submit(ctx, hosts)
	require.NoError(t, err)
	res, err := curation.NewSecondaryStateUpdater(admin, core.EmailScan, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: idsOf(ds), Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, sites, res.Queued)

	cfg := scraper.DefaultConfig()
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 1000
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		store := postgres.NewStore(pgtest.Open(t, dsn)) // a pool of its own
		h := scan.NewHandler(scraper.NewEmailScanner(scraper.New(cfg)), store, core.SystemClock{})
		w, err := queue.NewWorker(store, core.EmailScan, h, queue.Config{
			Concurrency: 4, PollInterval: 20 * time.Millisecond, Lease: time.Minute, JobTimeout: 30 * time.Second,
		}, core.SystemClock{}, nil, queue.Hooks{})
		require.NoError(t, err)
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(runCtx) }()
	}

	db := pgtest.Open(t, dsn)
	waitFor(t, 90*time.Second, "all domains to complete", func() bool {
		var n int
		require.NoError(t, db.NewRaw(`SELECT count(*) FROM domains WHERE page_scrape_status = 'Completed'`).Scan(ctx, &n))
		return n == sites
	})
	stop()
	wg.Wait()
	for i := range sites {
		require.Equal(t, int32(1), homeHits[i].Load(), "site %d home page fetched once", i)
	}
	var contacts, attempts int
	require.NoError(t, db.NewRaw(`SELECT count(*) FROM contacts`).Scan(ctx, &contacts))
	require.Equal(t, sites, contacts)
	require.NoError(t, db.NewRaw(`SELECT sum(page_scrape_attempts) FROM domains`).Scan(ctx, &attempts))
	require.Equal(t, sites, attempts, "no domain was claimed twice")
}
