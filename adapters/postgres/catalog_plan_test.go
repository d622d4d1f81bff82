package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// queryLog records the SELECTs a store runs, so a test can EXPLAIN exactly
// the SQL the store sends.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(e.Query, "SELECT") {
		l.mu.Lock()
		l.queries = append(l.queries, e.Query)
		l.mu.Unlock()
	}
}

func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.queries
	l.queries = nil
	return out
}

// planNode is the part of EXPLAIN (FORMAT JSON) the assertions read.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	Direction string     `json:"Scan Direction"`
	PlanRows  float64    `json:"Plan Rows"`
	Plans     []planNode `json:"Plans"`
}

func (n planNode) walk(fn func(planNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

// explain runs EXPLAIN ANALYZE on query and returns the plan and the
// server's execution time.
func explain(t *testing.T, db *bun.DB, query string) (planNode, float64) {
	t.Helper()
	var raw string
	// The query was formatted by Bun already; it carries no placeholders
	// left to bind.
	require.NoError(t, db.QueryRowContext(context.Background(), "EXPLAIN (ANALYZE, FORMAT JSON) "+query).Scan(&raw))
	var out []struct {
		Plan          planNode `json:"Plan"`
		ExecutionTime float64  `json:"Execution Time"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &out))
	require.Len(t, out, 1)
	return out[0].Plan, out[0].ExecutionTime
}

// TestListingPlans loads 100,000 domains and 100,000 contacts and checks
// that the listing's representative pages are index-backed: an index scan in
// the page's order, no sequential scan of domains and no sort over all the
// matching rows. It logs the timings.
func TestListingPlans(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads 100,000 rows")
	}
	ctx := context.Background()
	db := pgtest.NewDB(t)
	const n = 100_000

	start := time.Now()
	// One statement each, at COPY-like speed. Statuses cycle with
	// different periods so that filters and sorts combine; a third of the
	// secondaries are NULL.
	_, err := db.ExecContext(ctx, `INSERT INTO domains (id, domain, created_at, updated_at,
		email_scan_status, sitemap_curation_status, page_scrape_status, sitemap_analysis_status,
		contacts_found, pages_scanned)
	SELECT gen_random_uuid(), 'site' || g || '.example.org',
		timestamptz '2026-01-01' + g * interval '1 second',
		timestamptz '2026-01-01' + (g % 7919) * interval '1 minute',
		(ARRAY['New','Selected','Maybe','Not a Fit','Archived'])[1 + g % 5],
		(ARRAY['New','Selected','Maybe','Not a Fit','Archived'])[1 + g % 7 % 5],
		CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['Queued','InProgress','Completed','Error','Cancelled'])[1 + g % 5] END,
		CASE WHEN g % 4 = 0 THEN NULL ELSE (ARRAY['Queued','Processing','Completed','Error'])[1 + g % 4] END,
		g % 50, g % 30
	FROM generate_series(1, ?) AS g`, n)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
	SELECT gen_random_uuid(), d.id, 'person' || (hashtext(d.domain) & 65535) || '@' || d.domain,
		'corporate', false, 'http://' || d.domain || '/contact', now(), now()
	FROM domains AS d`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "ANALYZE domains; ANALYZE contacts")
	require.NoError(t, err)
	t.Logf("loaded %d domains and %d contacts with every index in %v", n, n, time.Since(start).Round(time.Millisecond))

	log := &queryLog{}
	db.AddQueryHook(log)
	s := postgres.NewStore(db)

	q := func(edit func(*catalog.DomainQuery)) catalog.DomainQuery {
		dq := catalog.NewDomainQuery()
		edit(&dq)
		require.NoError(t, dq.Validate())
		return dq
	}
	cases := []struct {
		name  string
		q     catalog.DomainQuery
		index []string // any of these; nil when the filter is selective enough for any index
	}{
		{"default screen", q(func(*catalog.DomainQuery) {}), []string{"domains_updated_at_list_idx"}},
		{"email_scan_status, updated_at desc", q(func(q *catalog.DomainQuery) { q.EmailScanStatus = ptr(core.CurationSelected) }), []string{"domains_email_scan_status_list_idx"}},
		{"sitemap_curation_status, page 50", q(func(q *catalog.DomainQuery) { q.SitemapCurationStatus = ptr(core.CurationMaybe); q.Page = 50 }), []string{"domains_sitemap_curation_status_list_idx"}},
		// The claim's partial index of queued rows (updated_at, id) gives
		// the same order for Queued, and is smaller.
		{"page_scrape_status, updated_at asc", q(func(q *catalog.DomainQuery) {
			q.PageScrapeStatus, q.SortDesc = catalog.Is(core.TaskQueued), false
		}), []string{"domains_page_scrape_status_list_idx", "domains_page_scrape_queued_idx"}},
		// A third of the rows match: walking the update order and skipping
		// the others is as good as the status index, and the planner may
		// pick either.
		{"page_scrape_status null", q(func(q *catalog.DomainQuery) { q.PageScrapeStatus = catalog.IsNull[core.TaskStatus]() }),
			[]string{"domains_page_scrape_status_list_idx", "domains_updated_at_list_idx"}},
		{"sitemap_analysis_status, size 100", q(func(q *catalog.DomainQuery) {
			q.SitemapAnalysisStatus, q.Size = catalog.Is(core.AnalysisError), catalog.MaxSize
		}), []string{"domains_sitemap_analysis_status_list_idx"}},
		{"created_at asc", q(func(q *catalog.DomainQuery) { q.SortBy, q.SortDesc = catalog.SortCreatedAt, false }), []string{"domains_created_at_list_idx"}},
		{"domain asc, page 10", q(func(q *catalog.DomainQuery) { q.SortBy, q.SortDesc, q.Page = catalog.SortDomain, false, 10 }), []string{"domains_domain_list_idx"}},
		{"domain_filter", q(func(q *catalog.DomainQuery) { q.DomainFilter = "site1234" }), nil},
	}
	for _, tc := range cases {
		log.take()
		began := time.Now()
		p, err := s.ListDomains(ctx, tc.q)
		took := time.Since(began)
		require.NoError(t, err, tc.name)
		require.NotEmpty(t, p.Items, tc.name)
		queries := log.take()
		require.NotEmpty(t, queries, tc.name)

		plan, exec := explain(t, db, queries[0])
		var indexes []string
		plan.walk(func(nd planNode) {
			require.False(t, nd.NodeType == "Seq Scan" && nd.Relation == "domains", "%s: sequential scan of domains", tc.name)
			if nd.NodeType == "Sort" || nd.NodeType == "Incremental Sort" {
				// Only the few rows of a selective filter may be sorted.
				require.Less(t, nd.PlanRows, 1_000.0, "%s: a sort over many rows", tc.name)
			}
			if nd.Index != "" {
				indexes = append(indexes, nd.Index)
			}
		})
		if tc.index != nil {
			require.Equal(t, "Limit", plan.NodeType, tc.name)
			require.Len(t, indexes, 1, tc.name)
			require.Contains(t, tc.index, indexes[0], "%s uses its index", tc.name)
			plan.walk(func(nd planNode) { require.NotEqual(t, "Sort", nd.NodeType, "%s: no sort node", tc.name) })
		} else {
			require.NotEmpty(t, indexes, tc.name)
		}
		countNote := "no count query (first page not full)"
		if len(queries) > 1 {
			_, countExec := explain(t, db, queries[1])
			countNote = "count " + ms(countExec)
		}
		t.Logf("%-38s total %6d  page query %s via %v; ListDomains %v, %s",
			tc.name, p.Total, ms(exec), indexes, took.Round(10*time.Microsecond), countNote)
	}

	// Sorts left without an index on purpose (see migration 3): they read
	// the matching rows and keep the top; logged for the record.
	for _, tc := range []struct {
		name string
		q    catalog.DomainQuery
	}{
		{"contacts_found desc (no index)", q(func(q *catalog.DomainQuery) { q.SortBy = catalog.SortContactsFound })},
		{"status filter, domain order (no index)", q(func(q *catalog.DomainQuery) {
			q.EmailScanStatus, q.SortBy, q.SortDesc = ptr(core.CurationSelected), catalog.SortDomain, false
		})},
	} {
		log.take()
		began := time.Now()
		p, err := s.ListDomains(ctx, tc.q)
		took := time.Since(began)
		require.NoError(t, err, tc.name)
		require.Len(t, p.Items, tc.q.Size, tc.name)
		_, exec := explain(t, db, log.take()[0])
		t.Logf("%-38s total %6d  page query %s; ListDomains %v", tc.name, p.Total, ms(exec), took.Round(10*time.Microsecond))
	}

	// The export reads in keyset batches: a batch after a cursor is an index
	// scan from the cursor, as cheap deep in the table as at its start.
	log.take()
	stop := errors.New("enough")
	rows := 0
	began := time.Now()
	err = s.StreamContacts(ctx, catalog.ContactFilter{}, func(catalog.ContactRow) error {
		rows++
		if rows == 3*postgres.StreamBatch+1 {
			return stop
		}
		return nil
	})
	took := time.Since(began)
	require.ErrorIs(t, err, stop)
	queries := log.take()
	require.Len(t, queries, 4, "one query per batch")
	require.Contains(t, queries[3], `> (`, "the fourth batch starts after a cursor")
	plan, exec := explain(t, db, queries[3])
	var indexes []string
	plan.walk(func(nd planNode) {
		require.False(t, nd.NodeType == "Seq Scan" && nd.Relation == "contacts", "sequential scan of contacts")
		require.NotEqual(t, "Sort", nd.NodeType, "no sort in a keyset batch")
		if nd.Index != "" {
			indexes = append(indexes, nd.Index)
		}
	})
	require.Contains(t, indexes, "contacts_email_list_idx")
	t.Logf("export: %d rows in 4 batches in %v; one batch after a cursor %s via %v", rows, took.Round(time.Millisecond), ms(exec), indexes)

	// The whole export, for the record.
	began, rows = time.Now(), 0
	require.NoError(t, s.StreamContacts(ctx, catalog.ContactFilter{}, func(catalog.ContactRow) error { rows++; return nil }))
	require.Equal(t, n, rows)
	t.Logf("export of all %d contacts: %v", rows, time.Since(began).Round(time.Millisecond))
}

// ms formats EXPLAIN's milliseconds.
func ms(v float64) string {
	return time.Duration(v * float64(time.Millisecond)).Round(time.Microsecond).String()
}
