package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/httpapi"
	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// config is the service configuration, read from SCRAPERSKY_* variables and
// DATABASE_URL. Every variable is documented in the README.
type config struct {
	Addr           string
	DatabaseURL    string
	Env            string
	JWTSecret      string
	JWTMaxTTL      time.Duration
	MetricsAddr    string
	DevToken       string
	LogLevel       slog.Level
	MigrateOnStart bool

	ReadTimeout    time.Duration
	WriteTimeout   time.Duration
	IdleTimeout    time.Duration
	RequestTimeout time.Duration

	Workers              int
	SitemapWorkers       int
	AllowPrivateNetworks bool
	Lease                time.Duration
	ScanTimeout          time.Duration
	MaxAttempts          int
	PollInterval         time.Duration
	RescueInterval       time.Duration
	MaxPages             int
	CrawlRate            float64
	ShutdownTimeout      time.Duration

	CORSOrigins []string
	// Render is "" (no browser) or "chromium": the scan also renders
	// pages with scripts in a headless Chromium.
	Render string
}

// loadConfig reads the environment through getenv; errors name the variable.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:        or(getenv("SCRAPERSKY_ADDR"), ":8000"),
		DatabaseURL: getenv("DATABASE_URL"),
		Env:         or(getenv("SCRAPERSKY_ENV"), "production"),
		JWTSecret:   getenv("SCRAPERSKY_JWT_SECRET"),
		MetricsAddr: getenv("SCRAPERSKY_METRICS_ADDR"),
		DevToken:    or(getenv("SCRAPERSKY_DEV_TOKEN"), "scraper_sky_2024"),
	}
	var errs []error
	p := parser{getenv: getenv, errs: &errs}
	// The defaults are the packages' own: one source each.
	q, sc := queue.DefaultConfig(), scraper.DefaultConfig()
	c.MigrateOnStart = p.bool("SCRAPERSKY_MIGRATE_ON_START", true)
	c.ReadTimeout = p.duration("SCRAPERSKY_READ_TIMEOUT", httpapi.DefaultReadTimeout)
	c.WriteTimeout = p.duration("SCRAPERSKY_WRITE_TIMEOUT", httpapi.DefaultWriteTimeout)
	c.IdleTimeout = p.duration("SCRAPERSKY_IDLE_TIMEOUT", httpapi.DefaultIdleTimeout)
	c.RequestTimeout = p.duration("SCRAPERSKY_REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout)
	c.JWTMaxTTL = p.duration("SCRAPERSKY_JWT_MAX_TTL", 24*time.Hour)
	c.Workers = p.int("SCRAPERSKY_WORKERS", q.Concurrency)
	c.SitemapWorkers = p.int("SCRAPERSKY_SITEMAP_WORKERS", analysis.DefaultConcurrency)
	c.AllowPrivateNetworks = p.bool("SCRAPERSKY_ALLOW_PRIVATE_NETWORKS", false)
	c.Lease = p.duration("SCRAPERSKY_LEASE", q.Lease)
	c.ScanTimeout = p.duration("SCRAPERSKY_SCAN_TIMEOUT", q.JobTimeout)
	c.MaxAttempts = p.int("SCRAPERSKY_MAX_ATTEMPTS", q.MaxAttempts)
	c.PollInterval = p.duration("SCRAPERSKY_POLL_INTERVAL", q.PollInterval)
	c.RescueInterval = p.duration("SCRAPERSKY_RESCUE_INTERVAL", q.RescueInterval)
	c.MaxPages = p.int("SCRAPERSKY_MAX_PAGES", sc.MaxPages)
	c.CrawlRate = p.float("SCRAPERSKY_CRAWL_RATE", sc.RequestsPerSecond)
	c.ShutdownTimeout = p.duration("SCRAPERSKY_SHUTDOWN_TIMEOUT", q.ShutdownTimeout)
	switch c.Render = strings.ToLower(getenv("SCRAPERSKY_RENDER")); c.Render {
	case "", "chromium":
	default:
		errs = append(errs, fmt.Errorf("SCRAPERSKY_RENDER: %q is not chromium (or empty for no browser)", c.Render))
	}

	if origins, err := httpapi.ParseCORSOrigins(getenv("SCRAPERSKY_CORS_ORIGINS")); err != nil {
		errs = append(errs, fmt.Errorf("SCRAPERSKY_CORS_ORIGINS: %w", err))
	} else {
		c.CORSOrigins = origins
	}

	switch lvl := strings.ToLower(or(getenv("SCRAPERSKY_LOG_LEVEL"), "info")); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		errs = append(errs, fmt.Errorf("SCRAPERSKY_LOG_LEVEL: %q is not debug, info, warn or error", lvl))
	}
	switch c.Env {
	case "production", "development":
	default:
		errs = append(errs, fmt.Errorf("SCRAPERSKY_ENV: %q is not production or development", c.Env))
	}
	if c.Workers < 0 {
		errs = append(errs, errors.New("SCRAPERSKY_WORKERS: must be 0 or more"))
	}
	if c.SitemapWorkers < 0 {
		errs = append(errs, errors.New("SCRAPERSKY_SITEMAP_WORKERS: must be 0 or more"))
	}
	if c.MaxPages < 1 {
		errs = append(errs, errors.New("SCRAPERSKY_MAX_PAGES: must be at least 1"))
	}
	// The worker's own check, named in the variables' terms.
	if err := (queue.Config{Lease: c.Lease, JobTimeout: c.ScanTimeout}).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("SCRAPERSKY_LEASE (%s), SCRAPERSKY_SCAN_TIMEOUT (%s): %w", c.Lease, c.ScanTimeout, err))
	}
	return c, errors.Join(errs...)
}

// development reports whether the development token and text logs are on.
func (c config) development() bool { return c.Env == "development" }

// minJWTSecret is the shortest JWT secret production accepts: HS256's
// 256 bits.
const minJWTSecret = 32

// checkServe refuses to serve in production without a way to authenticate.
func (c config) checkServe() error {
	if !c.development() && c.JWTSecret == "" {
		return errors.New("SCRAPERSKY_JWT_SECRET is required when SCRAPERSKY_ENV=production (set SCRAPERSKY_ENV=development to use the development token)")
	}
	if !c.development() && len(c.JWTSecret) < minJWTSecret {
		return fmt.Errorf("SCRAPERSKY_JWT_SECRET is %d bytes; production needs at least %d (HS256 keys shorter than its hash can be guessed)", len(c.JWTSecret), minJWTSecret)
	}
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

type parser struct {
	getenv func(string) string
	errs   *[]error
}

func (p parser) int(name string, def int) int {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*p.errs = append(*p.errs, fmt.Errorf("%s: %q is not a whole number", name, v))
		return def
	}
	return n
}

func (p parser) float(name string, def float64) float64 {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		*p.errs = append(*p.errs, fmt.Errorf("%s: %q is not a positive number", name, v))
		return def
	}
	return f
}

func (p parser) bool(name string, def bool) bool {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*p.errs = append(*p.errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return def
	}
	return b
}

func (p parser) duration(name string, def time.Duration) time.Duration {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		*p.errs = append(*p.errs, fmt.Errorf("%s: %q is not a positive duration such as 30s or 5m", name, v))
		return def
	}
	return d
}

// newLogger returns JSON logs in production and text logs in development.
func newLogger(c config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.development() {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// redact hides the password of a database URL for logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
