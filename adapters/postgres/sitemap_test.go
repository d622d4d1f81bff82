package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestSitemapContract runs the shared suite of storing sitemap analysis
// results, a database per case.
func TestSitemapContract(t *testing.T) {
	t.Parallel()
	storetest.RunSitemap(t, func(t *testing.T) storetest.SitemapStore {
		return postgres.NewStore(pgtest.NewDB(t))
	})
}

// analysisColumns are the domain's analysis columns core.Domain does not
// carry and its run's claim, as FinishAnalysis leaves them.
type analysisColumns struct {
	FinishedAt    *time.Time `bun:"sitemap_analysis_finished_at"`
	RunFinishedAt *time.Time `bun:"run_finished_at"`
	Token         *uuid.UUID `bun:"claim_token"`
	Lease         *time.Time `bun:"lease_expires_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

func readAnalysisColumns(t *testing.T, db *bun.DB, id uuid.UUID) analysisColumns {
	t.Helper()
	var c analysisColumns
	require.NoError(t, db.NewRaw(`SELECT d.sitemap_analysis_finished_at, j.finished_at AS run_finished_at,
		j.claim_token, j.lease_expires_at, d.updated_at
		FROM domains AS d JOIN jobs AS j ON j.domain_id = d.id AND j.workflow = 'sitemap_curation'
		WHERE d.id = ?`, id).Scan(context.Background(), &c))
	return c
}

// TestFinishAnalysisColumns checks what the contract suite cannot see
// through core.Domain: the finish time is set and the claim cleared, files
// carrying another domain's ID are stored under the fenced one, and a file
// without an ID gets one.
func TestFinishAnalysisColumns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s := postgres.NewStore(db)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	id := storetest.QueueDomains(t, s, core.SitemapCuration, "cols", 1)[0]
	jobs, err := s.Claim(ctx, core.SitemapCuration, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	claimed := readAnalysisColumns(t, db, id)
	require.NotNil(t, claimed.Token)
	require.NotNil(t, claimed.Lease)
	require.Nil(t, claimed.FinishedAt)

	finished := now.Add(time.Minute)
	out := analysis.Outcome{FinishedAt: finished, TotalURLs: 3, Files: []analysis.File{
		{DomainID: uuid.New(), URL: "https://cols0.example.org/a.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 3},
	}}
	require.NoError(t, s.FinishAnalysis(ctx, jobs[0], out))
	got := readAnalysisColumns(t, db, id)
	require.Nil(t, got.Token, "the claim is cleared")
	require.Nil(t, got.Lease)
	require.NotNil(t, got.FinishedAt)
	require.True(t, finished.Equal(*got.FinishedAt))
	require.NotNil(t, got.RunFinishedAt, "the run is finished")
	require.True(t, finished.Equal(*got.RunFinishedAt))
	require.True(t, finished.Equal(got.UpdatedAt))

	fs, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, id, fs[0].DomainID, "stored under the fenced domain")
	require.NotEqual(t, uuid.Nil, fs[0].ID)
	require.Nil(t, fs[0].LastModified)

	// The job is finished: finishing it again is fenced out.
	require.ErrorIs(t, s.FinishAnalysis(ctx, jobs[0], out), core.ErrLeaseLost)
	require.ErrorIs(t, s.FinishAnalysis(ctx, queue.Job{DomainID: uuid.New(), Token: uuid.New()}, out), core.ErrLeaseLost,
		"an unknown domain")
}

// TestFinishAnalysisLargeOutcome stores a domain with many files, in one
// statement, and replaces most of them.
func TestFinishAnalysisLargeOutcome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.NewDB(t))
	now := time.Now().UTC()
	id := storetest.QueueDomains(t, s, core.SitemapCuration, "big", 1)[0]
	files := func(from, to int) analysis.Analysis {
		var a analysis.Analysis
		for i := from; i < to; i++ {
			// Mixed case and punctuation, which byte order and most
			// locales sort differently.
			prefix := []string{"a", "B", "_", "z", "-", "Y"}[i%6]
			a.Files = append(a.Files, analysis.File{URL: "https://big0.example.org/" + prefix + uuid.NewString() + ".xml",
				Type: analysis.TypeStandard, Discovery: analysis.DiscoverySitemapIndex, URLCount: i})
		}
		return a
	}
	first := files(0, 2000)
	jobs, err := s.Claim(ctx, core.SitemapCuration, 1, time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, s.FinishAnalysis(ctx, jobs[0], analysis.Build(id, first, now)))
	got, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 2000)
	require.True(t, slices.IsSortedFunc(got, func(a, b analysis.File) int { return strings.Compare(a.URL, b.URL) }), "byte order")

	storetest.QueueSitemapAgain(t, s, id)
	second := analysis.Analysis{Files: append(slices.Clone(first.Files[:10]), files(0, 5).Files...)}
	jobs, err = s.Claim(ctx, core.SitemapCuration, 1, time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, s.FinishAnalysis(ctx, jobs[0], analysis.Build(id, second, now)))
	got, err = s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 15)
	d, err := s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 15, d.SitemapCount)
	require.Equal(t, (0+9)*10/2+(0+4)*5/2, d.SitemapURLCount)
}

// TestSitemapSchemaConstraints checks the constraints of migration 4 that
// mirror core/analysis, by writing the tables directly.
func TestSitemapSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	domainID := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'smschema.example.org')", domainID)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery)
		VALUES (?, ?, 'https://smschema.example.org/taken.xml', 'index', 'robots_txt')`, uuid.New(), domainID)
	require.NoError(t, err)

	const (
		ok          = ""
		checkFailed = "23514"
		notNull     = "23502"
		unique      = "23505"
		foreignKey  = "23503"
	)
	type file struct {
		url, fileType, discovery any
		urlCount                 int
		errMsg                   any
		domainID                 uuid.UUID
	}
	base := func(url string) file {
		return file{url, "standard", "common_path", 0, "", domainID}
	}
	with := func(url string, f func(*file)) file {
		b := base(url)
		f(&b)
		return b
	}
	cases := []struct {
		name string
		f    file
		want string
	}{
		{"defaults", base("https://smschema.example.org/a.xml"), ok},
		{"video html_link", with("https://smschema.example.org/v.xml", func(f *file) { f.fileType, f.discovery = "video", "html_link" }), ok},
		{"news sitemap_index", with("https://smschema.example.org/n.xml", func(f *file) { f.fileType, f.discovery = "news", "sitemap_index" }), ok},
		{"image", with("https://smschema.example.org/i.xml", func(f *file) { f.fileType = "image" }), ok},
		{"type bogus", with("https://smschema.example.org/b.xml", func(f *file) { f.fileType = "urlset" }), checkFailed},
		{"type wrong case", with("https://smschema.example.org/c.xml", func(f *file) { f.fileType = "Index" }), checkFailed},
		{"type null", with("https://smschema.example.org/d.xml", func(f *file) { f.fileType = nil }), notNull},
		{"discovery bogus", with("https://smschema.example.org/e.xml", func(f *file) { f.discovery = "robots.txt" }), checkFailed},
		{"discovery null", with("https://smschema.example.org/f.xml", func(f *file) { f.discovery = nil }), notNull},
		{"url null", with("", func(f *file) { f.url = nil }), notNull},
		{"negative count", with("https://smschema.example.org/g.xml", func(f *file) { f.urlCount = -1 }), checkFailed},
		{"error null", with("https://smschema.example.org/h.xml", func(f *file) { f.errMsg = nil }), notNull},
		{"same url", base("https://smschema.example.org/taken.xml"), unique},
		{"unknown domain", with("https://smschema.example.org/j.xml", func(f *file) { f.domainID = uuid.New() }), foreignKey},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery, url_count, error)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, uuid.New(), c.f.domainID, c.f.url, c.f.fileType, c.f.discovery, c.f.urlCount, c.f.errMsg)
			if c.want == ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, c.want, sqlState(err), "case %d: %v", i, err)
		})
	}

	t.Run("domain counts", func(t *testing.T) {
		t.Parallel()
		for _, col := range []string{"sitemap_count", "sitemap_url_count"} {
			_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain, ?) VALUES (?, ?, -1)",
				bun.Ident(col), uuid.New(), uuid.NewString()+".example.org")
			require.Equal(t, checkFailed, sqlState(err), col)
			_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, ?) VALUES (?, ?, NULL)",
				bun.Ident(col), uuid.New(), uuid.NewString()+".example.org")
			require.Equal(t, notNull, sqlState(err), col)
		}
	})

	t.Run("cascade", func(t *testing.T) {
		t.Parallel()
		gone := uuid.New()
		_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'smgone.example.org')", gone)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery)
			VALUES (?, ?, 'https://smgone.example.org/s.xml', 'standard', 'common_path')`, uuid.New(), gone)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "DELETE FROM domains WHERE id = ?", gone)
		require.NoError(t, err)
		var left int
		require.NoError(t, db.NewRaw("SELECT count(*) FROM sitemap_files WHERE domain_id = ?", gone).Scan(ctx, &left))
		require.Zero(t, left, "deleting a domain deletes its files")
	})
}

// sitemapSchema describes what migration 4 adds, as the catalog shows it.
type sitemapSchema struct {
	Files        bool // the sitemap_files table exists
	CountColumns int  // how many of domains.sitemap_count and sitemap_url_count exist
}

func readSitemapSchema(t *testing.T, db *bun.DB) sitemapSchema {
	t.Helper()
	var s sitemapSchema
	require.NoError(t, db.NewRaw(`SELECT
		to_regclass('sitemap_files') IS NOT NULL,
		(SELECT count(*) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'domains'
			AND column_name IN ('sitemap_count', 'sitemap_url_count'))`).
		Scan(context.Background(), &s.Files, &s.CountColumns))
	return s
}

// TestMigrateSitemapsDownUp reverts migration 4 alone and applies it again,
// with data in the tables: the domains survive, the files table and the
// count columns go and come back, with their defaults.
func TestMigrateSitemapsDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t, pgtest.EmptyDSN(t))
	all := allMigrations()
	at := slices.Index(all, "20260101000004_sitemaps")
	require.GreaterOrEqual(t, at, 0, "migration 4 is embedded")
	_, err := postgres.Migrate(ctx, db, postgres.Up)
	require.NoError(t, err)
	// Come back to migration 4, in case later ones exist.
	for range len(all) - 1 - at {
		_, err := postgres.Migrate(ctx, db, postgres.Down)
		require.NoError(t, err)
	}
	migrated := sitemapSchema{Files: true, CountColumns: 2}
	require.Equal(t, migrated, readSitemapSchema(t, db))

	id := uuid.New()
	_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, sitemap_count, sitemap_url_count) VALUES (?, 'smkeep.example.org', 1, 40)", id)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery, url_count)
		VALUES (?, ?, 'https://smkeep.example.org/s.xml', 'standard', 'robots_txt', 40)`, uuid.New(), id)
	require.NoError(t, err)

	ran, err := postgres.Migrate(ctx, db, postgres.Down)
	require.NoError(t, err)
	require.Equal(t, []string{all[at]}, ran)
	require.Equal(t, sitemapSchema{}, readSitemapSchema(t, db))
	var host string
	require.NoError(t, db.NewRaw("SELECT domain FROM domains WHERE id = ?", id).Scan(ctx, &host))
	require.Equal(t, "smkeep.example.org", host, "the domains survive")

	ran, err = postgres.Migrate(ctx, db, postgres.Up)
	require.NoError(t, err)
	require.Equal(t, all[at:], ran)
	require.Equal(t, migrated, readSitemapSchema(t, db))
	s := postgres.NewStore(db)
	d, err := s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Zero(t, d.SitemapCount, "the columns come back with their defaults")
	require.Zero(t, d.SitemapURLCount)
	fs, err := s.SitemapFiles(ctx, id)
	require.NoError(t, err)
	require.Empty(t, fs)
}
