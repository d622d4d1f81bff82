package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/migrations"
)

// allMigrations lists the embedded migrations as Migrate reports them.
func allMigrations() []string {
	var out []string
	for _, m := range migrations.Postgres.Sorted() {
		out = append(out, m.String())
	}
	return out
}

func tableExists(t *testing.T, db *bun.DB, name string) bool {
	t.Helper()
	var exists bool
	require.NoError(t, db.NewRaw("SELECT to_regclass(?) IS NOT NULL", name).Scan(context.Background(), &exists))
	return exists
}

// sqlState returns the SQLSTATE of a PostgreSQL error, "" for others.
func sqlState(err error) string {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C')
	}
	return ""
}

func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'taken.example.org')", uuid.New())
	require.NoError(t, err)

	const (
		ok           = ""
		checkFailed  = "23514"
		notNull      = "23502"
		uniqueFailed = "23505"
	)
	cases := []struct {
		name   string
		column string
		value  any
		want   string
	}{
		{"curation Not a Fit", "sitemap_curation_status", "Not a Fit", ok},
		{"curation bogus", "sitemap_curation_status", "Bogus", checkFailed},
		{"curation wrong case", "sitemap_curation_status", "selected", checkFailed},
		{"curation null", "sitemap_curation_status", nil, notNull},
		{"email scan Archived", "email_scan_status", "Archived", ok},
		{"email scan bogus", "email_scan_status", "Bogus", checkFailed},
		{"email scan null", "email_scan_status", nil, notNull},
		{"analysis Processing", "sitemap_analysis_status", "Processing", ok},
		{"analysis null", "sitemap_analysis_status", nil, ok},
		{"analysis InProgress", "sitemap_analysis_status", "InProgress", checkFailed},
		{"analysis bogus", "sitemap_analysis_status", "Bogus", checkFailed},
		{"page scrape Cancelled", "page_scrape_status", "Cancelled", ok},
		{"page scrape null", "page_scrape_status", nil, ok},
		{"page scrape Processing", "page_scrape_status", "Processing", checkFailed},
		{"page scrape bogus", "page_scrape_status", "Bogus", checkFailed},
		{"domain taken", "domain", "taken.example.org", uniqueFailed},
		{"domain empty", "domain", "", checkFailed},
		{"domain null", "domain", nil, notNull},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Every other column gets its default; the host is unique unless
			// the case sets it.
			var err error
			if c.column == "domain" {
				_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, ?)", uuid.New(), c.value)
			} else {
				_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, ?) VALUES (?, ?, ?)",
					bun.Ident(c.column), uuid.New(), uuid.NewString()+".example.org", c.value)
			}
			if c.want == ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, c.want, sqlState(err), "case %d: %v", i, err)
		})
	}
}

func TestSchemaColumnsAndDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)

	type col struct {
		Name     string `bun:"column_name"`
		Type     string `bun:"data_type"`
		Nullable string `bun:"is_nullable"`
	}
	var cols []col
	require.NoError(t, db.NewRaw(`SELECT column_name, data_type, is_nullable
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'domains'
		ORDER BY ordinal_position`).Scan(ctx, &cols))
	// The column names are the contract with core.Field and the original
	// schema.
	require.Equal(t, []col{
		{"id", "uuid", "NO"},
		{"domain", "text", "NO"},
		{"created_at", "timestamp with time zone", "NO"},
		{"updated_at", "timestamp with time zone", "NO"},
		{"sitemap_curation_status", "text", "NO"},
		{"sitemap_analysis_status", "text", "YES"},
		{"sitemap_analysis_error", "text", "YES"},
		{"email_scan_status", "text", "NO"},
		{"page_scrape_status", "text", "YES"},
		{"page_scrape_error", "text", "YES"},
		{"page_scrape_attempts", "integer", "NO"},
		{"page_scrape_started_at", "timestamp with time zone", "YES"},
		{"page_scrape_finished_at", "timestamp with time zone", "YES"},
		{"sitemap_analysis_attempts", "integer", "NO"},
		{"sitemap_analysis_started_at", "timestamp with time zone", "YES"},
		{"sitemap_analysis_finished_at", "timestamp with time zone", "YES"},
		{"pages_scanned", "integer", "NO"},
		{"contacts_found", "integer", "NO"},
		{"sitemap_count", "integer", "NO"},
		{"sitemap_url_count", "integer", "NO"},
		{"page_cap_reached", "boolean", "NO"},
		{"page_scrape_next_attempt_at", "timestamp with time zone", "YES"},
		{"sitemap_analysis_next_attempt_at", "timestamp with time zone", "YES"},
	}, cols)

	id := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'defaults.example.org')", id)
	require.NoError(t, err)
	d, err := postgres.NewStore(db).GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "New", string(d.SitemapCurationStatus))
	require.Equal(t, "New", string(d.EmailScanStatus))
	require.Nil(t, d.PageScrapeStatus)
	require.Nil(t, d.SitemapAnalysisStatus)
	require.WithinDuration(t, time.Now(), d.CreatedAt, time.Minute)
	require.Zero(t, d.PageScrapeAttempts)
	require.Nil(t, d.PageScrapeStartedAt)
	require.Nil(t, d.PageScrapeFinishedAt)
	require.Zero(t, d.PagesScanned)
	require.Zero(t, d.ContactsFound)
	require.Zero(t, d.SitemapCount)
	require.Zero(t, d.SitemapURLCount)

	// The claim's partial indexes hold only queued rows, in claim order.
	type index struct {
		Name string `bun:"indexname"`
		Def  string `bun:"indexdef"`
	}
	var partial []index
	require.NoError(t, db.NewRaw(`SELECT indexname, indexdef FROM pg_indexes
		WHERE tablename = 'domains' AND indexdef LIKE '%WHERE%' ORDER BY indexname`).Scan(ctx, &partial))
	want := map[string]string{
		"domains_page_scrape_queued_idx":      "(updated_at, id) WHERE (page_scrape_status = 'Queued'::text)",
		"domains_sitemap_analysis_queued_idx": "(updated_at, id) WHERE (sitemap_analysis_status = 'Queued'::text)",
	}
	require.Len(t, partial, len(want))
	for _, ix := range partial {
		require.Contains(t, want, ix.Name)
		require.True(t, strings.HasSuffix(ix.Def, want[ix.Name]), "%s: %s", ix.Name, ix.Def)
	}
}
