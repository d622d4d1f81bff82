package sqlite_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/migrations"
)

// allMigrations lists the embedded migrations as Migrate reports them.
func allMigrations() []string {
	var out []string
	for _, m := range migrations.Sqlite.Sorted() {
		out = append(out, m.String())
	}
	return out
}

// schemaObject reports whether the schema holds a table or index of name.
func schemaObject(t *testing.T, db *bun.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM sqlite_schema WHERE name = ?", name).Scan(context.Background(), &n))
	return n == 1
}

func hasColumn(t *testing.T, db *bun.DB, table, column string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", table, column).
		Scan(context.Background(), &n))
	return n == 1
}

// TestMigrationsMirrorPostgres keeps the two engines' histories aligned:
// both have the same versions, each named the same on both sides, in the
// same order, and both directions.
func TestMigrationsMirrorPostgres(t *testing.T) {
	t.Parallel()
	label := func(ms []migrate.Migration) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.String()
		}
		return out
	}
	pg, lite := migrations.Postgres.Sorted(), migrations.Sqlite.Sorted()
	require.GreaterOrEqual(t, len(lite), 4)
	require.Equal(t, label(pg), label(lite), "the same versions and names on both sides")
	for i, m := range lite {
		require.NotNil(t, m.Up, "%s has an up migration", m)
		require.NotNil(t, m.Down, "%s has a down migration", m)
		if i > 0 {
			require.Less(t, lite[i-1].Name, m.Name)
		}
	}
}

// TestMigrateQueueDownUp reverts migration 2 alone and applies it again,
// with data in the tables: the domains survive, the queue's columns, tables
// and indexes go and come back, migration 1's polling index the other way.
func TestMigrateQueueDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.Open(t, sqlitetest.EmptyPath(t))
	all := allMigrations()
	require.Equal(t, "20260101000002_queue", all[1])
	_, err := sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	for range len(all) - 2 {
		_, err := sqlite.Migrate(ctx, db, sqlite.Down)
		require.NoError(t, err)
	}
	type queueSchema struct{ Contacts, Pages, Attempts, ClaimIndex, OldPoll bool }
	read := func() queueSchema {
		return queueSchema{
			Contacts:   schemaObject(t, db, "contacts"),
			Pages:      schemaObject(t, db, "pages"),
			Attempts:   hasColumn(t, db, "domains", "page_scrape_attempts"),
			ClaimIndex: schemaObject(t, db, "domains_page_scrape_claim_idx"),
			OldPoll:    schemaObject(t, db, "domains_page_scrape_queued_idx"),
		}
	}
	migrated := queueSchema{Contacts: true, Pages: true, Attempts: true, ClaimIndex: true}
	require.Equal(t, migrated, read())

	id := uuid.New()
	_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, page_scrape_attempts) VALUES (?, 'keep.example.org', 2)", id)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
		VALUES (?, ?, 'a@keep.example.org', 'service', FALSE, 'http://keep.example.org/', ?, ?)`, uuid.New(), id, time.Now(), time.Now())
	require.NoError(t, err)

	ran, err := sqlite.Migrate(ctx, db, sqlite.Down)
	require.NoError(t, err)
	require.Equal(t, []string{all[1]}, ran)
	require.Equal(t, queueSchema{OldPoll: true}, read())
	var host string
	require.NoError(t, db.NewRaw("SELECT domain FROM domains WHERE id = ?", id).Scan(ctx, &host))
	require.Equal(t, "keep.example.org", host, "the domains survive")

	ran, err = sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	require.Equal(t, all[1:], ran)
	// Migration 5 moves the queue to the jobs table and brings migration
	// 1's polling index back.
	require.Equal(t, queueSchema{Contacts: true, Pages: true, Attempts: true, OldPoll: true}, read())
	d, err := sqlite.NewStore(db).GetDomain(ctx, id)
	require.NoError(t, err)
	require.Zero(t, d.PageScrapeAttempts, "the columns come back with their defaults")
}

// TestMigrateFailureLeavesNothing breaks migration 2 half-way (a table it
// creates exists already): its earlier statements roll back with it and it
// stays pending, so removing the obstacle lets it run.
func TestMigrateFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.Open(t, sqlitetest.EmptyPath(t))
	_, err := db.ExecContext(ctx, "CREATE TABLE pages (x INTEGER)")
	require.NoError(t, err)
	_, err = sqlite.Migrate(ctx, db, sqlite.Up)
	require.ErrorContains(t, err, "20260101000002")
	st, err := sqlite.MigrationStatus(ctx, db)
	require.NoError(t, err)
	require.Equal(t, allMigrations()[:1], st.Applied)
	require.False(t, hasColumn(t, db, "domains", "page_scrape_attempts"), "the ALTERs before the failure rolled back")
	require.False(t, schemaObject(t, db, "contacts"))

	_, err = db.ExecContext(ctx, "DROP TABLE pages")
	require.NoError(t, err)
	ran, err := sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	require.Equal(t, allMigrations()[1:], ran)
}

func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	taken := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'taken.example.org')", taken)
	require.NoError(t, err)

	const ok = 0
	cases := []struct {
		name   string
		column string
		value  any
		want   int
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
		{"page scrape Cancelled", "page_scrape_status", "Cancelled", ok},
		{"page scrape null", "page_scrape_status", nil, ok},
		{"page scrape Processing", "page_scrape_status", "Processing", checkFailed},
		{"attempts negative", "page_scrape_attempts", -1, checkFailed},
		{"attempts as text", "sitemap_analysis_attempts", "two", typeMismatch},
		{"pages scanned negative", "pages_scanned", -1, checkFailed},
		{"contacts found negative", "contacts_found", -1, checkFailed},
		{"domain taken", "domain", "taken.example.org", uniqueFailed},
		{"domain empty", "domain", "", checkFailed},
		{"domain null", "domain", nil, notNull},
		{"id taken", "id", taken, primaryKeyDup},
		{"id not a uuid", "id", "42", checkFailed},
		{"id null", "id", nil, notNull},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Every other column gets its default; the host and the id are
			// unique unless the case sets them.
			var err error
			switch c.column {
			case "domain":
				_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, ?)", uuid.New(), c.value)
			case "id":
				_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, ?)", c.value, uuid.NewString()+".example.org")
			default:
				_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, ?) VALUES (?, ?, ?)",
					bun.Ident(c.column), uuid.New(), uuid.NewString()+".example.org", c.value)
			}
			if c.want == ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, c.want, sqliteCode(err), "case %d: %v", i, err)
		})
	}
}

// TestScanSchemaConstraints checks the constraints of contacts and pages
// that mirror core, and the references to domains with their cascade.
func TestScanSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	domainID := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'schema.example.org')", domainID)
	require.NoError(t, err)
	now := time.Now()
	insertContact := func(domain uuid.UUID, email, typ, context string, gmail any) error {
		_, err := db.ExecContext(ctx, `INSERT INTO contacts
			(id, domain_id, email, email_type, has_gmail, context, source_url, first_seen_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, 'http://schema.example.org/', ?, ?)`,
			uuid.New(), domain, email, typ, gmail, context, now, now)
		return err
	}
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"service", insertContact(domainID, "a@schema.example.org", "service", "", false), 0},
		{"longest context", insertContact(domainID, "b@schema.example.org", "free", strings.Repeat("é", 200), true), 0},
		{"context too long", insertContact(domainID, "c@schema.example.org", "free", strings.Repeat("é", 201), true), checkFailed},
		{"type bogus", insertContact(domainID, "d@schema.example.org", "personal", "", false), checkFailed},
		{"gmail not a boolean", insertContact(domainID, "e@schema.example.org", "free", "", 2), checkFailed},
		{"same address twice", insertContact(domainID, "a@schema.example.org", "service", "", false), uniqueFailed},
		{"unknown domain", insertContact(uuid.New(), "f@schema.example.org", "service", "", false), foreignKey},
	}
	for _, c := range cases {
		if c.want == 0 {
			require.NoError(t, c.err, c.name)
		} else {
			require.Equal(t, c.want, sqliteCode(c.err), "%s: %v", c.name, c.err)
		}
	}
	_, err = db.ExecContext(ctx, "INSERT INTO pages (domain_id, url, http_status, emails_found, fetched_at) VALUES (?, 'http://schema.example.org/', 200, 1, ?)", domainID, now)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO pages (domain_id, url, http_status, emails_found, fetched_at) VALUES (?, 'http://schema.example.org/x', 200, -1, ?)", domainID, now)
	require.Equal(t, checkFailed, sqliteCode(err), "%v", err)
	_, err = db.ExecContext(ctx, "INSERT INTO pages (domain_id, url, http_status, fetched_at) VALUES (?, 'http://schema.example.org/', 404, ?)", domainID, now)
	require.Equal(t, primaryKeyDup, sqliteCode(err), "one row per URL: %v", err)

	// Deleting a domain takes its results with it.
	_, err = db.ExecContext(ctx, "DELETE FROM domains WHERE id = ?", domainID)
	require.NoError(t, err)
	var left int
	require.NoError(t, db.NewRaw("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM pages)").Scan(ctx, &left))
	require.Zero(t, left)
}

func TestSchemaColumnsAndIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	type col struct {
		Name    string `bun:"name"`
		Type    string `bun:"type"`
		NotNull bool   `bun:"notnull"`
	}
	var cols []col
	require.NoError(t, db.NewRaw(`SELECT name, type, "notnull" FROM pragma_table_info('domains') ORDER BY cid`).Scan(ctx, &cols))
	// The column names are the contract with core.Field and the Postgres
	// schema; the order is Postgres's too.
	require.Equal(t, []col{
		{"id", "TEXT", true},
		{"domain", "TEXT", true},
		{"created_at", "TEXT", true},
		{"updated_at", "TEXT", true},
		{"sitemap_curation_status", "TEXT", true},
		{"sitemap_analysis_status", "TEXT", false},
		{"sitemap_analysis_error", "TEXT", false},
		{"email_scan_status", "TEXT", true},
		{"page_scrape_status", "TEXT", false},
		{"page_scrape_error", "TEXT", false},
		{"page_scrape_attempts", "INTEGER", true},
		{"page_scrape_started_at", "TEXT", false},
		{"page_scrape_finished_at", "TEXT", false},
		{"sitemap_analysis_attempts", "INTEGER", true},
		{"sitemap_analysis_started_at", "TEXT", false},
		{"sitemap_analysis_finished_at", "TEXT", false},
		{"pages_scanned", "INTEGER", true},
		{"contacts_found", "INTEGER", true},
		{"sitemap_count", "INTEGER", true},
		{"sitemap_url_count", "INTEGER", true},
		{"page_cap_reached", "INTEGER", true},
		{"page_scrape_next_attempt_at", "TEXT", false},
		{"sitemap_analysis_next_attempt_at", "TEXT", false},
	}, cols)

	// A row with only the required columns gets the defaults, its times in
	// the layout Bun reads.
	id := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'defaults.example.org')", id)
	require.NoError(t, err)
	d, err := sqlite.NewStore(db).GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "New", string(d.SitemapCurationStatus))
	require.Equal(t, "New", string(d.EmailScanStatus))
	require.Nil(t, d.PageScrapeStatus)
	require.WithinDuration(t, time.Now(), d.CreatedAt, time.Minute)
	require.Zero(t, d.PageScrapeAttempts)

	// The claim's partial indexes hold only queued rows, in claim order.
	type index struct {
		Name string `bun:"name"`
		SQL  string `bun:"sql"`
	}
	var partial []index
	require.NoError(t, db.NewRaw(`SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = 'domains' AND sql LIKE '%WHERE%' ORDER BY name`).Scan(ctx, &partial))
	want := map[string]string{
		"domains_page_scrape_queued_idx":      "(updated_at, id) WHERE page_scrape_status = 'Queued'",
		"domains_sitemap_analysis_queued_idx": "(updated_at, id) WHERE sitemap_analysis_status = 'Queued'",
	}
	require.Len(t, partial, len(want))
	for _, ix := range partial {
		require.Contains(t, want, ix.Name)
		require.True(t, strings.HasSuffix(strings.Join(strings.Fields(ix.SQL), " "), want[ix.Name]), "%s: %s", ix.Name, ix.SQL)
	}
}

// indexNames lists the named indexes of the schema (not the ones SQLite
// makes for PRIMARY KEY and UNIQUE constraints), sorted.
func indexNames(t *testing.T, db *bun.DB) []string {
	t.Helper()
	names := []string{}
	require.NoError(t, db.NewRaw(`SELECT name FROM sqlite_schema
		WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name`).Scan(context.Background(), &names))
	return names
}

// TestMigrateListingAndSitemapsDownUp reverts migrations 4 and 3 one at a
// time with data in the tables, and applies them again: the domains and
// contacts survive, the sitemap table and totals and the listing indexes go
// and come back, migration 1's primary status indexes the other way.
func TestMigrateListingAndSitemapsDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.Open(t, sqlitetest.EmptyPath(t))
	all := allMigrations()
	require.Equal(t, []string{"20260101000003_listing", "20260101000004_sitemaps"}, all[2:4])
	_, err := sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	for range len(all) - 4 {
		_, err := sqlite.Migrate(ctx, db, sqlite.Down)
		require.NoError(t, err)
	}

	queuePoll := []string{
		"domains_page_scrape_claim_idx", "domains_page_scrape_rescue_idx",
		"domains_sitemap_analysis_claim_idx", "domains_sitemap_analysis_rescue_idx",
	}
	sorted := func(names ...[]string) []string {
		var out []string
		for _, n := range names {
			out = append(out, n...)
		}
		slices.Sort(out)
		return out
	}
	before3 := sorted(queuePoll, []string{
		"contacts_email_type_idx", "domains_email_scan_status_idx", "domains_sitemap_curation_status_idx",
	})
	after3 := sorted(queuePoll, []string{
		"contacts_email_list_idx", "contacts_email_type_idx",
		"domains_created_at_list_idx", "domains_email_scan_status_list_idx",
		"domains_page_scrape_status_list_idx", "domains_sitemap_analysis_status_list_idx",
		"domains_sitemap_curation_status_list_idx", "domains_updated_at_list_idx",
	})
	type schema struct {
		Indexes                []string
		SitemapFiles, Counts   bool
		SitemapFilesUniqueKeys int
	}
	read := func() schema {
		var keys int
		require.NoError(t, db.NewRaw(`SELECT count(*) FROM pragma_index_list('sitemap_files') WHERE origin = 'u'`).Scan(ctx, &keys))
		return schema{
			Indexes:                indexNames(t, db),
			SitemapFiles:           schemaObject(t, db, "sitemap_files"),
			Counts:                 hasColumn(t, db, "domains", "sitemap_count") && hasColumn(t, db, "domains", "sitemap_url_count"),
			SitemapFilesUniqueKeys: keys,
		}
	}
	migrated := schema{Indexes: after3, SitemapFiles: true, Counts: true, SitemapFilesUniqueKeys: 1}
	require.Equal(t, migrated, read())
	// With migration 5 on top, the queue's indexes are the jobs table's
	// and migration 1's polling ones.
	latest := migrated
	latest.Indexes = sorted(slices.DeleteFunc(slices.Clone(after3), func(n string) bool { return slices.Contains(queuePoll, n) }),
		[]string{"domains_page_scrape_queued_idx", "domains_sitemap_analysis_queued_idx", "jobs_history_idx", "jobs_open_key", "jobs_rescue_idx"})

	id, now := uuid.New(), time.Now()
	_, err = db.ExecContext(ctx, `INSERT INTO domains (id, domain, sitemap_count, sitemap_url_count)
		VALUES (?, 'keep.example.org', 1, 9)`, id)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO sitemap_files (id, domain_id, url, type, discovery, url_count)
		VALUES (?, ?, 'https://keep.example.org/sitemap.xml', 'standard', 'common_path', 9)`, uuid.New(), id)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
		VALUES (?, ?, 'a@keep.example.org', 'service', FALSE, 'http://keep.example.org/', ?, ?)`, uuid.New(), id, now, now)
	require.NoError(t, err)

	steps := []struct {
		dir  sqlite.Direction
		ran  []string
		want schema
	}{
		{sqlite.Down, all[3:4], schema{Indexes: after3}},
		{sqlite.Down, all[2:3], schema{Indexes: before3}},
		{sqlite.Up, all[2:], latest},
	}
	for i, st := range steps {
		ran, err := sqlite.Migrate(ctx, db, st.dir)
		require.NoError(t, err, "step %d", i)
		require.Equal(t, st.ran, ran, "step %d", i)
		require.Equal(t, st.want, read(), "step %d", i)
		var host string
		var contacts int
		require.NoError(t, db.NewRaw("SELECT domain, (SELECT count(*) FROM contacts WHERE domain_id = d.id) FROM domains AS d WHERE id = ?", id).
			Scan(ctx, &host, &contacts), "step %d", i)
		require.Equal(t, "keep.example.org", host, "step %d: the domains survive", i)
		require.Equal(t, 1, contacts, "step %d: the contacts survive", i)
	}
	d, err := sqlite.NewStore(db).GetDomain(ctx, id)
	require.NoError(t, err)
	require.Zero(t, d.SitemapCount, "the totals come back with their defaults")
	require.Zero(t, d.SitemapURLCount)
}

// TestSchemaVersion follows the schema version through a fresh file, a
// full migration, every step down and a migration unknown to this build:
// it is always MigrationStatus's Version, and reading it creates nothing.
func TestSchemaVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.Open(t, sqlitetest.EmptyPath(t))
	s := sqlite.NewStore(db)
	version := func() string {
		t.Helper()
		v, err := s.SchemaVersion(ctx)
		require.NoError(t, err)
		return v
	}

	require.Empty(t, version(), "a file never migrated")
	require.False(t, schemaObject(t, db, "bun_migrations"), "SchemaVersion only reads")

	_, err := sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	sorted := migrations.Sqlite.Sorted()
	require.Equal(t, sorted[len(sorted)-1].Name, version())
	for range sorted {
		st, err := sqlite.MigrationStatus(ctx, db)
		require.NoError(t, err)
		require.Equal(t, st.Version, version())
		_, err = sqlite.Migrate(ctx, db, sqlite.Down)
		require.NoError(t, err)
	}
	require.Empty(t, version(), "every migration reverted")

	_, err = db.ExecContext(ctx, "INSERT INTO bun_migrations (name, group_id) VALUES ('29990101000000', 99)")
	require.NoError(t, err)
	require.Equal(t, "29990101000000", version(), "a newer build's migration")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.SchemaVersion(cctx)
	require.ErrorIs(t, err, context.Canceled)
}
