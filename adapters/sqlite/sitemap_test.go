package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestSitemapSchemaConstraints checks the constraints of sitemap_files and
// of the domains' totals that mirror core, the reference to domains and
// its cascade.
func TestSitemapSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	domainID := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'maps.example.org')", domainID)
	require.NoError(t, err)
	insert := func(id any, domain uuid.UUID, url, typ, discovery string, count any) error {
		_, err := db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery, url_count)
			VALUES (?, ?, ?, ?, ?, ?)`, id, domain, url, typ, discovery, count)
		return err
	}
	const u = "https://maps.example.org/sitemap.xml"
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"valid", insert(uuid.New(), domainID, u, "index", "robots_txt", 2), 0},
		{"every type and discovery", insert(uuid.New(), domainID, u+"?2", "news", "sitemap_index", 0), 0},
		{"same URL twice", insert(uuid.New(), domainID, u, "standard", "common_path", 1), uniqueFailed},
		{"type bogus", insert(uuid.New(), domainID, u+"?3", "urlset", "common_path", 1), checkFailed},
		{"type wrong case", insert(uuid.New(), domainID, u+"?4", "Index", "common_path", 1), checkFailed},
		{"discovery bogus", insert(uuid.New(), domainID, u+"?5", "standard", "robots.txt", 1), checkFailed},
		{"count negative", insert(uuid.New(), domainID, u+"?6", "standard", "html_link", -1), checkFailed},
		{"count as text", insert(uuid.New(), domainID, u+"?7", "standard", "html_link", "many"), typeMismatch},
		{"id not a uuid", insert("42", domainID, u+"?8", "standard", "html_link", 1), checkFailed},
		{"unknown domain", insert(uuid.New(), uuid.New(), u, "standard", "html_link", 1), foreignKey},
	}
	for _, c := range cases {
		if c.want == 0 {
			require.NoError(t, c.err, c.name)
		} else {
			require.Equal(t, c.want, sqliteCode(c.err), "%s: %v", c.name, c.err)
		}
	}
	for _, col := range []string{"sitemap_count", "sitemap_url_count"} {
		_, err := db.ExecContext(ctx, fmt.Sprintf("UPDATE domains SET %s = -1 WHERE id = ?", col), domainID)
		require.Equal(t, checkFailed, sqliteCode(err), "%s: %v", col, err)
	}

	// Deleting a domain takes its files with it.
	_, err = db.ExecContext(ctx, "DELETE FROM domains WHERE id = ?", domainID)
	require.NoError(t, err)
	var left int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM sitemap_files").Scan(ctx, &left))
	require.Zero(t, left)
}

// claimAnalysis queues one domain for the sitemap analysis and claims it.
func claimAnalysis(t *testing.T, s *sqlite.Store, prefix string, now time.Time) queue.Job {
	t.Helper()
	storetest.QueueDomains(t, s, core.SitemapCuration, prefix, 1)
	jobs, err := s.Claim(context.Background(), core.SitemapCuration, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	return jobs[0]
}

// TestFinishAnalysisKeepsURLsLiterally stores URLs that SQL quoting, LIKE
// or case folding could mangle, two that differ only in invalid UTF-8, and
// a thousand more, then analyses the domain again without some: exactly
// those go, the others keep their IDs.
func TestFinishAnalysisKeepsURLsLiterally(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	job := claimAnalysis(t, s, "odd", now)

	odd := []string{
		"https://odd0.example.org/it's.xml",
		`https://odd0.example.org/back\slash.xml`,
		"https://odd0.example.org/100%_off.xml",
		"https://odd0.example.org/\xff\xfe.xml", // stored as U+FFFD twice
		"https://odd0.example.org/\xfe\xff.xml", // the same once stored: dropped
		"https://odd0.example.org/ünï.xml",
		"https://odd0.example.org/a.xml",
		"https://odd0.example.org/A.xml",
	}
	var files []analysis.File
	for _, u := range odd {
		files = append(files, analysis.File{URL: u, Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 1})
	}
	for i := range 1_000 {
		files = append(files, analysis.File{URL: fmt.Sprintf("https://odd0.example.org/part%04d.xml", i),
			Type: analysis.TypeStandard, Discovery: analysis.DiscoverySitemapIndex, URLCount: 2})
	}
	out := analysis.Build(job.DomainID, analysis.Analysis{Files: files}, now)
	require.NoError(t, s.FinishAnalysis(ctx, job, out))
	first, err := s.SitemapFiles(ctx, job.DomainID)
	require.NoError(t, err)
	require.Equal(t, len(files)-1, len(first), "two URLs are one once stored")
	ids := map[string]uuid.UUID{}
	for i, f := range first {
		ids[f.URL] = f.ID
		if i > 0 {
			require.Less(t, first[i-1].URL, f.URL, "byte order")
		}
	}
	for _, u := range odd[:3] {
		_, ok := ids[u]
		require.True(t, ok, "%q stored byte for byte", u)
	}
	for _, u := range odd[5:] {
		_, ok := ids[u]
		require.True(t, ok, "%q stored byte for byte", u)
	}
	_, ok := ids["https://odd0.example.org/\ufffd\ufffd.xml"]
	require.True(t, ok, "invalid UTF-8 is stored as Bun writes it")
	d, err := s.GetDomain(ctx, job.DomainID)
	require.NoError(t, err)
	require.Equal(t, len(files)-1, d.SitemapCount, "the files as stored are counted")

	// Again without the odd URLs at even positions and the first half of
	// the parts.
	storetest.QueueSitemapAgain(t, s, job.DomainID)
	later := now.Add(time.Hour)
	jobs, err := s.Claim(ctx, core.SitemapCuration, 1, time.Minute, later)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	var kept []analysis.File
	for i, f := range files {
		if i < len(odd) && i%2 == 0 || i >= len(odd) && i < len(odd)+500 {
			continue
		}
		kept = append(kept, f)
	}
	out = analysis.Build(job.DomainID, analysis.Analysis{Files: kept}, later)
	require.NoError(t, s.FinishAnalysis(ctx, jobs[0], out))
	second, err := s.SitemapFiles(ctx, job.DomainID)
	require.NoError(t, err)
	require.Equal(t, len(kept), len(second))
	for _, f := range second {
		require.Equal(t, ids[f.URL], f.ID, "%q keeps its ID", f.URL)
	}
	d, err = s.GetDomain(ctx, job.DomainID)
	require.NoError(t, err)
	require.Equal(t, len(kept), d.SitemapCount)
	require.Equal(t, out.TotalURLs, d.SitemapURLCount)
}
