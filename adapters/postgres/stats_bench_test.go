package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// BenchmarkCountStatuses500k measures the statement behind GET
// /api/v3/domains/stats on 500,000 domains whose statuses cycle through
// every value (a third of the processing statuses NULL), vacuumed and
// analyzed as autovacuum leaves a table at rest.
func BenchmarkCountStatuses500k(b *testing.B) {
	const n = 500_000
	ctx := context.Background()
	db, err := postgres.Open(pgtest.DSN(b), postgres.WithReadTimeout(10*time.Minute), postgres.WithApplicationName("scrapersky-bench"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if _, err := db.ExecContext(ctx, `INSERT INTO domains (id, domain, created_at, updated_at,
		email_scan_status, sitemap_curation_status, page_scrape_status, sitemap_analysis_status)
	SELECT gen_random_uuid(), 'site' || g || '.example.org',
		timestamptz '2026-01-01' + g * interval '1 second',
		timestamptz '2026-01-01' + (g % 7919) * interval '1 minute',
		(ARRAY['New','Selected','Maybe','Not a Fit','Archived'])[1 + g % 5],
		(ARRAY['New','Selected','Maybe','Not a Fit','Archived'])[1 + g % 7 % 5],
		CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['Queued','InProgress','Completed','Error','Cancelled'])[1 + g % 5] END,
		CASE WHEN g % 4 = 0 THEN NULL ELSE (ARRAY['Queued','Processing','Completed','Error'])[1 + g % 4] END
	FROM generate_series(1, ?) AS g`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) domains`); err != nil {
		b.Fatal(err)
	}
	s := postgres.NewStore(db)
	check := func(counts []core.StatusCount) {
		total := 0
		for _, c := range counts {
			if c.Field == core.FieldPageScrapeStatus {
				total += c.Count
			}
		}
		if total != n {
			b.Fatalf("page_scrape_status counts add up to %d, want %d", total, n)
		}
	}
	// uncached is one count per request, as before the cache; cached is
	// what GET /api/v3/domains/stats costs a poller now: the count of
	// catalog.StatsCache, renewed after a write through the API
	// (every 10th call here, as a busy curator would) or after its TTL.
	for _, bc := range []struct {
		name    string
		counter catalog.StatusCounter
	}{
		{"uncached", s},
		{"cached_write_every_10th", catalog.NewStatsCache(s, catalog.DefaultStatsTTL, core.SystemClock{})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if c, ok := bc.counter.(*catalog.StatsCache); ok && i%10 == 0 {
					c.Invalidate()
				}
				i++
				counts, err := bc.counter.CountStatuses(ctx)
				if err != nil {
					b.Fatal(err)
				}
				check(counts)
			}
		})
	}
}
