// Package render is the opt-in full-browser path of the scan: it loads a
// page the crawler already fetched into a headless Chromium, lets the
// page's scripts run, and returns the DOM they leave, for the extractor to
// read. It is for sites whose addresses only a real browser builds (data
// fetched by the page's own requests, frameworks the jsrun sandbox does not
// emulate). It is never the default and never required: the workers use it
// with SCRAPERSKY_RENDER=chromium, the CLI with `crawl --render`.
//
// The browser is contained. The page's document is served from the body
// the crawler fetched (robots.txt and the rate limit applied to it), not
// fetched again; the page's own requests go out only to the page's origin
// (scheme, host and port): every request to another origin is failed, and
// images, media and fonts are never loaded. One Chromium process serves
// every page, in at most Options.Tabs tabs at once, each bounded by
// Options.PageTimeout.
package render

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/scrapersky/scrapersky-go/adapters/internal/chromium"
)

// Options tunes a Chrome. Zero fields take the defaults of DefaultOptions.
type Options struct {
	// ExecPath is the browser binary; empty finds one (SCRAPERSKY_CHROMIUM, then chromium on PATH).
	ExecPath string
	// Tabs is how many pages render at once; the others wait.
	Tabs int
	// PageTimeout bounds one page: load, scripts and reading the DOM.
	PageTimeout time.Duration
	// Settle is how long scripts may keep running after the load event
	// (timers, the page's own requests) before the DOM is read.
	Settle time.Duration
}

// DefaultOptions returns the defaults: two tabs, 15 s per page, 750 ms
// after the load event.
func DefaultOptions() Options {
	return Options{Tabs: 2, PageTimeout: 15 * time.Second, Settle: 750 * time.Millisecond}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Tabs <= 0 {
		o.Tabs = d.Tabs
	}
	if o.PageTimeout <= 0 {
		o.PageTimeout = d.PageTimeout
	}
	if o.Settle <= 0 {
		o.Settle = d.Settle
	}
	return o
}

// ErrNoBrowser means no Chromium was found to render with.
var ErrNoBrowser = chromium.ErrNotFound

// Chrome renders pages in one headless Chromium, started on first use. It
// is safe for concurrent use; Close stops the browser.
type Chrome struct {
	opt  Options
	tabs chan struct{}

	once      sync.Once
	startErr  error
	browser   context.Context
	stopAlloc context.CancelFunc
	stopBrows context.CancelFunc
}

// New returns a Chrome with opt; the browser starts with the first Render.
// It fails at once when no browser binary can be found.
func New(opt Options) (*Chrome, error) {
	opt = opt.withDefaults()
	if opt.ExecPath == "" {
		p, err := chromium.Find()
		if err != nil {
			return nil, err
		}
		opt.ExecPath = p
	}
	return &Chrome{opt: opt, tabs: make(chan struct{}, opt.Tabs)}, nil
}

func (c *Chrome) start() error {
	c.once.Do(func() {
		allocCtx, stopAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(c.opt.ExecPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("blink-settings", "imagesEnabled=false"),
			chromedp.Flag("mute-audio", true),
		)
		browser, stopBrowser := chromedp.NewContext(allocCtx)
		if err := chromedp.Do(browser); err != nil {
			stopBrowser()
			stopAlloc()
			c.startErr = fmt.Errorf("render: start chromium: %w", err)
			return
		}
		c.browser, c.stopAlloc, c.stopBrows = browser, stopAlloc, stopBrowser
	})
	return c.startErr
}

// Close stops the browser, if it was started.
func (c *Chrome) Close() {
	c.once.Do(func() { c.startErr = errors.New("render: closed") })
	if c.stopBrows != nil {
		c.stopBrows()
		c.stopAlloc()
	}
}

// Render loads body as the document at pageURL, runs its scripts for the
// settle time after the load event, and returns the page's DOM as HTML.
func (c *Chrome) Render(ctx context.Context, pageURL string, body []byte) (string, error) {
	page, err := url.Parse(pageURL)
	if err != nil || (page.Scheme != "http" && page.Scheme != "https") {
		return "", fmt.Errorf("render: %q is not an http(s) URL", pageURL)
	}
	if err := c.start(); err != nil {
		return "", err
	}
	select {
	case c.tabs <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.tabs }()

	tab, closeTab := chromedp.NewContext(c.browser)
	defer closeTab()
	// The tab's actions stop at the page timeout or when ctx ends.
	tctx, cancel := context.WithTimeout(tab, c.opt.PageTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	// Subscribe before navigating: every request of the page pauses until
	// it is answered here.
	paused := chromedp.Events(tctx, fetch.RequestPaused)
	if _, err := chromedp.Call(tctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		return "", fmt.Errorf("render %s: intercept requests: %w", pageURL, err)
	}
	var answering sync.WaitGroup
	answering.Add(1)
	go func() {
		defer answering.Done()
		served := false
		for e, err := range paused {
			if err != nil {
				return
			}
			var cerr error
			switch {
			case !served && e.ResourceType == network.ResourceTypeDocument && e.Request.URL == pageURL:
				served = true
				_, cerr = chromedp.Call(tctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID: e.RequestID, ResponseCode: 200, Body: body,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
				})
			case allowed(page, &e):
				_, cerr = chromedp.Call(tctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			default:
				_, cerr = chromedp.Call(tctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}
			if cerr != nil && tctx.Err() != nil {
				return
			}
		}
	}()
	defer func() { cancel(); answering.Wait() }()

	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL), chromedp.Sleep(c.opt.Settle)); err != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, err)
	}
	html, err := chromedp.Run(tctx, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		return "", fmt.Errorf("render %s: read the DOM: %w", pageURL, err)
	}
	return html, nil
}

// allowed reports whether a request of the page may go out: same origin
// as the page, and not an image, media or font.
func allowed(page *url.URL, e *fetch.EventRequestPaused) bool {
	switch e.ResourceType {
	case network.ResourceTypeImage, network.ResourceTypeMedia, network.ResourceTypeFont:
		return false
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return false
	}
	return u.Scheme == page.Scheme && u.Host == page.Host
}
