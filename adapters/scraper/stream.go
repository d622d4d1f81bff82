package scraper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"
)

// ErrBodyTooLarge is returned by Stream.Read once the body has gone past
// the cap given to Site.Open; the bytes up to the cap were delivered.
var ErrBodyTooLarge = errors.New("body exceeds the size cap")

// errDisallowed means robots.txt forbids a URL.
var errDisallowed = errors.New("disallowed by robots.txt")

// Site is one site opened for a series of streamed requests, such as the
// files of a sitemap analysis. It shares one rate limiter and request count
// across its requests, keeps every request and redirect hop on the site, and
// honours the site's robots.txt, except for the URLs robots.txt itself
// lists as sitemaps. It is safe for concurrent use.
type Site struct {
	c      *Crawler
	cr     *crawl
	home   *url.URL
	sc     scope
	robots *robotstxt.RobotsData
	maps   []string
	listed map[string]bool
}

// OpenSite reads the robots.txt of site, a stored domain such as
// "acme.com" or "127.0.0.1:8080", over https or, when the https connection
// or TLS handshake fails, over http, as Crawl does. Unlike Crawl, a
// robots.txt that disallows "/" does not fail: its Sitemap lines may still
// be read. The error is an *Error when the site cannot be reached or its
// robots.txt answers with a 5xx status.
func (c *Crawler) OpenSite(ctx context.Context, site string) (*Site, error) {
	home, err := homeURL(site)
	if err != nil {
		return nil, &Error{Msg: "invalid site: " + site, Err: err}
	}
	if err := c.checkURL(home); err != nil {
		return nil, classify(err)
	}
	cr := c.newCrawl()
	home, robots, err := cr.readRobots(ctx, home)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("open %s: %w", site, ctx.Err())
		}
		return nil, err
	}
	cr.pace(robots)
	return newSite(cr, home, scopeOf(home), robots), nil
}

// site opens the site of a running crawl, for its Seeder: home is the home
// page's final URL and sc the crawl's scope.
func (cr *crawl) site(ctx context.Context, home *url.URL, sc scope) *Site {
	return newSite(cr, home, sc, cr.robotsFor(ctx, home))
}

// newSite returns a Site over the state of crawl cr, listing the Sitemap
// lines of robots.
func newSite(cr *crawl, home *url.URL, sc scope, robots *robotstxt.RobotsData) *Site {
	s := &Site{c: cr.c, cr: cr, home: home, sc: sc, robots: robots, listed: map[string]bool{}}
	base := robotsURL(home)
	for _, raw := range robots.Sitemaps {
		u, err := base.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		n, key := normalize(u)
		if s.listed[key] {
			continue
		}
		s.listed[key] = true
		s.maps = append(s.maps, n.String())
	}
	return s
}

// Home returns the URL of the site's home page with the scheme robots.txt
// was read over.
func (s *Site) Home() string { return s.home.String() }

// Sitemaps returns the absolute http(s) URLs of robots.txt's Sitemap lines,
// normalized, without duplicates, in file order. They may lie off the site.
func (s *Site) Sitemaps() []string { return append([]string(nil), s.maps...) }

// Requests counts the HTTP requests sent so far: robots.txt, retries and
// redirect hops included.
func (s *Site) Requests() int { return int(s.cr.requests.Load()) }

// Open requests rawURL and returns its body as a Stream of at most maxBytes
// bytes, counted after Content-Encoding decompression. The URL must be on
// the site (the registrable domain and its subdomains; for an IP or a bare
// name the exact host and port), and so must every redirect hop; robots.txt
// must allow it unless it listed it as a sitemap. Transient failures before
// the body (timeouts, refused or reset connections, 429 and 5xx) are retried
// as Fetch does. A status outside 2xx, or a failure, is returned as an
// *Error. Config.RequestTimeout bounds the request, body reading included;
// the caller must Close the stream.
func (s *Site) Open(ctx context.Context, rawURL string, maxBytes int64) (*Stream, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &Error{Msg: "invalid URL", Err: fmt.Errorf("%w: %w", errInvalidURL, err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Error{Msg: "not an http or https URL", Err: fmt.Errorf("%w: scheme %q", errInvalidURL, u.Scheme)}
	}
	u, key := normalize(u)
	if err := s.c.checkURL(u); err != nil {
		return nil, classify(err)
	}
	if !s.sc.contains(u) {
		return nil, &Error{Msg: "not on the site", Err: fmt.Errorf("%w: %s", errOffSite, u.Redacted())}
	}
	if !s.listed[key] && !s.robots.TestAgent(robotsPath(u), s.c.cfg.UserAgent) {
		return nil, &Error{Msg: errDisallowed.Error(), Err: errDisallowed}
	}
	maxBytes = max(maxBytes, 0)
	hop := func(h *url.URL) error {
		if !s.sc.contains(h) {
			return fmt.Errorf("%w: %s", errOffSite, h.Redacted())
		}
		return nil
	}
	rctx := s.cr.ctx(ctx, hop)
	maxAttempts := 1 + s.c.cfg.Retries
	for attempts := 1; ; attempts++ {
		st, err := s.c.openAttempt(rctx, u, maxBytes)
		if err == nil && (st.Status == http.StatusTooManyRequests || st.Status >= 500) {
			err = &statusError{code: st.Status}
			st.Close()
		}
		if err == nil {
			if st.Status < 200 || st.Status > 299 {
				st.Close()
				return nil, classify(&statusError{code: st.Status})
			}
			return st, nil
		}
		if ctx.Err() != nil {
			return nil, classify(fmt.Errorf("get %s: %w", u.Redacted(), ctx.Err()))
		}
		if attempts >= maxAttempts || !classify(err).Retryable || errors.Is(err, errNoTime) {
			return nil, withAttempts(classify(err), attempts)
		}
		t := time.NewTimer(s.c.cfg.RetryDelay * time.Duration(attempts))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, classify(fmt.Errorf("get %s: %w", u.Redacted(), ctx.Err()))
		case <-t.C:
		}
	}
}

// openAttempt sends one GET of u and hands the response body, unread, to a
// Stream that owns the request's timeout.
func (c *Crawler) openAttempt(ctx context.Context, u *url.URL, maxBytes int64) (*Stream, error) {
	if err := policyFrom(ctx).wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%w: %w", errInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/xml,text/xml;q=0.9,text/html;q=0.8,*/*;q=0.5")
	resp, err := c.client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("get %s: %w", u.Redacted(), err)
	}
	return &Stream{
		URL:         resp.Request.URL.String(),
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		body:        resp.Body,
		cancel:      cancel,
		limit:       maxBytes,
	}, nil
}

// Stream is a response body being read, capped at the size given to
// Site.Open. It is not safe for concurrent use.
type Stream struct {
	// URL is the final URL, after redirects.
	URL string
	// Status is the HTTP status code.
	Status int
	// ContentType is the Content-Type header as sent.
	ContentType string

	body      io.ReadCloser
	cancel    context.CancelFunc
	limit     int64
	n         int64
	truncated bool
	err       error
}

// Read reads the body. Past the cap it returns ErrBodyTooLarge (after the
// bytes up to the cap); a failure while reading is returned wrapped, so
// that errors.Is finds timeouts and resets.
func (s *Stream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	// Read at most one byte past the cap: enough to tell a body that ends
	// exactly at the cap from a longer one.
	if room := s.limit - s.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := s.body.Read(p)
	s.n += int64(n)
	if s.n > s.limit {
		n -= int(s.n - s.limit)
		s.n, s.truncated, s.err = s.limit, true, ErrBodyTooLarge
		return n, s.err
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		s.err = io.EOF
	default:
		s.err = fmt.Errorf("read %s: %w", s.URL, err)
	}
	return n, s.err
}

// Truncated reports whether the body went past the cap.
func (s *Stream) Truncated() bool { return s.truncated }

// Close closes the body without reading the rest, which drops the
// connection of a body not read to its end, and ends the request.
func (s *Stream) Close() error {
	err := s.body.Close()
	s.cancel()
	return err
}
