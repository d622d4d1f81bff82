// Package scan is the email scan use case: a claimed domain is crawled, the
// emails found are classified and stored as contacts, and the domain's
// page_scrape_status is set, all in one fenced transaction.
package scan

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// MaxContextLength caps the text kept around a match.
const MaxContextLength = 200

// Found is one email seen on a page.
type Found struct {
	Email   string
	Context string
}

// PageResult is one fetched page and the emails on it.
type PageResult struct {
	URL    string
	Status int
	Emails []Found
}

// Report is what a crawl of one site produced.
type Report struct {
	Pages []PageResult
	// PageCapReached says the crawl stopped at its page cap while pages of
	// the site were still waiting to be fetched.
	PageCapReached bool
}

// OnPage is told of each page as the crawl fetches it, one call at a time.
// An error from it stops the crawl, and Scan returns an error wrapping it.
type OnPage func(ctx context.Context, p PageResult) error

// Scanner crawls a site and extracts the emails of its pages. onPage, when
// not nil, is called with every page that ends up in the report, as soon
// as it is read. An error means the site as a whole could not be scanned;
// its message is shown to users, and it may implement queue.Transient.
type Scanner interface {
	Scan(ctx context.Context, site string, onPage OnPage) (Report, error)
}

// Page records one fetched page of a scan.
type Page struct {
	DomainID    uuid.UUID `json:"domain_id"`
	URL         string    `json:"url"`
	Status      int       `json:"http_status"`
	EmailsFound int       `json:"emails_found"`
	FetchedAt   time.Time `json:"fetched_at"`
}

// Outcome is a finished scan, written at once: the contacts (stored as
// contact.Contact) and the pages.
type Outcome struct {
	Contacts       []contact.Contact
	Pages          []Page
	PageCapReached bool
	FinishedAt     time.Time
}

// Results stores a scan's progress and its result.
type Results interface {
	// Progress sets the counts of the job's run and of its domain
	// (pages_scanned, contacts_found) to the scan's figures so far, and
	// clears page_cap_reached, which only a finished scan knows, fenced on
	// job.Token like FinishScan.
	Progress(ctx context.Context, job queue.Job, pages, contacts int) error
	// FinishScan upserts the contacts (a contact already stored for the
	// domain keeps its ID and first_seen_at and gets the new last_seen_at),
	// upserts the pages, and sets the domain to Completed with its counts
	// and page_cap_reached, in one transaction fenced on job.Token: if the
	// job lost its lease nothing is written and the error wraps
	// core.ErrLeaseLost.
	FinishScan(ctx context.Context, job queue.Job, out Outcome) error
}

// Handler is the queue.Handler of the email scan workflow.
type Handler struct {
	scanner      Scanner
	results      Results
	clock        core.Clock
	retry        queue.StoreRetry
	suppressions Suppressions // nil: nothing is suppressed
	log          *slog.Logger
}

var _ queue.Handler = (*Handler)(nil)

// NewHandler returns the email scan handler.
func NewHandler(s Scanner, r Results, clock core.Clock) *Handler {
	return &Handler{scanner: s, results: r, clock: clock, retry: queue.DefaultStoreRetry(), log: slog.Default()}
}

// WithLogger sets where failed progress writes are logged (slog.Default
// unless set) and returns h.
func (h *Handler) WithLogger(log *slog.Logger) *Handler {
	if log != nil {
		h.log = log
	}
	return h
}

// WithStoreRetry sets how storing the results is retried in place
// (queue.DefaultStoreRetry unless set) and returns h.
func (h *Handler) WithStoreRetry(p queue.StoreRetry) *Handler {
	h.retry = p
	return h
}

// Handle scans job.Domain and records the outcome. No transaction is open
// while the site is crawled. The counts start at zero and advance while the
// crawl runs (see progress); a progress write that finds the claim gone
// stops the crawl and the job.
func (h *Handler) Handle(ctx context.Context, job queue.Job) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr := h.newProgress(job, cancel)
	if err := pr.start(ctx); err != nil {
		return err
	}
	rep, err := h.scanner.Scan(ctx, job.Domain, pr.page)
	if lost := pr.lostErr(); lost != nil {
		return lost
	}
	if err != nil {
		return err
	}
	if rep, err = h.suppress(ctx, rep); err != nil {
		return err
	}
	out := Build(job.DomainID, job.Domain, rep, h.clock.Now())
	write := func(ctx context.Context) error { return h.results.FinishScan(ctx, job, out) }
	if err := h.retry.Do(ctx, write); err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	queue.Note(ctx, "pages", len(out.Pages), "contacts", len(out.Contacts))
	return nil
}

// Build classifies the emails of rep against site and returns one contact
// per distinct email (the first page and context it was seen with) and one
// page record per distinct URL.
func Build(domainID uuid.UUID, site string, rep Report, now time.Time) Outcome {
	out := Outcome{FinishedAt: now, PageCapReached: rep.PageCapReached}
	seen := map[string]bool{}
	seenURL := map[string]bool{}
	for _, p := range rep.Pages {
		if seenURL[p.URL] {
			continue
		}
		seenURL[p.URL] = true
		emails := map[string]bool{}
		for _, f := range p.Emails {
			emails[f.Email] = true
			if seen[f.Email] {
				continue
			}
			seen[f.Email] = true
			out.Contacts = append(out.Contacts, contact.Contact{
				ID:          uuid.New(),
				DomainID:    domainID,
				Email:       f.Email,
				Type:        contact.Classify(f.Email, site),
				HasGmail:    contact.HasGmail(f.Email),
				Context:     truncate(f.Context, MaxContextLength),
				SourceURL:   p.URL,
				FirstSeenAt: now,
				LastSeenAt:  now,
			})
		}
		out.Pages = append(out.Pages, Page{DomainID: domainID, URL: p.URL, Status: p.Status, EmailsFound: len(emails), FetchedAt: now})
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
