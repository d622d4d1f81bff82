// Package scraper fetches and crawls web sites for the email scan: a polite,
// bounded, SSRF-guarded crawler over net/http, contact-like pages first,
// that hands each HTML or plain-text page, converted to UTF-8, to a
// callback.
package scraper

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
	"golang.org/x/net/html/charset"
	"golang.org/x/time/rate"
)

// Page is one fetched document.
type Page struct {
	// URL is the final URL, after redirects.
	URL string
	// Status is the HTTP status code.
	Status int
	// ContentType is the Content-Type header, or the sniffed type when the
	// server sent none.
	ContentType string
	// Body is the document converted to UTF-8. It is empty for content
	// types the crawler does not read.
	Body []byte
	// IsHTML is true for text/html and application/xhtml+xml.
	IsHTML bool
	// Truncated is true when the body was cut at Config.MaxBodyBytes.
	Truncated bool
}

// Crawler fetches pages over its own http.Client. It is safe for concurrent
// use; each Crawl has its own rate limiter and concurrency bound.
type Crawler struct {
	cfg       Config
	guard     func(netip.AddrPort) error // nil: every address may be dialled
	transport *http.Transport
	client    *http.Client
	seeder    Seeder // nil: links only
}

// Option adjusts a Crawler at construction.
type Option func(*Crawler)

// Seeder lists pages of a site that links may not lead to, such as the
// entries of its sitemaps. Crawl calls it once per crawl, after the home
// page, with a Site that shares the crawl's rate limit, robots.txt rules
// and request count, and a context bounded by Config.SeedTimeout. The
// crawler keeps the URLs on the site and ranks them as it ranks links; the
// Seeder bounds how much it reads.
type Seeder interface {
	Seed(ctx context.Context, s *Site) []string
}

// WithSeeder makes every Crawl add the pages s lists to its frontier.
func WithSeeder(s Seeder) Option {
	return func(c *Crawler) { c.seeder = s }
}

// withGuard replaces the address check used before dialling and on IP
// literal URLs; tests use it to swap the SSRF guard.
func withGuard(g func(netip.AddrPort) error) Option {
	return func(c *Crawler) { c.guard = g }
}

// New returns a Crawler configured by cfg (zero fields take their defaults,
// see Config). It builds its own transport: no proxy, the SSRF guard checked
// on every dialled address (unless cfg.AllowPrivateNetworks), redirects
// capped and re-checked hop by hop, gzip decompressed by net/http and capped
// after decompression.
func New(cfg Config, opts ...Option) *Crawler {
	return newCrawler(cfg, opts...)
}

func newCrawler(cfg Config, opts ...Option) *Crawler {
	c := &Crawler{cfg: cfg.withDefaults()}
	if !c.cfg.AllowPrivateNetworks {
		// Any port: stored domains may carry one ("acme.com:8080"). The
		// address ranges are what protects internal services.
		c.guard = ssrf.New(ssrf.WithAnyPort()).SafeAddrPort
	}
	for _, o := range opts {
		o(c)
	}
	dialer := &net.Dialer{
		Timeout:   c.cfg.DialTimeout,
		KeepAlive: 30 * time.Second,
		// Control runs after DNS resolution, on the address actually
		// dialled, so a name that resolves to a private address (or a
		// redirect to one) is caught as well.
		Control: c.checkDial,
	}
	c.transport = &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    c.cfg.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  c.cfg.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    c.cfg.Concurrency,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	c.client = &http.Client{Transport: c.transport, CheckRedirect: c.checkRedirect}
	return c
}

// checkDial is the dialer's Control hook.
func (c *Crawler) checkDial(network, address string, _ syscall.RawConn) error {
	if c.guard == nil {
		return nil
	}
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", errBlocked, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %w", errBlocked, err)
	}
	if err := c.guard(ap); err != nil {
		return fmt.Errorf("%w: %w", errBlocked, err)
	}
	return nil
}

// checkURL applies the rules every requested URL and redirect hop must
// meet: http or https, a host, and for an IP literal the SSRF guard (names
// are checked after resolution, in checkDial).
func (c *Crawler) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", errRedirectScheme, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", errInvalidURL)
	}
	if c.guard == nil {
		return nil
	}
	addr, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil
	}
	port := 443
	if u.Scheme == "http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return fmt.Errorf("%w: port %q", errInvalidURL, p)
		}
		port = int(n)
	}
	if err := c.guard(netip.AddrPortFrom(addr.Unmap(), uint16(port))); err != nil {
		return fmt.Errorf("%w: %w", errBlocked, err)
	}
	return nil
}

// policy travels in a request's context so that the shared client's
// CheckRedirect can apply the current crawl's limits to each hop.
type policy struct {
	limiter  *rate.Limiter
	requests *atomic.Int64
	hop      func(*url.URL) error
}

type policyKey struct{}

func withPolicy(ctx context.Context, p *policy) context.Context {
	return context.WithValue(ctx, policyKey{}, p)
}

func policyFrom(ctx context.Context) *policy {
	p, _ := ctx.Value(policyKey{}).(*policy)
	return p
}

// wait takes a token from the crawl's rate limiter and counts the request.
func (p *policy) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("rate limit: %w", ctx.Err())
			}
			// Wait refuses at once a wait that would end after the
			// deadline.
			return fmt.Errorf("rate limit: %w", errNoTime)
		}
	}
	if p.requests != nil {
		p.requests.Add(1)
	}
	return nil
}

func (c *Crawler) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.cfg.MaxRedirects {
		return fmt.Errorf("%w: more than %d", errTooManyRedirects, max(c.cfg.MaxRedirects, 0))
	}
	if err := c.checkURL(req.URL); err != nil {
		return err
	}
	p := policyFrom(req.Context())
	if p != nil && p.hop != nil {
		if err := p.hop(req.URL); err != nil {
			return err
		}
	}
	return p.wait(req.Context())
}

// response is one HTTP exchange, body read (or not) and capped.
type response struct {
	url         *url.URL
	status      int
	contentType string
	mediaType   string
	body        []byte
	truncated   bool
}

// attempt performs one GET of u. The body is read, up to limit bytes after
// decompression, only for a 2xx status whose media type want accepts;
// otherwise the connection is closed without reading it.
func (c *Crawler) attempt(ctx context.Context, u *url.URL, limit int64, want func(string) bool) (*response, error) {
	if err := policyFrom(ctx).wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()

	r := &response{url: resp.Request.URL, status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if r.status < 200 || r.status > 299 {
		return r, nil
	}
	var body io.Reader = io.LimitReader(resp.Body, limit+1)
	if r.contentType == "" {
		br := bufio.NewReaderSize(body, 512)
		head, _ := br.Peek(512)
		r.contentType = http.DetectContentType(head)
		body = br
	}
	r.mediaType, _, err = mime.ParseMediaType(r.contentType)
	if err != nil {
		r.mediaType = ""
	}
	if !want(r.mediaType) {
		return r, nil
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u.Redacted(), err)
	}
	if int64(len(b)) > limit {
		b, r.truncated = b[:limit], true
	}
	r.body = b
	return r, nil
}

// get retries attempt on transient failures, up to maxAttempts in total
// counting the done attempts already made (by an earlier call). A 429 or
// 5xx status counts as a transient failure: on the last attempt the
// response is returned together with a *statusError.
func (c *Crawler) get(ctx context.Context, u *url.URL, limit int64, want func(string) bool, done, maxAttempts int) (*response, int, error) {
	attempts := done
	for {
		attempts++
		r, err := c.attempt(ctx, u, limit, want)
		if err == nil && (r.status == http.StatusTooManyRequests || r.status >= 500) {
			err = &statusError{code: r.status}
		}
		if err == nil {
			return r, attempts, nil
		}
		if ctx.Err() != nil {
			return r, attempts, fmt.Errorf("get %s: %w", u.Redacted(), ctx.Err())
		}
		if attempts >= maxAttempts || !classify(err).Retryable || errors.Is(err, errNoTime) {
			return r, attempts, err
		}
		t := time.NewTimer(c.cfg.RetryDelay * time.Duration(attempts-done))
		select {
		case <-ctx.Done():
			t.Stop()
			return r, attempts, fmt.Errorf("get %s: %w", u.Redacted(), ctx.Err())
		case <-t.C:
		}
	}
}

// isPageType reports whether a media type is passed to the caller.
func isPageType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml" || mt == "text/plain"
}

func anyType(string) bool { return true }

// page turns a response into a Page, converting the body to UTF-8.
func (r *response) page() Page {
	p := Page{
		URL:         r.url.String(),
		Status:      r.status,
		ContentType: r.contentType,
		IsHTML:      r.mediaType == "text/html" || r.mediaType == "application/xhtml+xml",
		Truncated:   r.truncated,
	}
	if r.body != nil {
		p.Body = toUTF8(r.body, r.contentType)
	}
	return p
}

// toUTF8 decodes body from the charset named by the Content-Type, a BOM or a
// <meta> tag (windows-1252 when nothing says and the bytes are not UTF-8)
// and replaces invalid sequences, such as a rune cut by truncation.
func toUTF8(body []byte, contentType string) []byte {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name != "utf-8" {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			body = out
		}
	}
	return bytes.ToValidUTF8(body, []byte("\uFFFD"))
}

// Fetch fetches one URL with the crawler's guard, caps, timeouts and
// retries, but without robots.txt (it is meant for a person checking a
// page). Bodies of types other than HTML, XHTML and plain text are not read
// and Page.Body is empty. A status of 400 or more, or a failure to fetch,
// is returned as an *Error.
func (c *Crawler) Fetch(ctx context.Context, rawURL string) (Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Page{}, &Error{Msg: "invalid URL", Err: fmt.Errorf("%w: %w", errInvalidURL, err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Page{}, &Error{Msg: "not an http or https URL", Err: fmt.Errorf("%w: scheme %q", errInvalidURL, u.Scheme)}
	}
	u, _ = normalize(u)
	if err := c.checkURL(u); err != nil {
		return Page{URL: u.String()}, classify(err)
	}
	r, attempts, err := c.get(ctx, u, c.cfg.MaxBodyBytes, isPageType, 0, 1+c.cfg.Retries)
	if err != nil {
		p := Page{URL: u.String()}
		if r != nil {
			p.URL, p.Status = r.url.String(), r.status
		}
		return p, withAttempts(classify(err), attempts)
	}
	p := r.page()
	if r.status >= 400 {
		return p, classify(&statusError{code: r.status})
	}
	return p, nil
}

// canFallBack reports whether an https failure is one that plain http may
// not share: nothing listening on 443, or a broken TLS setup.
func canFallBack(err error) bool {
	if errors.Is(err, errBlocked) || errors.Is(err, context.Canceled) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return false
	}
	if isTLSError(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
