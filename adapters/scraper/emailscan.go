package scraper

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/extract"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/jsrun"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

var _ scan.Scanner = (*EmailScanner)(nil)

// EmailScanner is the scan.Scanner of the email scan: it crawls a site and
// extracts the emails of every HTML or text page.
type EmailScanner struct {
	crawler  *Crawler
	renderer Renderer // nil: no browser
}

// NewEmailScanner returns a scanner over c.
func NewEmailScanner(c *Crawler) *EmailScanner { return &EmailScanner{crawler: c} }

// Renderer loads a page the crawler fetched in a real browser and returns
// the DOM its scripts leave (render.Chrome). It is the opt-in path for
// sites whose addresses only a full browser builds.
type Renderer interface {
	Render(ctx context.Context, pageURL string, body []byte) (string, error)
}

// WithRenderer makes s also read every HTML page that has scripts as r
// renders it, and returns s.
func (s *EmailScanner) WithRenderer(r Renderer) *EmailScanner {
	s.renderer = r
	return s
}

// finishMargin is the share of the job's remaining time kept back from the
// crawl, so that a crawl cut short by its budget still leaves time to store
// what it found.
const finishMargin = 10

// Scan crawls site, passing each page to onPage (when not nil) as soon as
// its emails are read. When ctx has a deadline the crawl stops a little
// before it and the pages fetched so far are the result: a large or slow
// site gives a partial scan, not an error. The report says whether the
// crawl stopped at the page cap with pages of the site left. The error, if
// any, is the crawler's *Error (a message for users, and whether a retry
// may help), a timeout before the first page, or onPage's error wrapped.
func (s *EmailScanner) Scan(ctx context.Context, site string, onPage scan.OnPage) (scan.Report, error) {
	crawlCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		remaining := time.Until(deadline)
		var cancel context.CancelFunc
		crawlCtx, cancel = context.WithDeadline(ctx, deadline.Add(-remaining/finishMargin))
		defer cancel()
	}
	var rep scan.Report
	st, err := s.crawler.Crawl(crawlCtx, site, func(vctx context.Context, p Page) error {
		r := scan.PageResult{URL: p.URL, Status: p.Status, Emails: EmailsWith(ctx, s.renderer, p)}
		rep.Pages = append(rep.Pages, r)
		if onPage != nil {
			return onPage(vctx, r)
		}
		return nil
	})
	rep.PageCapReached = st.PageCapReached
	switch {
	case err == nil:
		return rep, nil
	// The crawl's own deadline passed (the job's may have passed since, on
	// a busy machine): a partial scan or a timeout, unless the job was
	// cancelled.
	case errors.Is(crawlCtx.Err(), context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.Canceled):
		if len(rep.Pages) > 0 {
			return rep, nil
		}
		return scan.Report{}, &Error{Msg: "timeout: no page answered within the scan deadline", Retryable: true, Err: err}
	}
	return scan.Report{}, err
}

// Extractor reads every page the scanner and the CLI fetch: the markup, and
// what the page's inline scripts write when run in the jsrun sandbox (within
// jsrun.DefaultLimits). It is safe for concurrent use.
var Extractor = extract.Extractor{Scripts: jsrun.New(jsrun.Limits{})}

// EmailsWith is Emails plus, when r is not nil and p is HTML with scripts,
// the emails of the DOM r renders from it (a failed render only loses
// those). The rendered DOM is read without running its scripts again.
func EmailsWith(ctx context.Context, r Renderer, p Page) []scan.Found {
	found := Emails(ctx, p)
	if r == nil || !p.IsHTML || !hasScript(p.Body) {
		return found
	}
	dom, err := r.Render(ctx, p.URL, p.Body)
	if err != nil {
		return found
	}
	seen := make(map[string]bool, len(found))
	for _, f := range found {
		seen[f.Email] = true
	}
	for _, f := range rendered.HTML(ctx, []byte(dom), p.URL) {
		if !seen[f.Email] {
			seen[f.Email] = true
			found = append(found, scan.Found{Email: f.Email, Context: f.Context})
		}
	}
	return found
}

func hasScript(body []byte) bool {
	return bytes.Contains(body, []byte("<script")) || bytes.Contains(body, []byte("<SCRIPT"))
}

// rendered reads a DOM a browser built: its scripts have run already.
var rendered = extract.Extractor{}

// Emails extracts the emails of one fetched page with Extractor.
func Emails(ctx context.Context, p Page) []scan.Found {
	var found []extract.Found
	switch {
	case p.IsHTML:
		found = Extractor.HTML(ctx, p.Body, p.URL)
	case len(p.Body) > 0:
		found = extract.Text(p.Body)
	}
	out := make([]scan.Found, len(found))
	for i, f := range found {
		out[i] = scan.Found{Email: f.Email, Context: f.Context}
	}
	return out
}
