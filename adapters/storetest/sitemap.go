package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// SitemapStore is what the sitemap suite needs from an adapter.
type SitemapStore interface {
	QueueStore
	analysis.Results
	// SitemapFiles returns the domain's sitemap files ordered by URL.
	SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]analysis.File, error)
}

// SitemapFactory returns an empty store for one test.
type SitemapFactory func(t *testing.T) SitemapStore

// RunSitemap runs the contract of storing sitemap analysis results.
func RunSitemap(t *testing.T, newStore SitemapFactory) {
	t.Run("FinishStoresFilesAndCounts", func(t *testing.T) { t.Parallel(); testSitemapFinish(t, newStore(t)) })
	t.Run("NoSitemapIsCompleted", func(t *testing.T) { t.Parallel(); testSitemapNone(t, newStore(t)) })
	t.Run("ReanalysisUpserts", func(t *testing.T) { t.Parallel(); testSitemapReanalysis(t, newStore(t)) })
	t.Run("ZombieIsFencedOut", func(t *testing.T) { t.Parallel(); testSitemapZombie(t, newStore(t)) })
	t.Run("ReanalysisReplacesTheSet", func(t *testing.T) { t.Parallel(); testSitemapReplace(t, newStore(t)) })
	t.Run("ReanalysisWithoutSitemapsClears", func(t *testing.T) { t.Parallel(); testSitemapCleared(t, newStore(t)) })
	t.Run("DuplicateURLStoredOnce", func(t *testing.T) { t.Parallel(); testSitemapDuplicates(t, newStore(t)) })
	t.Run("InvalidFileWritesNothing", func(t *testing.T) { t.Parallel(); testSitemapInvalid(t, newStore(t)) })
}

// sitemapTotals reads the domain's sitemap_count and sitemap_url_count.
func sitemapTotals(t *testing.T, s SitemapStore, id uuid.UUID) (files, urls int) {
	t.Helper()
	d, err := s.GetDomain(context.Background(), id)
	require.NoError(t, err)
	return d.SitemapCount, d.SitemapURLCount
}

// sitemapIDs returns the stored files' IDs by URL.
func sitemapIDs(t *testing.T, s SitemapStore, id uuid.UUID) map[string]uuid.UUID {
	t.Helper()
	fs, err := s.SitemapFiles(context.Background(), id)
	require.NoError(t, err)
	out := make(map[string]uuid.UUID, len(fs))
	for _, f := range fs {
		out[f.URL] = f.ID
	}
	return out
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

// sampleAnalysis is an index listing a standard and an image urlset.
func sampleAnalysis(lastmod time.Time) analysis.Analysis {
	return analysis.Analysis{Files: []analysis.File{
		{URL: "https://map.example.org/sitemap_index.xml", Type: analysis.TypeIndex, Discovery: analysis.DiscoveryRobotsTxt, URLCount: 2, LastModified: &lastmod},
		{URL: "https://map.example.org/pages.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoverySitemapIndex, URLCount: 3},
		{URL: "https://map.example.org/images.xml", Type: analysis.TypeImage, Discovery: analysis.DiscoverySitemapIndex, URLCount: 2,
			Error: "more than 2 URLs; stopped counting"},
	}}
}

func testSitemapFinish(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	lastmod := time.Date(2025, 11, 3, 10, 30, 0, 0, time.UTC)
	id := QueueDomains(t, s, core.SitemapCuration, "map", 1)[0]
	job := claimSitemap(t, s, now)
	out := analysis.Build(id, sampleAnalysis(lastmod), now)
	require.NoError(t, s.FinishAnalysis(ctx, job, out))

	st, msg := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, core.AnalysisCompleted, st)
	require.Empty(t, msg, "sitemap_analysis_error is NULL")
	files, urls := sitemapTotals(t, s, id)
	require.Equal(t, 3, files)
	require.Equal(t, 5, urls, "index entries are not page URLs")

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 3)
	want := map[string]analysis.File{}
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
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, now), analysis.Build(id, analysis.Analysis{}, now)))
	st, msg := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, core.AnalysisCompleted, st, "no sitemap is Completed, not Error")
	require.Empty(t, msg)
	files, urls := sitemapTotals(t, s, id)
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
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, t1), analysis.Build(id, sampleAnalysis(t1), t1)))
	first, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, first, 3)

	QueueSitemapAgain(t, s, id)
	t2 := t1.Add(time.Hour)
	second := sampleAnalysis(t2)
	second.Files[1].URLCount = 7
	second.Files[2].Error = ""
	second.Files = append(second.Files, analysis.File{URL: "https://map.example.org/news.xml", Type: analysis.TypeNews, Discovery: analysis.DiscoveryCommonPath, URLCount: 1})
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, t2), analysis.Build(id, second, t2)))

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 4, "no duplicate files")
	ids := map[string]uuid.UUID{}
	for _, f := range first {
		ids[f.URL] = f.ID
	}
	byURL := map[string]analysis.File{}
	for _, f := range got {
		byURL[f.URL] = f
		if old, ok := ids[f.URL]; ok {
			require.Equal(t, old, f.ID, "%s keeps its ID", f.URL)
		}
	}
	require.Equal(t, 7, byURL["https://map.example.org/pages.xml"].URLCount, "values are replaced")
	require.Empty(t, byURL["https://map.example.org/images.xml"].Error, "an error is cleared")
	require.True(t, byURL["https://map.example.org/sitemap_index.xml"].LastModified.Equal(t2))
	require.Equal(t, analysis.TypeNews, byURL["https://map.example.org/news.xml"].Type)
	files, urls := sitemapTotals(t, s, id)
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

	err = s.FinishAnalysis(ctx, zombie, analysis.Build(id, sampleAnalysis(now), now))
	require.ErrorIs(t, err, core.ErrLeaseLost)
	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Empty(t, got, "a fenced-out finish writes nothing")
	files, urls := sitemapTotals(t, s, id)
	require.Zero(t, files)
	require.Zero(t, urls)
	st, _ := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, core.AnalysisProcessing, st)

	one := analysis.Analysis{Files: []analysis.File{{URL: "https://zombie0.example.org/sitemap.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 4}}}
	require.NoError(t, s.FinishAnalysis(ctx, fresh, analysis.Build(id, one, now)))
	got, err = s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 4, got[0].URLCount)
	st, _ = SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, core.AnalysisCompleted, st)
	files, urls = sitemapTotals(t, s, id)
	require.Equal(t, 1, files)
	require.Equal(t, 4, urls)
}

// testSitemapReplace re-analyses a domain whose images.xml is gone and
// which gained video.xml, after a zombie of that second analysis tried to
// write first; a second domain's files stay as they were throughout.
func testSitemapReplace(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	t1 := time.Now().UTC().Truncate(time.Millisecond)
	ids := QueueDomains(t, s, core.SitemapCuration, "swap", 2)
	for range ids {
		job := claimSitemap(t, s, t1)
		require.NoError(t, s.FinishAnalysis(ctx, job, analysis.Build(job.DomainID, sampleAnalysis(t1), t1)))
	}
	id, other := ids[0], ids[1]
	firstIDs := sitemapIDs(t, s, id)
	otherBefore, err := s.SitemapFiles(ctx, other)
	require.NoError(t, err)
	require.Len(t, otherBefore, 3)

	QueueSitemapAgain(t, s, id)
	t2 := t1.Add(time.Hour)
	zombie := claimSitemap(t, s, t2)
	require.Equal(t, id, zombie.DomainID)
	_, err = s.Rescue(ctx, core.SitemapCuration, 5, t2.Add(2*time.Minute))
	require.NoError(t, err)
	fresh := claimSitemap(t, s, t2.Add(3*time.Minute))

	// The zombie would have emptied the set; it writes nothing.
	err = s.FinishAnalysis(ctx, zombie, analysis.Build(id, analysis.Analysis{}, t2))
	require.ErrorIs(t, err, core.ErrLeaseLost)
	require.Equal(t, firstIDs, sitemapIDs(t, s, id), "a fenced-out finish deletes nothing")
	files, urls := sitemapTotals(t, s, id)
	require.Equal(t, 3, files, "a fenced-out finish keeps the totals")
	require.Equal(t, 5, urls)

	second := sampleAnalysis(t2)
	second.Files[1].URLCount = 11
	second.Files = append(second.Files[:2], analysis.File{URL: "https://map.example.org/video.xml",
		Type: analysis.TypeVideo, Discovery: analysis.DiscoverySitemapIndex, URLCount: 4})
	out := analysis.Build(id, second, t2)
	require.NoError(t, s.FinishAnalysis(ctx, fresh, out))

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	urlsGot := make([]string, len(got))
	for i, f := range got {
		urlsGot[i] = f.URL
	}
	require.Equal(t, []string{
		"https://map.example.org/pages.xml",
		"https://map.example.org/sitemap_index.xml",
		"https://map.example.org/video.xml",
	}, urlsGot, "images.xml is gone, video.xml is new")
	require.Equal(t, firstIDs["https://map.example.org/pages.xml"], got[0].ID, "a re-found file keeps its ID")
	require.Equal(t, firstIDs["https://map.example.org/sitemap_index.xml"], got[1].ID)
	require.Equal(t, out.Files[2].ID, got[2].ID, "a new file takes the outcome's ID")
	require.Equal(t, 11, got[0].URLCount)
	require.True(t, got[1].LastModified.Equal(t2))
	require.Equal(t, analysis.TypeVideo, got[2].Type)
	files, urls = sitemapTotals(t, s, id)
	require.Equal(t, 3, files)
	require.Equal(t, 11+4, urls)
	st, msg := SecondaryOf(t, s, core.SitemapCuration, id)
	require.Equal(t, core.AnalysisCompleted, st)
	require.Empty(t, msg, "the rescue's error is cleared")

	otherAfter, err := s.SitemapFiles(ctx, other)
	require.NoError(t, err)
	require.Equal(t, otherBefore, otherAfter, "another domain's files are untouched")
	files, urls = sitemapTotals(t, s, other)
	require.Equal(t, 3, files)
	require.Equal(t, 5, urls)
}

// testSitemapCleared re-analyses a domain that no longer has any sitemap.
func testSitemapCleared(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := QueueDomains(t, s, core.SitemapCuration, "gone", 1)[0]
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, now), analysis.Build(id, sampleAnalysis(now), now)))
	require.Len(t, sitemapIDs(t, s, id), 3)

	QueueSitemapAgain(t, s, id)
	later := now.Add(time.Hour)
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, later), analysis.Build(id, analysis.Analysis{}, later)))
	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Empty(t, got, "every file is gone")
	files, urls := sitemapTotals(t, s, id)
	require.Zero(t, files)
	require.Zero(t, urls)
}

// testSitemapDuplicates stores an outcome that lists a URL twice, which
// Build never makes: the first record is kept and counted once.
func testSitemapDuplicates(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := QueueDomains(t, s, core.SitemapCuration, "dup", 1)[0]
	first := analysis.File{ID: uuid.New(), URL: "https://dup0.example.org/sitemap.xml", Type: analysis.TypeStandard,
		Discovery: analysis.DiscoveryRobotsTxt, URLCount: 6}
	again := first
	again.ID, again.Type, again.URLCount = uuid.New(), analysis.TypeNews, 9
	out := analysis.Outcome{Files: []analysis.File{first, again}, TotalURLs: 6, FinishedAt: now}
	require.NoError(t, s.FinishAnalysis(ctx, claimSitemap(t, s, now), out))

	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, first.ID, got[0].ID, "the first record wins")
	require.Equal(t, analysis.TypeStandard, got[0].Type)
	require.Equal(t, 6, got[0].URLCount)
	files, urls := sitemapTotals(t, s, id)
	require.Equal(t, 1, files, "distinct URLs are counted")
	require.Equal(t, 6, urls)
}

// testSitemapInvalid finishes with values the schema rejects: nothing is
// written and the job still owns its domain.
func testSitemapInvalid(t *testing.T, s SitemapStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := QueueDomains(t, s, core.SitemapCuration, "bad", 1)[0]
	job := claimSitemap(t, s, now)
	good := analysis.File{URL: "https://bad0.example.org/sitemap.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 2}
	cases := []struct {
		name   string
		mutate func(*analysis.Analysis)
	}{
		{"type", func(a *analysis.Analysis) { a.Files[1].Type = "urlset" }},
		{"discovery", func(a *analysis.Analysis) { a.Files[1].Discovery = "robots.txt" }},
		{"negative count", func(a *analysis.Analysis) { a.Files[1].URLCount = -1 }},
	}
	for _, c := range cases {
		a := analysis.Analysis{Files: []analysis.File{good, {URL: "https://bad0.example.org/other.xml",
			Type: analysis.TypeImage, Discovery: analysis.DiscoveryHTMLLink, URLCount: 1}}}
		c.mutate(&a)
		err := s.FinishAnalysis(ctx, job, analysis.Build(id, a, now))
		require.ErrorIs(t, err, core.ErrInvalidStatus, c.name)
		got, err := s.SitemapFiles(ctx, id)
		require.NoError(t, err)
		require.Empty(t, got, c.name)
		st, _ := SecondaryOf(t, s, core.SitemapCuration, id)
		require.Equal(t, core.AnalysisProcessing, st, c.name)
		files, _ := sitemapTotals(t, s, id)
		require.Zero(t, files, c.name)
	}
	negative := analysis.Build(id, analysis.Analysis{Files: []analysis.File{good}}, now)
	negative.TotalURLs = -2
	require.ErrorIs(t, s.FinishAnalysis(ctx, job, negative), core.ErrInvalidStatus)

	// The lease is intact: a valid outcome still goes through.
	require.NoError(t, s.FinishAnalysis(ctx, job, analysis.Build(id, analysis.Analysis{Files: []analysis.File{good}}, now)))
	files, urls := sitemapTotals(t, s, id)
	require.Equal(t, 1, files)
	require.Equal(t, 2, urls)
}
