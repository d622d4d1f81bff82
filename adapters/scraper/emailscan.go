package scraper

import (
	"context"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/extract"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

var _ scan.Scanner = (*EmailScanner)(nil)

// EmailScanner is the scan.Scanner of the email scan: it crawls a site and
// extracts the emails of every HTML or text page.
type EmailScanner struct {
	crawler *Crawler
}

// NewEmailScanner returns a scanner over c.
func NewEmailScanner(c *Crawler) *EmailScanner { return &EmailScanner{crawler: c} }

// Scan crawls site. The error, if any, is the crawler's *Error: its message
// is meant for users and it tells whether a retry may help.
func (s *EmailScanner) Scan(ctx context.Context, site string) (scan.Report, error) {
	var rep scan.Report
	_, err := s.crawler.Crawl(ctx, site, func(_ context.Context, p Page) error {
		rep.Pages = append(rep.Pages, scan.PageResult{URL: p.URL, Status: p.Status, Emails: Emails(p)})
		return nil
	})
	if err != nil {
		return scan.Report{}, err
	}
	return rep, nil
}

// Emails extracts the emails of one fetched page.
func Emails(p Page) []scan.Found {
	var found []extract.Found
	switch {
	case p.IsHTML:
		found = extract.HTML(p.Body, p.URL)
	case len(p.Body) > 0:
		found = extract.Text(p.Body)
	}
	out := make([]scan.Found, len(found))
	for i, f := range found {
		out[i] = scan.Found{Email: f.Email, Context: f.Context}
	}
	return out
}
