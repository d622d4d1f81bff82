package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// queryLog records the statements a store runs, so a test can EXPLAIN
// exactly the SQL the store sends.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	l.queries = append(l.queries, e.Query)
	l.mu.Unlock()
}

// take returns the statements run since the last take that start with
// prefix ("SELECT", "UPDATE"), and forgets them all.
func (l *queryLog) take(prefix string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, q := range l.queries {
		if strings.HasPrefix(q, prefix) {
			out = append(out, q)
		}
	}
	l.queries = nil
	return out
}

// queryPlan returns the detail lines of EXPLAIN QUERY PLAN for query.
func queryPlan(t *testing.T, db *bun.DB, query string) []string {
	t.Helper()
	var rows []struct {
		ID     int    `bun:"id"`
		Parent int    `bun:"parent"`
		Unused int    `bun:"notused"`
		Detail string `bun:"detail"`
	}
	// The query was formatted by Bun already; it carries no placeholders
	// left to bind.
	require.NoError(t, db.NewRaw("EXPLAIN QUERY PLAN "+query).Scan(context.Background(), &rows))
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Detail
	}
	return out
}

// randomUUIDSQL makes a random version 4 UUID in its text form.
const randomUUIDSQL = `printf('%08x-%04x-4%03x-%04x-%012x', random() & 0xffffffff, random() & 0xffff,
	random() & 0xfff, (random() & 0x3fff) | 0x8000, random() & 0xffffffffffff)`

// loadListing stores n domains in one statement, at bulk speed: statuses
// cycle with different periods so that filters and sorts combine, a third
// of the page scrape statuses and a quarter of the analysis statuses are
// NULL, and update times tie in groups. Each domain gets one contact.
func loadListing(t *testing.T, db *bun.DB, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `WITH RECURSIVE g(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM g WHERE g < ?)
	INSERT INTO domains (id, domain, created_at, updated_at,
		email_scan_status, sitemap_curation_status, page_scrape_status, sitemap_analysis_status,
		contacts_found, pages_scanned)
	SELECT `+randomUUIDSQL+`, 'site' || g || '.example.org',
		strftime('%Y-%m-%d %H:%M:%S+00:00', '2026-01-01', '+' || g || ' seconds'),
		strftime('%Y-%m-%d %H:%M:%S+00:00', '2026-01-01', '+' || (g % 7919) || ' minutes'),
		json_extract('["New","Selected","Maybe","Not a Fit","Archived"]', '$[' || (g % 5) || ']'),
		json_extract('["New","Selected","Maybe","Not a Fit","Archived"]', '$[' || (g % 7 % 5) || ']'),
		CASE WHEN g % 3 = 0 THEN NULL
			ELSE json_extract('["Queued","InProgress","Completed","Error","Cancelled"]', '$[' || (g % 5) || ']') END,
		CASE WHEN g % 4 = 0 THEN NULL
			ELSE json_extract('["Queued","Processing","Completed","Error"]', '$[' || (g % 4) || ']') END,
		g % 50, g % 30
	FROM g`, n)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
	SELECT `+randomUUIDSQL+`, d.id, 'person' || (abs(random()) % 65536) || '@' || d.domain,
		'corporate', 0, 'http://' || d.domain || '/contact', d.created_at, d.created_at
	FROM domains AS d`)
	require.NoError(t, err)
}

// uniqueIndexOf returns the name of the index SQLite made for the UNIQUE
// constraint on table's column.
func uniqueIndexOf(t *testing.T, db *bun.DB, table, column string) string {
	t.Helper()
	var name string
	require.NoError(t, db.NewRaw(`SELECT il.name FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii
		WHERE il.origin = 'u' AND ii.name = ?`, table, column).Scan(context.Background(), &name))
	return name
}

// TestListingPlans loads 10,000 domains and contacts and checks with
// EXPLAIN QUERY PLAN that the representative first pages read an index in
// the page's order (no "USE TEMP B-TREE FOR ORDER BY", a sort of every
// matching row), and that an export batch after a cursor starts in the
// (email, id) index. No ANALYZE: the planner picks these indexes without
// statistics, as on a database nobody tuned. It logs the timings.
func TestListingPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	s := sqlite.NewStore(db)
	const n = 10_000
	start := time.Now()
	loadListing(t, db, n)
	t.Logf("loaded %d domains and %d contacts in %v", n, n, time.Since(start).Round(time.Millisecond))

	domainKey := uniqueIndexOf(t, db, "domains", "domain")
	log := &queryLog{}
	db.AddQueryHook(log)
	q := func(edit func(*catalog.DomainQuery)) catalog.DomainQuery {
		dq := catalog.NewDomainQuery()
		edit(&dq)
		require.NoError(t, dq.Validate())
		return dq
	}
	cases := []struct {
		name string
		q    catalog.DomainQuery
		plan string // a detail line of the plan
	}{
		{"default screen", q(func(*catalog.DomainQuery) {}),
			"SCAN d USING INDEX domains_updated_at_list_idx"},
		{"email_scan_status, updated_at desc", q(func(q *catalog.DomainQuery) { q.EmailScanStatus = ptr(core.CurationSelected) }),
			"SEARCH d USING INDEX domains_email_scan_status_list_idx (email_scan_status=?)"},
		{"sitemap_curation_status, page 50", q(func(q *catalog.DomainQuery) { q.SitemapCurationStatus = ptr(core.CurationMaybe); q.Page = 50 }),
			"SEARCH d USING INDEX domains_sitemap_curation_status_list_idx (sitemap_curation_status=?)"},
		{"page_scrape_status, updated_at asc", q(func(q *catalog.DomainQuery) {
			q.PageScrapeStatus, q.SortDesc = catalog.Is(core.TaskQueued), false
		}), "SEARCH d USING INDEX domains_page_scrape_status_list_idx (page_scrape_status=?)"},
		{"page_scrape_status null", q(func(q *catalog.DomainQuery) { q.PageScrapeStatus = catalog.IsNull[core.TaskStatus]() }),
			"SEARCH d USING INDEX domains_page_scrape_status_list_idx (page_scrape_status=?)"},
		{"sitemap_analysis_status, size 100", q(func(q *catalog.DomainQuery) {
			q.SitemapAnalysisStatus, q.Size = catalog.Is(core.AnalysisError), catalog.MaxSize
		}), "SEARCH d USING INDEX domains_sitemap_analysis_status_list_idx (sitemap_analysis_status=?)"},
		{"created_at asc", q(func(q *catalog.DomainQuery) { q.SortBy, q.SortDesc = catalog.SortCreatedAt, false }),
			"SCAN d USING INDEX domains_created_at_list_idx"},
		{"domain asc, page 10", q(func(q *catalog.DomainQuery) { q.SortBy, q.SortDesc, q.Page = catalog.SortDomain, false, 10 }),
			"SCAN d USING INDEX " + domainKey},
		{"domain desc", q(func(q *catalog.DomainQuery) { q.SortBy = catalog.SortDomain }),
			"SCAN d USING INDEX " + domainKey},
		{"domain_filter", q(func(q *catalog.DomainQuery) { q.DomainFilter = "SITE1234" }),
			"SCAN d USING INDEX domains_updated_at_list_idx"},
	}
	for _, tc := range cases {
		log.take("")
		began := time.Now()
		p, err := s.ListDomains(ctx, tc.q)
		took := time.Since(began)
		require.NoError(t, err, tc.name)
		require.NotEmpty(t, p.Items, tc.name)
		queries := log.take("SELECT")
		require.NotEmpty(t, queries, tc.name)
		plan := queryPlan(t, db, queries[0])
		require.Contains(t, plan, tc.plan, tc.name)
		for _, line := range plan {
			require.NotContains(t, line, "TEMP B-TREE", "%s: a sort of every matching row: %v", tc.name, plan)
		}
		t.Logf("%-36s total %5d  %v; ListDomains %v", tc.name, p.Total, plan, took.Round(10*time.Microsecond))
	}

	// A sort left without an index on purpose (see migration 3): it reads
	// the matching rows and keeps the top; logged for the record.
	log.take("")
	began := time.Now()
	p, err := s.ListDomains(ctx, q(func(q *catalog.DomainQuery) { q.SortBy = catalog.SortContactsFound }))
	took := time.Since(began)
	require.NoError(t, err)
	require.Len(t, p.Items, catalog.DefaultSize)
	t.Logf("%-36s total %5d  %v; ListDomains %v", "contacts_found desc (no index)", p.Total,
		queryPlan(t, db, log.take("SELECT")[0]), took.Round(10*time.Microsecond))

	// The contact listing without and with a domain filter.
	for _, f := range []catalog.ContactFilter{{}, {DomainID: &p.Items[0].ID}} {
		log.take("")
		cp, err := s.ListContacts(ctx, catalog.ContactQuery{ContactFilter: f, Page: 3, Size: 10})
		require.NoError(t, err)
		require.NotNil(t, cp.Items)
		plan := queryPlan(t, db, log.take("SELECT")[0])
		for _, line := range plan {
			require.NotContains(t, line, "TEMP B-TREE", "contacts %+v: %v", f, plan)
		}
		t.Logf("contacts %-27s total %5d  %v", fmt.Sprintf("domain=%v", f.DomainID != nil), cp.Total, plan)
	}

	// The export reads in keyset batches: a batch after a cursor starts
	// in the (email, id) index at the cursor.
	log.take("")
	stop := errors.New("enough")
	rows := 0
	began = time.Now()
	err = s.StreamContacts(ctx, catalog.ContactFilter{}, func(catalog.ContactRow) error {
		rows++
		if rows == 3*sqlite.StreamBatch+1 {
			return stop
		}
		return nil
	})
	took = time.Since(began)
	require.ErrorIs(t, err, stop)
	queries := log.take("SELECT")
	require.Len(t, queries, 4, "one query per batch")
	require.Contains(t, queries[3], ") > (", "the fourth batch starts after a cursor")
	plan := queryPlan(t, db, queries[3])
	require.Contains(t, plan, "SEARCH c USING INDEX contacts_email_list_idx ((email,id)>(?,?))")
	for _, line := range plan {
		require.NotContains(t, line, "TEMP B-TREE", "a keyset batch is not sorted: %v", plan)
	}
	t.Logf("export: %d rows in 4 batches in %v; a batch after a cursor: %v", rows, took.Round(time.Millisecond), plan)

	began, rows = time.Now(), 0
	require.NoError(t, s.StreamContacts(ctx, catalog.ContactFilter{}, func(catalog.ContactRow) error { rows++; return nil }))
	require.Equal(t, n, rows)
	t.Logf("export of all %d contacts: %v", rows, time.Since(began).Round(time.Millisecond))
}

// TestListingFilterFoldsUnicode checks that the substring filters ignore
// case beyond ASCII, as PostgreSQL's ILIKE and the memory store do, although
// SQLite's LIKE folds ASCII letters only: stored addresses are lowercase,
// and the filter is lowered in Go.
func TestListingFilterFoldsUnicode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Now().UTC()
	job := claimScan(t, s, "fold", now)
	emails := []string{"élise@fold0.example.org", "zoë.ß@fold0.example.org", "ascii@fold0.example.org"}
	require.NoError(t, s.FinishScan(ctx, job, outcome(job, now, emails...)))
	cases := []struct {
		q    string
		want []string
	}{
		{"ÉLISE", []string{"élise@fold0.example.org"}},
		{"Élise@FOLD0", []string{"élise@fold0.example.org"}},
		{"ZOË", []string{"zoë.ß@fold0.example.org"}},
		{"ASCII@", []string{"ascii@fold0.example.org"}},
		{"LISE", []string{"élise@fold0.example.org"}},
		{"elise", nil},
	}
	for _, tc := range cases {
		p, err := s.ListContacts(ctx, catalog.ContactQuery{ContactFilter: catalog.ContactFilter{Q: tc.q}, Page: 1, Size: 10})
		require.NoError(t, err, tc.q)
		var got []string
		for _, c := range p.Items {
			got = append(got, c.Email)
		}
		require.Equal(t, tc.want, got, tc.q)
		require.Equal(t, len(tc.want), p.Total, tc.q)
	}
}

// TestStreamContactsBatches streams exact multiples of the batch size and
// one more, so the last batch is full, empty or a single row, and checks
// every contact comes once, in order, with its domain. A row written during
// the stream behind the cursor does not appear, one ahead of it does.
func TestStreamContactsBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Now().UTC()
	job := claimScan(t, s, "batch", now)
	var emails []string
	for i := range 2*sqlite.StreamBatch + 1 {
		emails = append(emails, fmt.Sprintf("m%05d@batch0.example.org", i))
	}
	out := outcome(job, now, emails...)
	require.NoError(t, s.FinishScan(ctx, job, out))

	cases := []struct {
		name string
		q    string
		want int
	}{
		{"one full batch", "m00", 1_000},
		{"two full batches and one row", "@batch0", 2_001},
		{"one row", "m02000", 1},
		{"nothing", "nobody", 0},
	}
	for _, tc := range cases {
		var got []contact.Contact
		require.NoError(t, s.StreamContacts(ctx, catalog.ContactFilter{Q: tc.q}, func(r catalog.ContactRow) error {
			require.Equal(t, job.Domain, r.Domain)
			got = append(got, r.Contact)
			return nil
		}), tc.name)
		require.Equal(t, tc.want, len(got), tc.name)
		for i := 1; i < len(got); i++ {
			require.Less(t, got[i-1].Email, got[i].Email, tc.name)
		}
	}

	// Written mid-stream through another domain's scan: "a…" sorts before
	// the cursor and is missed, "z…" after it and is read.
	other := claimScan(t, s, "late", now)
	seen := map[string]bool{}
	calls := 0
	require.NoError(t, s.StreamContacts(ctx, catalog.ContactFilter{}, func(r catalog.ContactRow) error {
		calls++
		seen[r.Email] = true
		if calls == 10 {
			return s.FinishScan(ctx, other, outcome(other, now, "a@late0.example.org", "z@late0.example.org"))
		}
		return nil
	}))
	require.False(t, seen["a@late0.example.org"], "behind the cursor")
	require.True(t, seen["z@late0.example.org"], "ahead of the cursor")
	require.Equal(t, len(emails)+1, calls, "no row twice")
}
