package bunstore

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
)

// DomainRow is the domains table as Bun sees it: the columns core.Domain
// carries. The sitemap analysis progress is written and read only by the
// queue's statements, and so are the next attempt times, which the queue
// copies from the waiting run for the listings; the scan and sitemap totals
// and the page cap flag are written by the fenced progress and finishing
// statements (and AddDomains, for a seeded row).
//
// The ID carries no SQL type: PostgreSQL stores it as uuid and SQLite as its
// 36-character text, and Bun renders it as the same quoted text for both.
type DomainRow struct {
	bun.BaseModel `bun:"table:domains,alias:d"`

	ID        uuid.UUID `bun:"id,pk"`
	Domain    string    `bun:"domain,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`

	SitemapCurationStatus string  `bun:"sitemap_curation_status,notnull"`
	SitemapAnalysisStatus *string `bun:"sitemap_analysis_status"`
	SitemapAnalysisError  *string `bun:"sitemap_analysis_error"`
	// SitemapAnalysisNextAttemptAt and PageScrapeNextAttemptAt are written
	// by the queue only (QueueArgs.Next).
	SitemapAnalysisNextAttemptAt *time.Time `bun:"sitemap_analysis_next_attempt_at"`

	EmailScanStatus         string     `bun:"email_scan_status,notnull"`
	PageScrapeStatus        *string    `bun:"page_scrape_status"`
	PageScrapeError         *string    `bun:"page_scrape_error"`
	PageScrapeNextAttemptAt *time.Time `bun:"page_scrape_next_attempt_at"`

	PageScrapeAttempts   int        `bun:"page_scrape_attempts,notnull"`
	PageScrapeStartedAt  *time.Time `bun:"page_scrape_started_at"`
	PageScrapeFinishedAt *time.Time `bun:"page_scrape_finished_at"`
	PagesScanned         int        `bun:"pages_scanned,notnull"`
	ContactsFound        int        `bun:"contacts_found,notnull"`
	PageCapReached       bool       `bun:"page_cap_reached,notnull"`

	SitemapCount    int `bun:"sitemap_count,notnull"`
	SitemapURLCount int `bun:"sitemap_url_count,notnull"`
}

// RowOf converts d to its row.
func RowOf(d core.Domain) DomainRow {
	return DomainRow{
		ID:                           d.ID,
		Domain:                       d.Domain,
		CreatedAt:                    d.CreatedAt,
		UpdatedAt:                    d.UpdatedAt,
		SitemapCurationStatus:        string(d.SitemapCurationStatus),
		SitemapAnalysisStatus:        stringPtr(d.SitemapAnalysisStatus),
		SitemapAnalysisError:         d.SitemapAnalysisError,
		EmailScanStatus:              string(d.EmailScanStatus),
		PageScrapeStatus:             stringPtr(d.PageScrapeStatus),
		PageScrapeError:              d.PageScrapeError,
		PageScrapeNextAttemptAt:      d.PageScrapeNextAttemptAt,
		SitemapAnalysisNextAttemptAt: d.SitemapAnalysisNextAttemptAt,
		PageScrapeAttempts:           d.PageScrapeAttempts,
		PageScrapeStartedAt:          d.PageScrapeStartedAt,
		PageScrapeFinishedAt:         d.PageScrapeFinishedAt,
		PagesScanned:                 d.PagesScanned,
		ContactsFound:                d.ContactsFound,
		PageCapReached:               d.PageCapReached,
		SitemapCount:                 d.SitemapCount,
		SitemapURLCount:              d.SitemapURLCount,
	}
}

// Core converts a row back. The CHECK constraints guarantee the status
// strings are valid enum values. Times come back in UTC, as
// core.SystemClock makes them.
func (r DomainRow) Core() core.Domain {
	return core.Domain{
		ID:                           r.ID,
		Domain:                       r.Domain,
		CreatedAt:                    r.CreatedAt.UTC(),
		UpdatedAt:                    r.UpdatedAt.UTC(),
		SitemapCurationStatus:        core.CurationStatus(r.SitemapCurationStatus),
		SitemapAnalysisStatus:        enumPtr[core.AnalysisStatus](r.SitemapAnalysisStatus),
		SitemapAnalysisError:         r.SitemapAnalysisError,
		EmailScanStatus:              core.CurationStatus(r.EmailScanStatus),
		PageScrapeStatus:             enumPtr[core.TaskStatus](r.PageScrapeStatus),
		PageScrapeError:              r.PageScrapeError,
		PageScrapeNextAttemptAt:      UTCPtr(r.PageScrapeNextAttemptAt),
		SitemapAnalysisNextAttemptAt: UTCPtr(r.SitemapAnalysisNextAttemptAt),
		PageScrapeAttempts:           r.PageScrapeAttempts,
		PageScrapeStartedAt:          UTCPtr(r.PageScrapeStartedAt),
		PageScrapeFinishedAt:         UTCPtr(r.PageScrapeFinishedAt),
		PagesScanned:                 r.PagesScanned,
		ContactsFound:                r.ContactsFound,
		PageCapReached:               r.PageCapReached,
		SitemapCount:                 r.SitemapCount,
		SitemapURLCount:              r.SitemapURLCount,
	}
}

// UTCPtr returns t in UTC, or nil for nil.
func UTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func stringPtr[T ~string](p *T) *string {
	if p == nil {
		return nil
	}
	s := string(*p)
	return &s
}

func enumPtr[T ~string](p *string) *T {
	if p == nil {
		return nil
	}
	v := T(*p)
	return &v
}

// DedupeHosts returns the host of every domain, in input order, and the
// rows to insert: one per host, with the first ID a host was listed with.
func DedupeHosts(domains []core.Domain) (hosts []string, rows []DomainRow) {
	hosts = make([]string, len(domains))
	rows = make([]DomainRow, 0, len(domains))
	seen := make(map[string]bool, len(domains))
	for i, d := range domains {
		hosts[i] = d.Domain
		if !seen[d.Domain] {
			seen[d.Domain] = true
			rows = append(rows, RowOf(d))
		}
	}
	return hosts, rows
}

// InHostOrder returns, for every host in order, the stored domain of that
// host. Rows are never deleted, so a missing host means the insert lost it.
func InHostOrder(hosts []string, stored []DomainRow) ([]core.Domain, error) {
	byHost := make(map[string]core.Domain, len(stored))
	for _, r := range stored {
		byHost[r.Domain] = r.Core()
	}
	out := make([]core.Domain, len(hosts))
	for i, h := range hosts {
		d, ok := byHost[h]
		if !ok {
			return nil, fmt.Errorf("read back domains: %q missing after insert", h)
		}
		out[i] = d
	}
	return out, nil
}
