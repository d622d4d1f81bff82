package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/metrics"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

type fakeScanner struct{ rep scan.Report }

func (f fakeScanner) Scan(context.Context, string, scan.OnPage) (scan.Report, error) {
	return f.rep, nil
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	b, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(b)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	ids := storetest.QueueDomains(t, store, core.EmailScan, "m", 3)
	m := metrics.New(store, nil)

	hooks := m.Hooks()
	hooks.Claimed(core.EmailScan, 2)
	hooks.Finished(core.EmailScan, queue.OutcomeDone)
	hooks.Finished(core.EmailScan, queue.OutcomeFailed)
	m.ObserveRequest("PUT", "/api/v3/domains/email-scan/status", 200, 3*time.Millisecond)

	sc := m.Scanner(fakeScanner{rep: scan.Report{Pages: []scan.PageResult{{Status: 200}, {Status: 200}, {Status: 404}, {Status: 503}}}})
	rep, err := sc.Scan(context.Background(), "x", nil)
	require.NoError(t, err)
	jobs, err := store.Claim(context.Background(), core.EmailScan, 1, time.Minute, time.Now())
	require.NoError(t, err)
	rep.Pages[0].Emails = []scan.Found{{Email: "a@x.org"}, {Email: "b@x.org"}}
	require.NoError(t, m.Results(store).FinishScan(context.Background(), jobs[0], scan.Build(jobs[0].DomainID, "x.org", rep, time.Now())))

	out := scrape(t, m)
	for _, want := range []string{
		`scrapersky_domains{column="email_scan_status",status="Selected"} 3`,
		`scrapersky_domains{column="page_scrape_status",status="Queued"} 2`,
		`scrapersky_domains{column="page_scrape_status",status="Completed"} 1`,
		`scrapersky_domains{column="sitemap_analysis_status",status="null"} 3`,
		`scrapersky_jobs_claimed_total{workflow="email_scan"} 2`,
		`scrapersky_jobs_finished_total{outcome="done",workflow="email_scan"} 1`,
		`scrapersky_jobs_finished_total{outcome="failed",workflow="email_scan"} 1`,
		`scrapersky_pages_fetched_total{class="2xx"} 2`,
		`scrapersky_pages_fetched_total{class="4xx"} 1`,
		`scrapersky_pages_fetched_total{class="5xx"} 1`,
		`scrapersky_contacts_found_total 2`,
		`scrapersky_http_request_duration_seconds_count{method="PUT",route="/api/v3/domains/email-scan/status",status="200"} 1`,
	} {
		require.Contains(t, out, want)
	}
	require.Len(t, ids, 3)
}

type brokenCounter struct{}

func (brokenCounter) CountStatuses(context.Context) ([]core.StatusCount, error) {
	return nil, errors.New("db down")
}

func TestMetricsStoreDown(t *testing.T) {
	t.Parallel()
	m := metrics.New(brokenCounter{}, nil)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 500, rec.Code, "a failed collection is reported, not hidden")
}
