package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Stats describes one crawl.
type Stats struct {
	// Scheme is the scheme the home page was fetched with: "https", or
	// "http" after the fallback.
	Scheme string
	// Home is the home page's final URL, after redirects.
	Home string
	// PagesFetched counts the pages passed to visit.
	PagesFetched int
	// PagesSkipped counts responses not passed to visit: content types the
	// crawler does not read, non-2xx statuses, redirects off the site and
	// pages already seen under another URL.
	PagesSkipped int
	// PagesFailed counts pages that could not be fetched (after retries).
	PagesFailed int
	// RobotsDisallowed counts URLs not requested because robots.txt
	// disallows them.
	RobotsDisallowed int
	// LinksIgnored counts links and sitemap entries dropped without a
	// request: off the site or to a binary file.
	LinksIgnored int
	// SitemapURLs counts the pages the Crawler's Seeder (the site's
	// sitemaps) added to the frontier that links had not already found.
	SitemapURLs int
	// CrawlDelay is the Crawl-delay robots.txt asks of the crawler's user
	// agent, capped at Config.MaxCrawlDelay. Requests were spaced by the
	// slower of it and Config.RequestsPerSecond.
	CrawlDelay time.Duration
	// Truncated counts pages cut at Config.MaxBodyBytes.
	Truncated int
	// Requests counts every HTTP request sent: robots.txt, pages, retries
	// and redirect hops.
	Requests int
	// PageCapReached says the crawl ended because Config.MaxPages was used
	// up while URLs of the site were still waiting in the frontier (not
	// because the deadline left no time for another request).
	PageCapReached bool
}

// Crawl scans site, a stored domain such as "acme.com", "127.0.0.1:8080" or
// "[::1]:9000", and calls visit for each HTML, XHTML or plain-text page,
// converted to UTF-8. visit is called from one goroutine at a time while up
// to Config.Concurrency fetches continue in the background; an error from
// visit stops the crawl and is returned wrapped.
//
// The crawl starts at https://{site}/ and falls back to http:// when the
// https connection or TLS handshake fails. It reads robots.txt first and
// honours it for every URL, then walks the site by rank (rankURL: pages
// that look like contact, legal, team or office pages first, shop, blog
// archives and accounts last, breadth first among equals), following every
// link a person can (extractLinks), staying on the site (the registrable
// domain and its subdomains; for an IP or a name without a public suffix,
// the exact host and port), fetching each URL once and at most
// Config.MaxPages pages. With a Seeder (WithSeeder), the pages the site's
// sitemaps list join the frontier after the home page, ranked as links,
// so pages no link leads to are crawled too. Requests are spaced by the
// slower of Config.RequestsPerSecond and robots.txt's Crawl-delay (capped
// at Config.MaxCrawlDelay); when that spacing leaves no time for another
// request before ctx's deadline, the crawl ends with the pages it has.
//
// Crawl returns an *Error only when the site as a whole cannot be scanned:
// robots.txt disallows "/" or cannot be read, or the home page cannot be
// fetched. Failures of other pages are counted in Stats. A cancelled ctx
// ends the crawl with an error wrapping ctx.Err().
func (c *Crawler) Crawl(ctx context.Context, site string, visit func(ctx context.Context, p Page) error) (st Stats, err error) {
	home, err := homeURL(site)
	if err != nil {
		return st, &Error{Msg: "invalid site: " + site, Err: err}
	}
	if err := c.checkURL(home); err != nil {
		return st, classify(err)
	}
	cr := c.newCrawl()
	defer func() { st.Requests = int(cr.requests.Load()) }()

	home, err = cr.probe(ctx, home)
	if err != nil {
		if ctx.Err() != nil {
			return st, fmt.Errorf("crawl %s: %w", site, ctx.Err())
		}
		return st, err
	}
	st.Scheme, st.Home, st.CrawlDelay = home.Scheme, home.String(), cr.delay
	return cr.run(ctx, home, &st, visit)
}

// crawl is the state of one Crawl shared by its workers.
type crawl struct {
	c        *Crawler
	limiter  *rate.Limiter
	delay    time.Duration // robots.txt's Crawl-delay, as applied
	requests atomic.Int64

	mu     sync.Mutex
	robots map[string]*robotsEntry // by scheme://host[:port]
}

// newCrawl returns the state of one crawl, paced by the configured rate
// until robots.txt is read.
func (c *Crawler) newCrawl() *crawl {
	cr := &crawl{c: c, robots: map[string]*robotsEntry{}, limiter: rate.NewLimiter(rate.Inf, 1)}
	if c.cfg.RequestsPerSecond > 0 {
		cr.limiter = rate.NewLimiter(rate.Limit(c.cfg.RequestsPerSecond), c.cfg.Burst)
	}
	return cr
}

// ctx returns a request context carrying this crawl's limits and hop rule.
func (cr *crawl) ctx(ctx context.Context, hop func(*url.URL) error) context.Context {
	return withPolicy(ctx, &policy{limiter: cr.limiter, requests: &cr.requests, hop: hop})
}

type job struct {
	it   item
	sc   scope
	home bool
}

type outcomeKind int

const (
	outPage outcomeKind = iota
	outSkipped
	outFailed
	outDisallowed
)

type outcome struct {
	it    item
	kind  outcomeKind
	page  Page
	final *url.URL
	links []link
	err   *Error
}

// coordinator is the state of run. It owns the frontier, the visited set
// and the page budget, hands URLs to the workers and calls visit itself, so
// none of them needs a lock.
type coordinator struct {
	cr      *crawl
	st      *Stats
	name    string   // the host in error messages
	home    *url.URL // the home page's final URL
	sc      scope
	fr      *frontier
	visited map[string]bool
	nav     map[string]bool // the home page's links: the site's navigation
	budget  int
	noTime  bool // the deadline, not the page cap, ended the budget
	visit   func(context.Context, Page) error
}

// run crawls from home: the home page alone first, because a redirect may
// move the crawl to another domain; then the sitemaps' pages join the
// home page's links in the frontier; then Concurrency workers fetch until
// the frontier or the page budget runs out.
func (cr *crawl) run(ctx context.Context, home *url.URL, st *Stats, visit func(context.Context, Page) error) (Stats, error) {
	co := &coordinator{
		cr: cr, st: st, name: home.Host, home: home, sc: scopeOf(home), fr: newFrontier(),
		visited: map[string]bool{}, budget: cr.c.cfg.MaxPages, visit: visit,
	}
	jobs, results, stop := cr.startWorkers(ctx)
	defer stop()

	co.fr.push(home, 0, 0)
	jobs <- job{it: co.fr.pop(), sc: co.sc, home: true}
	co.budget--
	o, err := co.await(ctx, results)
	if err != nil {
		return *st, err
	}
	if err := co.arrive(o); err != nil {
		return *st, err
	}
	if err := co.record(ctx, o); err != nil {
		return *st, err
	}
	co.seed(ctx)

	for inflight := 0; ; inflight-- {
		for inflight < cr.c.cfg.Concurrency && co.budget > 0 && co.fr.len() > 0 {
			jobs <- job{it: co.fr.pop(), sc: co.sc}
			inflight++
			co.budget--
		}
		if inflight == 0 {
			st.PageCapReached = co.budget <= 0 && !co.noTime && co.fr.len() > 0
			return *st, nil
		}
		o, err := co.await(ctx, results)
		if err != nil {
			return *st, err
		}
		if err := co.record(ctx, o); err != nil {
			return *st, err
		}
	}
}

// startWorkers starts Concurrency workers fetching the jobs sent to them.
// stop cancels what they are doing and waits for them.
func (cr *crawl) startWorkers(ctx context.Context) (chan<- job, <-chan outcome, func()) {
	n := cr.c.cfg.Concurrency
	wctx, cancel := context.WithCancel(ctx)
	jobs := make(chan job, n)
	// One slot per worker: a worker never blocks handing back its result,
	// so stopping early cannot deadlock.
	results := make(chan outcome, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for j := range jobs {
				results <- cr.process(wctx, j)
			}
		})
	}
	return jobs, results, func() {
		cancel()
		close(jobs)
		wg.Wait()
	}
}

// await waits for a worker's outcome, or for ctx to end the crawl.
func (co *coordinator) await(ctx context.Context, results <-chan outcome) (outcome, error) {
	select {
	case o := <-results:
		if ctx.Err() != nil {
			return o, fmt.Errorf("crawl %s: %w", co.name, ctx.Err())
		}
		return o, nil
	case <-ctx.Done():
		return outcome{}, fmt.Errorf("crawl %s: %w", co.name, ctx.Err())
	}
}

// arrive reads the home page's outcome: a home page that cannot be fetched
// fails the crawl, and one that redirects to another domain (acme.com to
// acme.de) moves the crawl there.
func (co *coordinator) arrive(o outcome) error {
	if o.kind == outFailed || o.kind == outSkipped && o.err != nil {
		return o.err
	}
	if o.final != nil {
		co.home = o.final
		co.st.Home, co.st.Scheme = o.final.String(), o.final.Scheme
		if !co.sc.contains(o.final) {
			co.sc = scopeOf(o.final)
		}
	}
	return nil
}

// record counts a worker's outcome and passes a new page to visit.
func (co *coordinator) record(ctx context.Context, o outcome) error {
	st := co.st
	switch o.kind {
	case outDisallowed:
		st.RobotsDisallowed++
		co.budget++
	case outFailed:
		if errors.Is(o.err, errNoTime) {
			// The rate limit leaves no time for another request before
			// the deadline: the crawl ends with what it has.
			co.budget, co.noTime = 0, true
			return nil
		}
		st.PagesFailed++
	case outSkipped:
		st.PagesSkipped++
	case outPage:
		return co.page(ctx, o)
	}
	return nil
}

// page passes a fetched page to visit, unless it was reached before under
// another URL, and queues its links.
func (co *coordinator) page(ctx context.Context, o outcome) error {
	st := co.st
	_, fk := normalize(o.final)
	if co.visited[fk] {
		st.PagesSkipped++
		return nil
	}
	co.visited[fk], co.visited[o.it.key] = true, true
	co.fr.markSeen(fk)
	st.PagesFetched++
	if o.page.Truncated {
		st.Truncated++
	}
	if err := co.visit(ctx, o.page); err != nil {
		return fmt.Errorf("visit %s: %w", o.page.URL, err)
	}
	if d := co.cr.c.cfg.MaxDepth; d > 0 && o.it.depth >= d {
		co.st.LinksIgnored += len(o.links)
		return nil
	}
	home := co.nav == nil
	if home {
		co.nav = make(map[string]bool, len(o.links))
	}
	inherit := inherited(o.it.rank)
	for _, l := range o.links {
		_, k := normalize(l.url)
		in := inherit
		if home {
			co.nav[k] = true
		} else if co.nav[k] {
			in = 0
		}
		co.add(l.url, o.it.depth+1, l.text, in)
	}
	return nil
}

// add queues a link or sitemap entry on the site that is not a binary
// file, ranked by rankURL, and reports whether it was new.
func (co *coordinator) add(u *url.URL, depth int, text string, inherit int) bool {
	if !co.sc.contains(u) || isBinaryPath(u.Path) {
		co.st.LinksIgnored++
		return false
	}
	return co.fr.push(u, depth, rankURL(u, text, inherit))
}

// seed adds the pages the Crawler's Seeder lists (the site's sitemaps) to
// the frontier at depth 1, ranked as links are (see rankURL). The Seeder runs within Config.SeedTimeout, and never
// more than a quarter of the time left before ctx's deadline, over a Site
// that shares this crawl's rate limit, robots.txt rules and request count.
func (co *coordinator) seed(ctx context.Context) {
	sd := co.cr.c.seeder
	if sd == nil || co.budget <= 0 {
		return
	}
	limit := co.cr.c.cfg.SeedTimeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl)/4)
	}
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	site := co.cr.site(sctx, co.home, co.sc)
	for _, raw := range sd.Seed(sctx, site) {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if co.add(u, 1, "", 0) {
			co.st.SitemapURLs++
		}
	}
}

// process fetches one URL for a worker.
func (cr *crawl) process(ctx context.Context, j job) outcome {
	c := cr.c
	o := outcome{it: j.it}
	if !cr.robotsFor(ctx, j.it.u).TestAgent(robotsPath(j.it.u), c.cfg.UserAgent) {
		o.kind = outDisallowed
		return o
	}
	var hop func(*url.URL) error
	if !j.home {
		hop = func(u *url.URL) error {
			if !j.sc.contains(u) {
				return fmt.Errorf("%w: %s", errOffSite, u.Redacted())
			}
			return nil
		}
	}
	r, attempts, err := c.get(cr.ctx(ctx, hop), j.it.u, c.cfg.MaxBodyBytes, isPageType, 0, 1+c.cfg.Retries)
	if err != nil {
		o.kind, o.err = outFailed, withAttempts(classify(err), attempts)
		if errors.Is(err, errOffSite) {
			o.kind = outSkipped
		}
		return o
	}
	o.final = r.url
	if r.status < 200 || r.status > 299 {
		o.kind, o.err = outSkipped, classify(&statusError{code: r.status})
		return o
	}
	if r.body == nil {
		o.kind = outSkipped
		return o
	}
	o.kind, o.page = outPage, r.page()
	if o.page.IsHTML {
		o.links = extractLinks(r.url, o.page.Body)
	}
	return o
}
