package sitemap_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestEndToEnd selects two domains for the sitemap analysis as the HTTP
// handler would, and lets a real worker with the real analyzer process
// them: the reachable site ends Completed with its files stored, the
// unreachable one ends Error with the crawler's message.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestSite(t)
	s.serve("/robots.txt", "text/plain", "Sitemap: /sitemap_index.xml.gz\n")
	s.serve("/sitemap_index.xml.gz", "application/gzip", gzipped(t, index(indexEntry(s.url("/pages.xml"), ""), indexEntry(s.url("/images.xml"), ""))))
	s.serve("/pages.xml", "application/xml", urlset("", 3, s, ""))
	s.serve("/images.xml", "application/xml", urlset(imageDecl, 2, s, "<image:image><image:loc>"+s.url("/a.png")+"</image:loc></image:image>"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := l.Addr().String()
	require.NoError(t, l.Close())

	store := memory.NewStore()
	now := time.Now().UTC()
	up, gone := core.NewDomain(s.host(), now), core.NewDomain(down, now)
	_, err = store.AddDomains(ctx, []core.Domain{up, gone})
	require.NoError(t, err)

	// PUT /domains/sitemap-curation-status {ids, "Selected"}.
	res, err := curation.NewSecondaryStateUpdater(store, core.SitemapCuration, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{up.ID, gone.ID}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 2, res.Queued)

	outcomes := make(chan string, 2)
	handler := analysis.NewHandler(newAnalyzer(sitemap.Config{}), store, core.SystemClock{})
	w, err := queue.NewWorker(store, core.SitemapCuration, handler, queue.Config{
		Concurrency: 2, PollInterval: 10 * time.Millisecond, Lease: time.Minute, JobTimeout: 30 * time.Second, MaxAttempts: 1,
	}, core.SystemClock{}, nil, queue.Hooks{Finished: func(_ core.Workflow, outcome string) { outcomes <- outcome }})
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- w.Run(runCtx) }()
	got := map[string]int{}
	for range 2 {
		select {
		case o := <-outcomes:
			got[o]++
		case <-time.After(20 * time.Second):
			t.Fatal("the worker did not finish both jobs")
		}
	}
	stop()
	require.NoError(t, <-errc)
	require.Equal(t, map[string]int{queue.OutcomeDone: 1, queue.OutcomeFailed: 1}, got)

	d, err := store.GetDomain(ctx, up.ID)
	require.NoError(t, err)
	require.Equal(t, core.AnalysisCompleted, *d.SitemapAnalysisStatus)
	require.Nil(t, d.SitemapAnalysisError)
	files, err := store.SitemapFiles(ctx, up.ID)
	require.NoError(t, err)
	require.Len(t, files, 3)
	types := map[analysis.FileType]int{}
	for _, f := range files {
		require.Equal(t, up.ID, f.DomainID)
		types[f.Type] = f.URLCount
	}
	require.Equal(t, map[analysis.FileType]int{analysis.TypeIndex: 2, analysis.TypeStandard: 3, analysis.TypeImage: 2}, types)
	require.Equal(t, 3, d.SitemapCount)
	require.Equal(t, 5, d.SitemapURLCount)

	d, err = store.GetDomain(ctx, gone.ID)
	require.NoError(t, err)
	require.Equal(t, core.AnalysisError, *d.SitemapAnalysisStatus)
	require.NotNil(t, d.SitemapAnalysisError)
	require.Equal(t, "connection refused; gave up after 1 run", *d.SitemapAnalysisError)
}
