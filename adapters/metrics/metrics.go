// Package metrics exposes the service's Prometheus metrics: domains by status
// column and value (read from the store at most once per interval) and the
// age of each queue's oldest domain, claims and finished jobs per workflow,
// scan durations and failures by reason, pages fetched by HTTP status
// class, contacts stored, HTTP request durations and the build. It decorates core
// ports rather than reaching into other adapters.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// StatusCounter counts domains by status; the stores implement it.
type StatusCounter interface {
	CountStatuses(ctx context.Context) ([]core.StatusCount, error)
}

// Metrics owns a registry and the service's collectors.
type Metrics struct {
	reg      *prometheus.Registry
	claims   *prometheus.CounterVec
	finished *prometheus.CounterVec
	pages    *prometheus.CounterVec
	contacts prometheus.Counter
	requests *prometheus.HistogramVec
	scanTime *prometheus.HistogramVec
	failures *prometheus.CounterVec
}

// DefaultCountInterval is how long one reading of the domain counts serves
// every scrape: counting runs aggregates over the whole domains table.
const DefaultCountInterval = 15 * time.Second

// Option configures New.
type Option func(*domainCollector)

// DefaultCountTimeout bounds one reading of the domain counts. Keep it
// above the database's statement timeout: a client that gives up first
// leaves the statement running on the server.
const DefaultCountTimeout = 30 * time.Second

// WithCountTimeout sets the bound of one reading of the domain counts
// (DefaultCountTimeout unless set).
func WithCountTimeout(d time.Duration) Option {
	return func(c *domainCollector) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithCountInterval sets how long one reading of the domain counts serves
// every scrape (DefaultCountInterval unless set); 0 or less counts at every
// scrape.
func WithCountInterval(d time.Duration) Option {
	return func(c *domainCollector) { c.interval = d }
}

// New registers every collector; counter may be nil (no domain gauges).
// When counter is also a QueueAger the queue age gauge is added.
func New(counter StatusCounter, log *slog.Logger, opts ...Option) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapersky_jobs_claimed_total", Help: "Domains claimed by workers.",
		}, []string{"workflow"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapersky_jobs_finished_total", Help: "Claimed jobs by outcome: done, retry, failed, released, lease_lost, cancelled.",
		}, []string{"workflow", "outcome"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapersky_pages_fetched_total", Help: "Pages fetched by the email scan, by HTTP status class.",
		}, []string{"class"}),
		contacts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scrapersky_contacts_found_total", Help: "Contacts in finished scans (a rescan counts again).",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "scrapersky_http_request_duration_seconds", Help: "HTTP request durations by route and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
	}
	m.scanTime, m.failures = newScanCollectors()
	m.reg.MustRegister(m.claims, m.finished, m.pages, m.contacts, m.requests, m.scanTime, m.failures, buildInfo(),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if counter != nil {
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		dc := &domainCollector{counter: counter, log: log, interval: DefaultCountInterval, timeout: DefaultCountTimeout, now: time.Now}
		for _, o := range opts {
			o(dc)
		}
		m.reg.MustRegister(dc)
	}
	if ager, ok := counter.(QueueAger); ok {
		m.reg.MustRegister(&queueAgeCollector{ager: ager, log: log, now: time.Now})
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Hooks returns the queue hooks that count claims and outcomes.
func (m *Metrics) Hooks() queue.Hooks {
	return queue.Hooks{
		Claimed:  func(wf core.Workflow, n int) { m.claims.WithLabelValues(workflowLabel(wf)).Add(float64(n)) },
		Finished: func(wf core.Workflow, outcome string) { m.finished.WithLabelValues(workflowLabel(wf), outcome).Inc() },
	}
}

// ObserveRequest records one HTTP request; route is the route pattern, not
// the raw path, to keep the label set small.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// Scanner counts the pages a scanner fetched, by status class, times each
// scan and counts failures by reason.
func (m *Metrics) Scanner(s scan.Scanner) scan.Scanner { return &scanner{s, m} }

// Results counts the contacts of every stored scan.
func (m *Metrics) Results(r scan.Results) scan.Results { return &results{r, m} }

type scanner struct {
	next scan.Scanner
	m    *Metrics
}

func (s *scanner) Scan(ctx context.Context, site string, onPage scan.OnPage) (scan.Report, error) {
	start := time.Now()
	rep, err := s.next.Scan(ctx, site, onPage)
	result := "completed"
	if err != nil {
		result = "failed"
		s.m.failures.WithLabelValues(failureReason(err)).Inc()
	}
	s.m.scanTime.WithLabelValues(result).Observe(time.Since(start).Seconds())
	for _, p := range rep.Pages {
		s.m.pages.WithLabelValues(statusClass(p.Status)).Inc()
	}
	return rep, err
}

type results struct {
	next scan.Results
	m    *Metrics
}

// Progress passes the running figures on; they are not counted here (the
// contacts count once, when the scan finishes).
func (r *results) Progress(ctx context.Context, job queue.Job, pages, contacts int) error {
	return r.next.Progress(ctx, job, pages, contacts)
}

func (r *results) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	if err := r.next.FinishScan(ctx, job, out); err != nil {
		return err
	}
	r.m.contacts.Add(float64(len(out.Contacts)))
	return nil
}

func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code/100) + "xx"
}

// domainCollector reads the status counts from the store at most once per
// interval. Scrapes that arrive while a reading is under way wait for it
// and share it, so any number of scrapers cost one count per interval.
type domainCollector struct {
	counter  StatusCounter
	log      *slog.Logger
	interval time.Duration
	timeout  time.Duration
	now      func() time.Time

	mu     sync.Mutex
	readAt time.Time
	counts []core.StatusCount
	err    error
}

// read returns the cached counts, refreshing them when they are older than
// the interval. When a refresh fails the last good counts are served (the
// failure is logged once); with none, the failure is. Either way the next
// refresh waits for the interval: a database that is down or slow is not
// asked again by every scrape.
func (c *domainCollector) read() ([]core.StatusCount, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readAt.IsZero() && c.now().Sub(c.readAt) < c.interval {
		return c.counts, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	counts, err := c.counter.CountStatuses(ctx)
	c.readAt = c.now()
	if err != nil {
		c.log.Error("metrics: counting domains failed", "error", err)
		if c.counts != nil {
			return c.counts, nil
		}
		c.err = err
		return nil, err
	}
	c.counts, c.err = counts, nil
	return counts, nil
}

var domainsDesc = prometheus.NewDesc("scrapersky_domains", "Domains by status column and value (\"null\" for NULL).", []string{"column", "status"}, nil)

func (c *domainCollector) Describe(ch chan<- *prometheus.Desc) { ch <- domainsDesc }

func (c *domainCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(domainsDesc, err)
		return
	}
	for _, sc := range counts {
		status := sc.Status
		if status == "" {
			status = "null"
		}
		ch <- prometheus.MustNewConstMetric(domainsDesc, prometheus.GaugeValue, float64(sc.Count), string(sc.Field), status)
	}
}
