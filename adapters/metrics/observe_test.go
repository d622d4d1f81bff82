package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
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

// reasonErr names its failure as the crawler's errors do.
type reasonErr struct{ reason string }

func (e reasonErr) Error() string  { return "failed: " + e.reason }
func (e reasonErr) Reason() string { return e.reason }

type failingScanner struct{ err error }

func (f failingScanner) Scan(context.Context, string, scan.OnPage) (scan.Report, error) {
	return scan.Report{}, f.err
}

func TestScanDurationsAndFailureReasons(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil, nil)
	for _, err := range []error{
		reasonErr{"dns"}, fmt.Errorf("wrapped: %w", reasonErr{"dns"}), reasonErr{"ssrf"}, reasonErr{"http_5xx"},
		context.DeadlineExceeded, errors.New("something else"),
	} {
		_, got := m.Scanner(failingScanner{err}).Scan(context.Background(), "x", nil)
		require.ErrorIs(t, got, err, "the decorator passes the error on")
	}
	_, err := m.Scanner(fakeScanner{}).Scan(context.Background(), "x", nil)
	require.NoError(t, err)

	out := scrape(t, m)
	for _, want := range []string{
		`scrapersky_scan_failures_total{reason="dns"} 2`,
		`scrapersky_scan_failures_total{reason="ssrf"} 1`,
		`scrapersky_scan_failures_total{reason="http_5xx"} 1`,
		`scrapersky_scan_failures_total{reason="timeout"} 1`,
		`scrapersky_scan_failures_total{reason="other"} 1`,
		`scrapersky_scan_duration_seconds_count{result="failed"} 6`,
		`scrapersky_scan_duration_seconds_count{result="completed"} 1`,
		`scrapersky_scan_duration_seconds_bucket{result="completed",le="300"} 1`,
	} {
		require.Contains(t, out, want)
	}
	require.Regexp(t, `scrapersky_build_info\{go_version="go1\.[^"]+",revision="[^"]+",version="[^"]+"\} 1`, out)
}

// TestQueueAgeAndWorkflowLabels: the head of each queue's age comes from
// the store; the sitemap workflow is labelled sitemap_analysis.
func TestQueueAgeAndWorkflowLabels(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	m := metrics.New(store, nil)
	age := regexp.MustCompile(`scrapersky_queue_oldest_age_seconds\{workflow="(\w+)"\} (\S+)`)
	ages := func() map[string]float64 {
		out := map[string]float64{}
		for _, mm := range age.FindAllStringSubmatch(scrape(t, m), -1) {
			v, err := strconv.ParseFloat(mm[2], 64)
			require.NoError(t, err)
			out[mm[1]] = v
		}
		return out
	}
	require.Equal(t, map[string]float64{"email_scan": 0, "sitemap_analysis": 0}, ages(), "nothing queued")

	old := core.NewDomain("old-queued.example.org", time.Now().Add(-time.Hour))
	old.SitemapAnalysisStatus = ptr(core.AnalysisQueued)
	storetest.Seed(t, store, old)
	storetest.QueueDomains(t, store, core.EmailScan, "fresh", 1)
	got := ages()
	require.InDelta(t, 3600, got["sitemap_analysis"], 60)
	require.Less(t, got["email_scan"], 60.0)

	m.Hooks().Claimed(core.SitemapCuration, 1)
	m.Hooks().Finished(core.SitemapCuration, queue.OutcomeDone)
	out := scrape(t, m)
	require.Contains(t, out, `scrapersky_jobs_claimed_total{workflow="sitemap_analysis"} 1`)
	require.Contains(t, out, `scrapersky_jobs_finished_total{outcome="done",workflow="sitemap_analysis"} 1`)
	require.NotContains(t, out, `workflow="sitemap_curation"`)
}

func ptr[T any](v T) *T { return &v }
