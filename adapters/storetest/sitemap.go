package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/sitemap"
)

// SitemapStore is what the sitemap suite needs from an adapter.
type SitemapStore interface {
	QueueStore
	sitemap.Results
	SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]sitemap.File, error)
	// SitemapTotals returns the file and URL totals of the domain's last
	// finished analysis.
	SitemapTotals(ctx context.Context, domainID uuid.UUID) (files, urls int, err error)
}

// SitemapFactory returns an empty store for one test.
type SitemapFactory func(t *testing.T) SitemapStore

// RunSitemap runs the contract of storing sitemap analysis results.
func RunSitemap(t *testing.T, newStore SitemapFactory) {
	t.Run("FinishStoresFilesAndCounts", func(t *testing.T) { t.Parallel(); testSitemapFinish(t, newStore(t)) })
	t.Run("NoSitemapIsCompleted", func(t *testing.T) { t.Parallel(); testSitemapNone(t, newStore(t)) })
	t.Run("ReanalysisUpserts", func(t *testing.T) { t.Parallel(); testSitemapReanalysis(t, newStore(t)) })
	t.Run("ZombieIsFencedOut", func(t *testing.T) { t.Parallel(); testSitemapZombie(t, newStore(t)) })
}

// QueueSitemapAgain selects a finished domain for the sitemap analysis
// again.
func QueueSitemapAgain(t *testing.T, s Store, id uuid.UUID) {
	t.Helper()
	res, err := curation.NewSecondaryStateUpdater(s, core.SitemapCuration, core.SystemClock{}, nil).
		Update(context.Background(), curation.UpdateInput{IDs: []uuid.UUID{id}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Queued)
}

func claimSitemap(t *testing.T, s SitemapStore, now time.Time) queue.Job {
	t.Helper()
	jobs, err := s.Claim(context.Background(), core.SitemapCuration, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	return jobs[0]
}

// analysis is an index listing a standard and an image urlset.
func analysis(lastmod time.Time) sitemap.Analysis {
	return sitemap.Analysis{Files: []sitemap.File{
		{URL: "https://map.example.org/sitemap_index.xml", Type: sitemap.TypeIndex, Discovery: sitemap.DiscoveryRobotsTxt, URLCount: 2, LastModified: &lastmod},
		{URL: "https://map.example.org/pages.xml", Type: sitemap.TypeStandard, Discovery: sitemap.DiscoverySitemapIndex, URLCount: 3},
		{URL: "https://map.example.org/images.xml", Type: sitemap.TypeImage, Discovery: sitemap.DiscoverySitemapIndex, URLCount: 2,
			Error: "more than 2 URLs; stopped counting"},
	}}
}

func testSitemapFinish(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	lastmod := time.Date(2025, 11, 3, 10, 30, 0, 0, time.UTC)
	id := QueueDomains(t, s, core.SitemapCuration, "map", 1)[0]
	job := claimSitemap(t, s, now)
	out := sitemap.Build(id, analysis(lastmod), now)
	require.NoError(t, s.FinishAnalysis(ctx, job, out))

	st, msg := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, string(core.AnalysisCompleted), st)
	require.Empty(t, msg, "sitemap_analysis_error is NULL")
	files, urls, err := s.SitemapTotals(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 3, files)
	require.Equal(t, 5, urls, "index entries are not page URLs")

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 3)
	want := map[string]sitemap.File{}
	for _, f := range out.Files {
		want[f.URL] = f
	}
	require.Equal(t, "https://map.example.org/images.xml", got[0].URL, "ordered by URL")
	for _, f := range got {
		w, ok := want[f.URL]
		require.True(t, ok, f.URL)
		require.Equal(t, w.ID, f.ID)
		require.Equal(t, id, f.DomainID)
		require.Equal(t, w.Type, f.Type)
		require.Equal(t, w.Discovery, f.Discovery)
		require.Equal(t, w.URLCount, f.URLCount)
		require.Equal(t, w.Error, f.Error)
		if w.LastModified == nil {
			require.Nil(t, f.LastModified)
		} else {
			require.NotNil(t, f.LastModified)
			require.True(t, w.LastModified.Equal(*f.LastModified), "last_modified %v", f.LastModified)
		}
	}

	// Another domain's files are not mixed in.
	other, err := s.SitemapFiles(ctx, uuid.New())
	require.NoError(t, err)
	require.Empty(t, other)
}

func testSitemapNone(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	id := QueueDomains(t, s, core.SitemapCuration, "bare", 1)[0]
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, now), sitemap.Build(id, sitemap.Analysis{}, now)))
	st, msg := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, string(core.AnalysisCompleted), st, "no sitemap is Completed, not Error")
	require.Empty(t, msg)
	files, urls, err := s.SitemapTotals(ctx, id)
	require.NoError(t, err)
	require.Zero(t, files)
	require.Zero(t, urls)
	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Empty(t, got)
}

func testSitemapReanalysis(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	t1 := time.Now().UTC().Truncate(time.Millisecond)
	id := QueueDomains(t, s, core.SitemapCuration, "again", 1)[0]
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, t1), sitemap.Build(id, analysis(t1), t1)))
	first, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, first, 3)

	QueueSitemapAgain(t, s, id)
	t2 := t1.Add(time.Hour)
	second := analysis(t2)
	second.Files[1].URLCount = 7
	second.Files[2].Error = ""
	second.Files = append(second.Files, sitemap.File{URL: "https://map.example.org/news.xml", Type: sitemap.TypeNews, Discovery: sitemap.DiscoveryCommonPath, URLCount: 1})
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, t2), sitemap.Build(id, second, t2)))

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 4, "no duplicate files")
	ids := map[string]uuid.UUID{}
	for _, f := range first {
		ids[f.URL] = f.ID
	}
	byURL := map[string]sitemap.File{}
	for _, f := range got {
		byURL[f.URL] = f
		if old, ok := ids[f.URL]; ok {
			require.Equal(t, old, f.ID, "%s keeps its ID", f.URL)
		}
	}
	require.Equal(t, 7, byURL["https://map.example.org/pages.xml"].URLCount, "values are replaced")
	require.Empty(t, byURL["https://map.example.org/images.xml"].Error, "an error is cleared")
	require.True(t, byURL["https://map.example.org/sitemap_index.xml"].LastModified.Equal(t2))
	require.Equal(t, sitemap.TypeNews, byURL["https://map.example.org/news.xml"].Type)
	files, urls, err := s.SitemapTotals(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 4, files)
	require.Equal(t, 7+2+1, urls)
}

func testSitemapZombie(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	id := QueueDomains(t, s, core.SitemapCuration, "zombie", 1)[0]
	zombie := claimSitemap(t, s, now)
	_, err := s.Rescue(ctx, core.SitemapCuration, 5, now.Add(2*time.Minute))
	require.NoError(t, err)
	fresh := claimSitemap(t, s, now.Add(3*time.Minute))

	err = s.FinishAnalysis(ctx, zombie, sitemap.Build(id, analysis(now), now))
	require.ErrorIs(t, err, core.ErrLeaseLost)
	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Empty(t, got, "a fenced-out finish writes nothing")
	files, urls, err := s.SitemapTotals(ctx, id)
	require.NoError(t, err)
	require.Zero(t, files)
	require.Zero(t, urls)
	st, _ := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, string(core.AnalysisProcessing), st)

	one := sitemap.Analysis{Files: []sitemap.File{{URL: "https://zombie0.example.org/sitemap.xml", Type: sitemap.TypeStandard, Discovery: sitemap.DiscoveryCommonPath, URLCount: 4}}}
	require.NoError(t, s.FinishAnalysis(ctx, fresh, sitemap.Build(id, one, now)))
	got, err = s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 4, got[0].URLCount)
	st, _ = SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, string(core.AnalysisCompleted), st)
}
