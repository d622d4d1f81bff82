package metrics

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrapersky/scrapersky-go/core"
)

// QueueAger reports the head of a workflow's queue: when its
// longest-waiting queued domain was last changed, false when none is
// queued. The SQL and memory stores implement it.
type QueueAger interface {
	OldestQueued(ctx context.Context, wf core.Workflow) (time.Time, bool, error)
}

// workflowLabel names a workflow in metrics by the work it does: the email
// scan, and the sitemap analysis (the job the sitemap curation queues).
func workflowLabel(wf core.Workflow) string {
	if wf.Name == core.SitemapCuration.Name {
		return "sitemap_analysis"
	}
	return wf.Name
}

// Failure reasons besides the ones an error names itself.
const (
	reasonTimeout = "timeout"
	reasonOther   = "other"
)

// reasoner is an error that names its kind of failure, as the crawler's
// errors do (dns, tls, ssrf, robots, timeout, connection, http_4xx,
// http_5xx, other).
type reasoner interface{ Reason() string }

// failureReason is the label of a failed scan.
func failureReason(err error) string {
	var r reasoner
	switch {
	case errors.As(err, &r):
		return r.Reason()
	case errors.Is(err, context.DeadlineExceeded):
		return reasonTimeout
	}
	return reasonOther
}

// scanDurationBuckets span a quick refusal to a crawl that meets the
// default 3-minute deadline.
var scanDurationBuckets = []float64{0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 180, 300}

func newScanCollectors() (*prometheus.HistogramVec, *prometheus.CounterVec) {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "scrapersky_scan_duration_seconds", Help: "Time the email scan spent crawling one site, by result (completed, failed).",
			Buckets: scanDurationBuckets,
		}, []string{"result"}),
		prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapersky_scan_failures_total", Help: "Email scans that failed, by reason: dns, tls, ssrf, robots, timeout, connection, http_4xx, http_5xx, other.",
		}, []string{"reason"})
}

// buildInfo is scrapersky_build_info: 1, labelled with the binary's
// module version, VCS revision and Go version.
func buildInfo() prometheus.Collector {
	version, revision, goVersion := "(devel)", "unknown", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "scrapersky_build_info", Help: "Always 1; the labels describe the running binary.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "go_version": goVersion},
	})
	g.Set(1)
	return g
}

// queueAgeCollector reads the head of each queue from the store at scrape
// time.
type queueAgeCollector struct {
	ager QueueAger
	log  *slog.Logger
	now  func() time.Time
}

var queueAgeDesc = prometheus.NewDesc("scrapersky_queue_oldest_age_seconds",
	"Age of the oldest queued domain of each workflow (since it was queued or last changed); 0 when none is queued.", []string{"workflow"}, nil)

func (c *queueAgeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueAgeDesc }

func (c *queueAgeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		oldest, ok, err := c.ager.OldestQueued(ctx, wf)
		if err != nil {
			c.log.Error("metrics: reading the oldest queued domain failed", "workflow", wf.Name, "error", err)
			ch <- prometheus.NewInvalidMetric(queueAgeDesc, err)
			continue
		}
		age := 0.0
		if ok {
			age = max(0, c.now().Sub(oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, age, workflowLabel(wf))
	}
}
