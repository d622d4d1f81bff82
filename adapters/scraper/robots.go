package scraper

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"
)

// robotsEntry is one host's robots.txt, fetched once per crawl; done is
// closed when data is set.
type robotsEntry struct {
	done chan struct{}
	data *robotstxt.RobotsData
}

var (
	robotsAllowAll, _    = robotstxt.FromStatusAndBytes(404, nil)
	robotsDisallowAll, _ = robotstxt.FromStatusAndBytes(503, nil)
)

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
	cr.pace(data)
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

// pace applies the start host's Crawl-delay to the crawl: from now on its
// requests are spaced by the slower of the configured rate and the delay.
// It runs once, on one goroutine, before any request but robots.txt's.
func (cr *crawl) pace(data *robotstxt.RobotsData) {
	cfg := cr.c.cfg
	cr.delay = crawlDelay(data, cfg.UserAgent, cfg.MaxCrawlDelay)
	lim, burst := pacing(cfg.RequestsPerSecond, cfg.Burst, cr.delay)
	if lim == cr.limiter.Limit() && burst == cr.limiter.Burst() {
		return
	}
	cr.limiter = rate.NewLimiter(lim, burst)
	// The robots.txt request just sent is the first of the series: the
	// next one waits a full delay.
	cr.limiter.Allow()
}

// crawlDelay returns the Crawl-delay of the robots.txt group that applies
// to agent, capped at limit. A value too large for a time.Duration, which
// the parser turns into a negative one, is capped too.
func crawlDelay(data *robotstxt.RobotsData, agent string, limit time.Duration) time.Duration {
	if data == nil {
		return 0
	}
	d := data.FindGroup(agent).CrawlDelay
	if d < 0 || d > limit {
		return limit
	}
	return d
}

// pacing returns the rate limit and burst of a crawl: the configured ones
// (rps <= 0 is unlimited), or one request per delay with no burst when
// that is slower.
func pacing(rps float64, burst int, delay time.Duration) (rate.Limit, int) {
	configured := rate.Inf
	if rps > 0 {
		configured = rate.Limit(rps)
	}
	if delay > 0 {
		if byDelay := rate.Every(delay); byDelay < configured {
			return byDelay, 1
		}
	}
	return configured, burst
}
