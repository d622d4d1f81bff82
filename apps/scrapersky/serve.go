package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/scrapersky/scrapersky-go/adapters/httpapi"
	"github.com/scrapersky/scrapersky-go/adapters/metrics"
	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/render"
	sitemapscraper "github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
	"github.com/scrapersky/scrapersky-go/adapters/web"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/apikey"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

const serveHelp = `Run the HTTP API (SCRAPERSKY_ADDR), the curation page at /, the API docs at
/docs, /metrics, and the workers of both workflows (SCRAPERSKY_WORKERS,
SCRAPERSKY_SITEMAP_WORKERS; 0 and 0 for none). Pending migrations are
applied at start unless SCRAPERSKY_MIGRATE_ON_START=false. SIGINT or
SIGTERM shuts down gracefully. Configuration: SCRAPERSKY_* variables and
DATABASE_URL (see the README).`

const workerHelp = `Run the workers only: email scan (SCRAPERSKY_WORKERS) and sitemap analysis
(SCRAPERSKY_SITEMAP_WORKERS). With PostgreSQL run as many worker processes as
you like; SQLite has one writer, so keep its workers inside serve.
Configuration: SCRAPERSKY_* variables and DATABASE_URL (see the README).`

// serveCmd is `scrapersky serve` (withHTTP) and `scrapersky worker`: both
// take no arguments, and --help prints before anything is opened.
func serveCmd(ctx context.Context, c cli, args []string, withHTTP bool) error {
	name, about := "serve", serveHelp
	if !withHTTP {
		name, about = "worker", workerHelp
	}
	f := newFlags(name, "", about)
	pos, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return misuse(name, "takes no arguments, got %q", pos[0])
	}
	return serve(ctx, c.getenv, withHTTP)
}

// serve runs the API (when withHTTP) and the workers until ctx ends, then
// shuts both down gracefully: the listener stops accepting, in-flight
// requests finish, workers finish or release their jobs.
func serve(ctx context.Context, getenv func(string) string, withHTTP bool) error {
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(c)
	if withHTTP {
		if err := c.checkServe(); err != nil {
			return err
		}
	} else if c.Workers == 0 && c.SitemapWorkers == 0 {
		return errors.New("SCRAPERSKY_WORKERS=0 and SCRAPERSKY_SITEMAP_WORKERS=0: a worker process needs at least one worker")
	}

	d, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer d.db.Close()
	store := d.store

	// The count's deadline is the request's: statement_timeout, below it,
	// stops a slow count on the server first.
	m := metrics.New(store, log, metrics.WithCountTimeout(c.RequestTimeout))
	var renderer scraper.Renderer
	if c.Render == "chromium" && c.Workers > 0 {
		chrome, err := render.New(render.DefaultOptions())
		if err != nil {
			return fmt.Errorf("SCRAPERSKY_RENDER=chromium: %w", err)
		}
		defer chrome.Close()
		renderer = chrome
	}
	// One shared count of the statuses: the API's writes invalidate it,
	// this process's workers touch it as they claim and finish jobs.
	stats := catalog.NewStatsCache(store, catalog.DefaultStatsTTL, core.SystemClock{})
	workers, err := newWorkers(c, store, m, renderer, stats.Touch, log)
	if err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		obs, err := startObserver(c.MetricsAddr, m, store, log)
		if err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
			defer cancel()
			if err := obs.shutdown(sctx); err != nil {
				log.Error("metrics shutdown", "error", err)
			}
		}()
	}
	stopWork := startWorkers(ctx, workers)
	if len(workers) > 0 {
		log.Info("workers started", "email_scan", c.Workers, "sitemap_analysis", c.SitemapWorkers,
			"allow_private_networks", c.AllowPrivateNetworks, "render", or(c.Render, "off"))
	}

	var srv *httpapi.Server
	errc := make(chan error, 1)
	if withHTTP {
		var ln net.Listener
		if srv, ln, err = listenHTTP(c, d, m, workers, stats, log); err != nil {
			stopWork()
			return err
		}
		go func() { errc <- srv.Serve(ln) }()
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-errc:
		log.Error("server stopped", "error", err)
	}
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
		if serr := srv.Shutdown(sctx); serr != nil {
			log.Error("http shutdown", "error", serr)
		}
		cancel()
	}
	stopWork()
	log.Info("stopped")
	return err
}

// startWorkers runs every worker until the returned stop is called; stop
// cancels them and waits for them to finish (each releases its jobs).
// The workers outlive ctx on purpose: shutdown stops them only after the
// HTTP server has drained.
func startWorkers(ctx context.Context, workers workerSet) (stop func()) {
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(workCtx) }()
	}
	return func() { cancel(); wg.Wait() }
}

// listenHTTP builds the API with the metrics endpoint and the page mounted,
// and opens its listener on c.Addr.
func listenHTTP(c config, d *database, m *metrics.Metrics, workers workerSet, stats *catalog.StatsCache, log *slog.Logger) (*httpapi.Server, net.Listener, error) {
	store := d.store
	clock := core.SystemClock{}
	srv, err := httpapi.New(httpapi.Config{
		ReadTimeout:    c.ReadTimeout,
		WriteTimeout:   c.WriteTimeout,
		IdleTimeout:    c.IdleTimeout,
		RequestTimeout: c.RequestTimeout,
		JWTSecret:      []byte(c.JWTSecret),
		JWTMaxTTL:      c.JWTMaxTTL,
		DevToken:       c.DevToken,
		AllowDevToken:  c.development(),
		Logger:         log,
		StoreKind:      d.kind,
		Observe:        m.ObserveRequest,
		CORSOrigins:    c.CORSOrigins,
	}, httpapi.Deps{
		EmailScan:       curation.NewSecondaryStateUpdater(store, core.EmailScan, clock, log).OnQueued(workers.wake(core.EmailScan)),
		SitemapCuration: curation.NewSecondaryStateUpdater(store, core.SitemapCuration, clock, log).OnQueued(workers.wake(core.SitemapCuration)),
		Submitter:       curation.NewSubmitter(store, clock),
		Domains:         store,
		DB:              store,
		Catalog:         catalog.NewLister(store),
		Importer:        catalog.NewImporter(store, clock),
		Sitemaps:        store,
		Scans:           store,
		Deleter:         curation.NewDeleter(store),
		Suppressions:    suppression.NewManager(store, clock),
		// One count serves every poller for catalog.DefaultStatsTTL; the
		// API's writes invalidate it (httpapi), the workers' show within it.
		Stats:   stats,
		APIKeys: apikey.NewService(store, clock),
	})
	if err != nil {
		return nil, nil, err
	}
	if c.MetricsAddr == "" {
		// Without a listener of its own, /metrics is served beside the
		// API, open like /health; the counts it reads are cached.
		srv.App().Get("/metrics", adaptor.HTTPHandler(m.Handler()))
	}
	devToken := ""
	if c.development() {
		devToken = c.DevToken // the page tells users which token works
	}
	web.Mount(srv.App(), web.Options{DevToken: devToken})
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "env", c.Env)
	return srv, ln, nil
}

// newWorkers builds one worker per workflow that has slots: the email scan
// with c.Workers slots, the sitemap analysis with c.SitemapWorkers. Each
// worker is one poller that claims up to its free slots in one statement
// (the pool model), and each workflow has its own, so a long queue of one
// never starves the other.
func newWorkers(c config, store store, m *metrics.Metrics, renderer scraper.Renderer, changed func(), log *slog.Logger) (workerSet, error) {
	crawlCfg := scraper.DefaultConfig()
	crawlCfg.MaxPages = c.MaxPages
	crawlCfg.AllowPrivateNetworks = c.AllowPrivateNetworks
	crawlCfg.RequestsPerSecond = c.CrawlRate
	crawlCfg.Burst = max(1, int(c.CrawlRate))
	// The scan's crawl also reads the sitemaps, for pages no link leads to.
	crawler := scraper.New(crawlCfg, scraper.WithSeeder(sitemapscraper.NewSeeder(sitemapscraper.DefaultSeedConfig())))
	clock := core.SystemClock{}
	qcfg := queue.Config{
		PollInterval:    c.PollInterval,
		Lease:           c.Lease,
		JobTimeout:      c.ScanTimeout,
		MaxAttempts:     c.MaxAttempts,
		RescueInterval:  c.RescueInterval,
		ShutdownTimeout: c.ShutdownTimeout,
	}
	scanHandler := scan.NewHandler(m.Scanner(scraper.NewEmailScanner(crawler).WithRenderer(renderer)), m.Results(store), clock).WithSuppressions(store).WithLogger(log)
	analysisHandler := analysis.NewHandler(sitemapscraper.New(crawler, sitemapscraper.DefaultConfig()), store, clock)

	out := workerSet{}
	add := func(slots int, wf core.Workflow, h queue.Handler) error {
		if slots == 0 {
			return nil
		}
		cfg := qcfg
		cfg.Concurrency = slots
		w, err := queue.NewWorker(store, wf, h, cfg, clock, log, touching(m.Hooks(), changed))
		if err != nil {
			return err
		}
		out[wf.Name] = w
		return nil
	}
	if err := add(c.Workers, core.EmailScan, scanHandler); err != nil {
		return nil, err
	}
	if err := add(c.SitemapWorkers, core.SitemapCuration, analysisHandler); err != nil {
		return nil, err
	}
	return out, nil
}

// touching returns hooks that call h's and then changed, at every claim
// and every finished job: the status counts moved.
func touching(h queue.Hooks, changed func()) queue.Hooks {
	return queue.Hooks{
		Claimed: func(wf core.Workflow, n int) {
			if h.Claimed != nil {
				h.Claimed(wf, n)
			}
			changed()
		},
		Finished: func(wf core.Workflow, outcome string) {
			if h.Finished != nil {
				h.Finished(wf, outcome)
			}
			changed()
		},
	}
}

// workerSet holds this process's worker of each workflow, by the
// workflow's name.
type workerSet map[string]*queue.Worker

// wake returns the hook that wakes wf's worker when a PUT queued work in
// this process (nothing when this process runs no such worker).
func (ws workerSet) wake(wf core.Workflow) func(int) {
	return func(int) {
		if w := ws[wf.Name]; w != nil {
			w.Wake()
		}
	}
}
