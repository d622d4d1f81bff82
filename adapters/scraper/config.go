package scraper

import "time"

// Config tunes a Crawler. The zero value of a field means "use the default"
// unless its comment says otherwise; DefaultConfig spells the defaults out.
type Config struct {
	// UserAgent is sent with every request and matched against robots.txt
	// groups.
	UserAgent string
	// MaxPages caps the page requests of one crawl (robots.txt, retries and
	// redirect hops are not counted). Default 30.
	MaxPages int
	// MaxDepth caps how many links away from the home page a crawl goes
	// (1: the home page and the pages it links to). Zero means no limit.
	MaxDepth int
	// MaxBodyBytes caps a page body, counted after Content-Encoding
	// decompression so a small gzip bomb cannot inflate past it. Longer
	// bodies are cut and the page is marked Truncated. Default 2 MiB.
	MaxBodyBytes int64
	// RobotsMaxBytes caps robots.txt; the rest is ignored. Default 500 KiB.
	RobotsMaxBytes int64
	// MaxRedirects caps the redirect hops of one request. Default 5; a
	// negative value refuses every redirect.
	MaxRedirects int
	// RequestsPerSecond and Burst rate-limit one crawl (one site), redirect
	// hops and retries included. RequestsPerSecond <= 0 means unlimited.
	// Burst defaults to 1.
	RequestsPerSecond float64
	Burst             int
	// MaxCrawlDelay caps the Crawl-delay a site's robots.txt may ask for
	// (the slower of it and RequestsPerSecond spaces the requests), so one
	// site cannot hold a worker for long: at the default of 10 s a 30-page
	// crawl needs 5 minutes, and a crawl whose next request would fall
	// after its deadline ends with the pages it has. Default 10 s.
	MaxCrawlDelay time.Duration
	// Concurrency is how many requests of one crawl may be in flight at
	// once. Default 2.
	Concurrency int
	// DialTimeout, TLSHandshakeTimeout and ResponseHeaderTimeout bound the
	// phases of a request; RequestTimeout bounds the whole request, body
	// included, so a server dripping bytes cannot hold a worker.
	DialTimeout           time.Duration
	TLSHandshakeTimeout   time.Duration
	ResponseHeaderTimeout time.Duration
	RequestTimeout        time.Duration
	// AllowPrivateNetworks lifts the SSRF guard so loopback, private and
	// link-local addresses may be fetched. Only for tests and local
	// development.
	AllowPrivateNetworks bool
	// Retries is how many times a transient failure (timeout, refused or
	// reset connection, HTTP 429 or 5xx) of one page is retried. Zero means
	// no retries.
	Retries int
	// SeedTimeout bounds the reading of the site's sitemaps by the Seeder
	// before the crawl goes on with links (never more than a quarter of the
	// time left before the crawl's deadline). Default 15 s.
	SeedTimeout time.Duration
	// RetryDelay is the pause before the first retry; it grows linearly
	// with each attempt. Default 1 s.
	RetryDelay time.Duration
}

// DefaultConfig returns the configuration used in production: a polite
// crawler of at most 100 pages (every page of a typical small business
// site), two requests in flight and two requests per
// second per site, with the SSRF guard on.
func DefaultConfig() Config {
	return Config{
		UserAgent:             "ScraperSkyBot/1.0 (+https://scrapersky.com/bot)",
		MaxPages:              100,
		MaxBodyBytes:          2 << 20,
		RobotsMaxBytes:        500 << 10,
		MaxRedirects:          5,
		RequestsPerSecond:     2,
		Burst:                 2,
		MaxCrawlDelay:         10 * time.Second,
		SeedTimeout:           15 * time.Second,
		Concurrency:           2,
		DialTimeout:           10 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		RequestTimeout:        30 * time.Second,
		Retries:               2,
		RetryDelay:            time.Second,
	}
}

// withDefaults fills the fields whose zero value is not meaningful.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.UserAgent == "" {
		c.UserAgent = d.UserAgent
	}
	if c.MaxPages <= 0 {
		c.MaxPages = d.MaxPages
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.RobotsMaxBytes <= 0 {
		c.RobotsMaxBytes = d.RobotsMaxBytes
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = d.MaxRedirects
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.MaxCrawlDelay <= 0 {
		c.MaxCrawlDelay = d.MaxCrawlDelay
	}
	if c.SeedTimeout <= 0 {
		c.SeedTimeout = d.SeedTimeout
	}
	if c.Concurrency <= 0 {
		c.Concurrency = d.Concurrency
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = d.DialTimeout
	}
	if c.TLSHandshakeTimeout <= 0 {
		c.TLSHandshakeTimeout = d.TLSHandshakeTimeout
	}
	if c.ResponseHeaderTimeout <= 0 {
		c.ResponseHeaderTimeout = d.ResponseHeaderTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.Retries < 0 {
		c.Retries = 0
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = d.RetryDelay
	}
	return c
}
