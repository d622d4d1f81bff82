package scraper

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/temoto/robotstxt"
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
	// LinksIgnored counts links dropped without a request: off the site or
	// to a binary file.
	LinksIgnored int
	// Truncated counts pages cut at Config.MaxBodyBytes.
	Truncated int
	// Requests counts every HTTP request sent: robots.txt, pages, retries
	// and redirect hops.
	Requests int
}

// Crawl scans site, a stored domain such as "acme.com", "127.0.0.1:8080" or
// "[::1]:9000", and calls visit for each HTML, XHTML or plain-text page,
// converted to UTF-8. visit is called from one goroutine at a time while up
// to Config.Concurrency fetches continue in the background; an error from
// visit stops the crawl and is returned wrapped.
//
// The crawl starts at https://{site}/ and falls back to http:// when the
// https connection or TLS handshake fails. It reads robots.txt first and
// honours it for every URL, then walks the site breadth first, links that
// look like contact pages (contact, about, team, impressum, ...) first,
// staying on the site (the registrable domain and its subdomains; for an IP
// or a name without a public suffix, the exact host and port), fetching each
// URL once and at most Config.MaxPages pages.
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
	cr := &crawl{c: c, robots: map[string]*robotsEntry{}, limiter: rate.NewLimiter(rate.Inf, 1)}
	if c.cfg.RequestsPerSecond > 0 {
		cr.limiter = rate.NewLimiter(rate.Limit(c.cfg.RequestsPerSecond), c.cfg.Burst)
	}
	defer func() { st.Requests = int(cr.requests.Load()) }()

	home, err = cr.probe(ctx, home)
	if err != nil {
		if ctx.Err() != nil {
			return st, fmt.Errorf("crawl %s: %w", site, ctx.Err())
		}
		return st, err
	}
	st.Scheme, st.Home = home.Scheme, home.String()
	return cr.run(ctx, home, &st, visit)
}

// crawl is the state of one Crawl shared by its workers.
type crawl struct {
	c        *Crawler
	limiter  *rate.Limiter
	requests atomic.Int64

	mu     sync.Mutex
	robots map[string]*robotsEntry // by scheme://host[:port]
}

type robotsEntry struct {
	done chan struct{}
	data *robotstxt.RobotsData
}

var (
	robotsAllowAll, _    = robotstxt.FromStatusAndBytes(404, nil)
	robotsDisallowAll, _ = robotstxt.FromStatusAndBytes(503, nil)
)

// ctx returns a request context carrying this crawl's limits and hop rule.
func (cr *crawl) ctx(ctx context.Context, hop func(*url.URL) error) context.Context {
	return withPolicy(ctx, &policy{limiter: cr.limiter, requests: &cr.requests, hop: hop})
}

func robotsURL(u *url.URL) *url.URL {
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
}

func robotsKey(u *url.URL) string { return u.Scheme + "://" + u.Host }

// readRobots fetches the start host's robots.txt, falling back from https
// to http on a dial or TLS failure (port 80 refusing says less than a broken
// TLS setup on 443, so that error wins), and reads failures by robotsFrom's
// rules. It returns the home URL with the working scheme.
func (cr *crawl) readRobots(ctx context.Context, home *url.URL) (*url.URL, *robotstxt.RobotsData, error) {
	c := cr.c
	maxAttempts := 1 + c.cfg.Retries
	r, attempts, err := c.get(cr.ctx(ctx, nil), robotsURL(home), c.cfg.RobotsMaxBytes, anyType, 0, 1)
	switch {
	case err != nil && canFallBack(err):
		httpsErr := err
		h := *home
		h.Scheme = "http"
		home = &h
		r, attempts, err = c.get(cr.ctx(ctx, nil), robotsURL(home), c.cfg.RobotsMaxBytes, anyType, 0, maxAttempts)
		// Port 80 refusing says less than the broken TLS setup on 443.
		if err != nil && isTLSError(httpsErr) && !errors.Is(err, errBlocked) {
			var se *statusError
			if !errors.As(err, &se) {
				err, attempts = httpsErr, 1
			}
		}
	case err != nil && classify(err).Retryable && maxAttempts > 1:
		r, attempts, err = c.get(cr.ctx(ctx, nil), robotsURL(home), c.cfg.RobotsMaxBytes, anyType, attempts, maxAttempts)
	}
	data, err := robotsFrom(r, err)
	if err != nil {
		var se *statusError
		if errors.As(err, &se) {
			inner := withAttempts(classify(se), attempts)
			return nil, nil, &Error{Msg: "robots.txt unavailable (" + inner.Msg + ")", Retryable: inner.Retryable, Err: err}
		}
		return nil, nil, withAttempts(classify(err), attempts)
	}
	return home, data, nil
}

// probe fetches the start host's robots.txt, which also decides between
// https and http, and returns the home URL with the working scheme. Unlike
// readRobots it refuses a site whose robots.txt disallows "/".
func (cr *crawl) probe(ctx context.Context, home *url.URL) (*url.URL, error) {
	c := cr.c
	home, data, err := cr.readRobots(ctx, home)
	if err != nil {
		return nil, err
	}
	cr.mu.Lock()
	e := &robotsEntry{done: make(chan struct{}), data: data}
	close(e.done)
	cr.robots[robotsKey(home)] = e
	cr.mu.Unlock()
	if !data.TestAgent("/", c.cfg.UserAgent) {
		return nil, &Error{Msg: "robots.txt disallows /"}
	}
	return home, nil
}

// robotsFrom interprets a robots.txt fetch by Google's rules as implemented
// in robotstxt: 4xx allows everything, 5xx disallows everything (returned
// with the *statusError so the caller can say so), an unparsable file or a
// broken redirect allows everything. Other fetch errors are returned.
func robotsFrom(r *response, err error) (*robotstxt.RobotsData, error) {
	if err != nil {
		var se *statusError
		switch {
		case errors.As(err, &se):
			return robotsDisallowAll, err
		case errors.Is(err, errTooManyRedirects), errors.Is(err, errRedirectScheme), errors.Is(err, errOffSite):
			return robotsAllowAll, nil
		default:
			return robotsDisallowAll, err
		}
	}
	data, perr := robotstxt.FromStatusAndBytes(r.status, r.body)
	if perr != nil || data == nil {
		return robotsAllowAll, nil
	}
	return data, nil
}

// robotsFor returns the robots.txt rules of u's host, fetching them once per
// crawl; concurrent callers for the same host wait for the first. A host
// whose robots.txt cannot be read is not crawled.
func (cr *crawl) robotsFor(ctx context.Context, u *url.URL) *robotstxt.RobotsData {
	key := robotsKey(u)
	cr.mu.Lock()
	e, ok := cr.robots[key]
	if !ok {
		e = &robotsEntry{done: make(chan struct{})}
		cr.robots[key] = e
	}
	cr.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.data
		case <-ctx.Done():
			return robotsDisallowAll
		}
	}
	defer close(e.done)
	r, _, err := cr.c.get(cr.ctx(ctx, nil), robotsURL(u), cr.c.cfg.RobotsMaxBytes, anyType, 0, 1+cr.c.cfg.Retries)
	e.data, _ = robotsFrom(r, err)
	return e.data
}

// item is a URL waiting in the frontier.
type item struct {
	u     *url.URL
	key   string
	depth int
	prio  bool
	seq   int
}

// frontier is a heap: contact-like links first, then breadth first, then
// discovery order.
type frontier []item

func (f frontier) Len() int { return len(f) }
func (f frontier) Less(i, j int) bool {
	if f[i].prio != f[j].prio {
		return f[i].prio
	}
	if f[i].depth != f[j].depth {
		return f[i].depth < f[j].depth
	}
	return f[i].seq < f[j].seq
}
func (f frontier) Swap(i, j int) { f[i], f[j] = f[j], f[i] }
func (f *frontier) Push(x any)   { *f = append(*f, x.(item)) }
func (f *frontier) Pop() any {
	old := *f
	it := old[len(old)-1]
	*f = old[:len(old)-1]
	return it
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

// run is the coordinator: it owns the frontier and the seen sets, hands URLs
// to Concurrency workers and calls visit itself, so neither needs a lock.
func (cr *crawl) run(ctx context.Context, home *url.URL, st *Stats, visit func(context.Context, Page) error) (Stats, error) {
	c := cr.c
	sc := scopeOf(home)
	seen := map[string]bool{}
	visited := map[string]bool{}
	var fr frontier
	seq := 0
	push := func(u *url.URL, depth int, prio bool) {
		n, key := normalize(u)
		if seen[key] {
			return
		}
		seen[key] = true
		seq++
		heap.Push(&fr, item{u: n, key: key, depth: depth, prio: prio, seq: seq})
	}
	push(home, 0, false)

	wctx, cancel := context.WithCancel(ctx)
	jobs := make(chan job, c.cfg.Concurrency)
	// One slot per worker: a worker never blocks handing back its result,
	// so stopping early cannot deadlock.
	results := make(chan outcome, c.cfg.Concurrency)
	var wg sync.WaitGroup
	for range c.cfg.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				results <- cr.process(wctx, j)
			}
		})
	}
	defer func() {
		cancel()
		close(jobs)
		wg.Wait()
	}()

	budget, inflight, homeDone := c.cfg.MaxPages, 0, false
	for {
		// The home page goes alone: it may move the crawl to another scope.
		for inflight < c.cfg.Concurrency && budget > 0 && fr.Len() > 0 && (homeDone || inflight == 0) {
			jobs <- job{it: heap.Pop(&fr).(item), sc: sc, home: !homeDone}
			inflight++
			budget--
		}
		if inflight == 0 {
			return *st, nil
		}
		var o outcome
		select {
		case o = <-results:
		case <-ctx.Done():
			return *st, fmt.Errorf("crawl %s: %w", home.Host, ctx.Err())
		}
		inflight--
		if ctx.Err() != nil {
			return *st, fmt.Errorf("crawl %s: %w", home.Host, ctx.Err())
		}
		if !homeDone {
			homeDone = true
			if o.kind == outFailed || o.kind == outSkipped && o.err != nil {
				return *st, o.err
			}
			if o.final != nil {
				st.Home, st.Scheme = o.final.String(), o.final.Scheme
				// A home page that redirects to another domain (acme.com to
				// acme.de) moves the crawl there.
				if !sc.contains(o.final) {
					sc = scopeOf(o.final)
				}
			}
		}
		switch o.kind {
		case outDisallowed:
			st.RobotsDisallowed++
			budget++
		case outFailed:
			st.PagesFailed++
		case outSkipped:
			st.PagesSkipped++
		case outPage:
			_, fk := normalize(o.final)
			if visited[fk] {
				st.PagesSkipped++
				continue
			}
			visited[fk], visited[o.it.key], seen[fk] = true, true, true
			st.PagesFetched++
			if o.page.Truncated {
				st.Truncated++
			}
			if err := visit(ctx, o.page); err != nil {
				return *st, fmt.Errorf("visit %s: %w", o.page.URL, err)
			}
			for _, l := range o.links {
				if c.cfg.MaxDepth > 0 && o.it.depth >= c.cfg.MaxDepth {
					st.LinksIgnored++
					continue
				}
				if !sc.contains(l.url) || isBinaryPath(l.url.Path) {
					st.LinksIgnored++
					continue
				}
				push(l.url, o.it.depth+1, isPriority(l.url, l.text))
			}
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
