package analysis_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

func TestEnums(t *testing.T) {
	t.Parallel()
	for _, ft := range analysis.FileTypes {
		got, err := analysis.ParseFileType(string(ft))
		require.NoError(t, err)
		require.Equal(t, ft, got)
		require.True(t, ft.Valid())
	}
	for _, d := range analysis.Discoveries {
		got, err := analysis.ParseDiscovery(string(d))
		require.NoError(t, err)
		require.Equal(t, d, got)
		require.True(t, d.Valid())
	}
	require.Len(t, analysis.FileTypes, 5)
	require.Len(t, analysis.Discoveries, 4)
	for _, bad := range []string{"", "Index", "urlset", "robots.txt", " index"} {
		_, err := analysis.ParseFileType(bad)
		require.ErrorIs(t, err, core.ErrInvalidStatus, bad)
		_, err = analysis.ParseDiscovery(bad)
		require.ErrorIs(t, err, core.ErrInvalidStatus, bad)
	}
	require.Equal(t, "robots_txt", analysis.DiscoveryRobotsTxt.String())
	require.Equal(t, "image", analysis.TypeImage.String())
}

func TestFileJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(analysis.File{URL: "https://a.example/s.xml", Type: analysis.TypeNews, Discovery: analysis.DiscoveryHTMLLink, URLCount: 3})
	require.NoError(t, err)
	for _, k := range []string{`"id":`, `"domain_id":`, `"url":`, `"type":"news"`, `"discovery":"html_link"`, `"url_count":3`, `"last_modified":null`, `"error":""`} {
		require.Contains(t, string(b), k)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	now := time.Now()
	paris := time.FixedZone("CET", 3600)
	lm := time.Date(2025, 5, 6, 7, 8, 9, 0, paris)
	out := analysis.Build(id, analysis.Analysis{Files: []analysis.File{
		{URL: "https://a.example/index.xml", Type: analysis.TypeIndex, Discovery: analysis.DiscoveryRobotsTxt, URLCount: 40, LastModified: &lm},
		{URL: "https://a.example/p.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoverySitemapIndex, URLCount: 7},
		{URL: "https://a.example/i.xml", Type: analysis.TypeImage, Discovery: analysis.DiscoverySitemapIndex, URLCount: 5, Error: "  " + strings.Repeat("é", 600)},
		{URL: "https://a.example/p.xml", Type: analysis.TypeNews, Discovery: analysis.DiscoveryCommonPath, URLCount: 100},
	}}, now)
	require.Len(t, out.Files, 3, "a URL is recorded once")
	require.Equal(t, 12, out.TotalURLs, "index entries are not page URLs")
	require.Equal(t, now, out.FinishedAt)
	ids := map[uuid.UUID]bool{}
	for _, f := range out.Files {
		require.Equal(t, id, f.DomainID)
		require.NotEqual(t, uuid.Nil, f.ID)
		ids[f.ID] = true
	}
	require.Len(t, ids, 3, "fresh IDs")
	require.Equal(t, analysis.TypeStandard, out.Files[1].Type, "the first of a URL wins")
	require.Equal(t, analysis.MaxErrorLength, len([]rune(out.Files[2].Error)))
	require.True(t, strings.HasPrefix(out.Files[2].Error, "é"), "trimmed")
	require.Equal(t, time.UTC, out.Files[0].LastModified.Location())
	require.True(t, lm.Equal(*out.Files[0].LastModified))
}

type fakeAnalyzer struct {
	a    analysis.Analysis
	err  error
	site string
}

func (f *fakeAnalyzer) Analyze(_ context.Context, site string) (analysis.Analysis, error) {
	f.site = site
	return f.a, f.err
}

func TestHandlerStoresFiles(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.SitemapCuration, "h", 1)
	jobs, err := s.Claim(context.Background(), core.SitemapCuration, 1, time.Minute, time.Now())
	require.NoError(t, err)
	an := &fakeAnalyzer{a: analysis.Analysis{Files: []analysis.File{
		{URL: "https://h0.example.org/sitemap.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 9},
	}}}
	h := analysis.NewHandler(an, s, core.SystemClock{})
	require.NoError(t, h.Handle(context.Background(), jobs[0]))
	require.Equal(t, "h0.example.org", an.site)
	fs, err := s.SitemapFiles(context.Background(), ids[0])
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, 9, fs[0].URLCount)
	d, err := s.GetDomain(context.Background(), ids[0])
	require.NoError(t, err)
	require.Equal(t, 1, d.SitemapCount)
	require.Equal(t, 9, d.SitemapURLCount)
	st, _ := storetest.SecondaryOf(t, s, core.SitemapCuration, ids[0])
	require.Equal(t, core.AnalysisCompleted, st)
}

func TestHandlerPassesErrorsThrough(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	storetest.QueueDomains(t, s, core.SitemapCuration, "e", 1)
	jobs, err := s.Claim(context.Background(), core.SitemapCuration, 1, time.Minute, time.Now())
	require.NoError(t, err)
	boom := errors.New("no such host")
	h := analysis.NewHandler(&fakeAnalyzer{err: boom}, s, core.SystemClock{})
	require.ErrorIs(t, h.Handle(context.Background(), jobs[0]), boom)

	// A finish after the lease was lost reports it.
	_, err = s.Rescue(context.Background(), core.SitemapCuration, 5, time.Now().Add(time.Hour))
	require.NoError(t, err)
	h = analysis.NewHandler(&fakeAnalyzer{}, s, core.SystemClock{})
	require.ErrorIs(t, h.Handle(context.Background(), jobs[0]), core.ErrLeaseLost)
	var _ queue.Handler = h
}
