package core

import (
	"time"

	"github.com/google/uuid"
)

// Domain is a web site under curation. The JSON names are the column names
// of the original schema and of this service's tables.
type Domain struct {
	ID        uuid.UUID `json:"id"`
	Domain    string    `json:"domain"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	SitemapCurationStatus CurationStatus  `json:"sitemap_curation_status"`
	SitemapAnalysisStatus *AnalysisStatus `json:"sitemap_analysis_status"`
	SitemapAnalysisError  *string         `json:"sitemap_analysis_error"`
	// SitemapAnalysisNextAttemptAt is when an analysis waiting for its
	// next attempt is due; nil unless one is waiting with a due time.
	SitemapAnalysisNextAttemptAt *time.Time `json:"sitemap_analysis_next_attempt_at"`

	EmailScanStatus  CurationStatus `json:"email_scan_status"`
	PageScrapeStatus *TaskStatus    `json:"page_scrape_status"`
	PageScrapeError  *string        `json:"page_scrape_error"`
	// PageScrapeNextAttemptAt is when a scan waiting for its next attempt
	// is due; nil unless one is waiting with a due time.
	PageScrapeNextAttemptAt *time.Time `json:"page_scrape_next_attempt_at"`

	// Email scan progress, kept by the worker: the latest run's, advancing
	// while it runs.
	PageScrapeAttempts   int        `json:"page_scrape_attempts"`
	PageScrapeStartedAt  *time.Time `json:"page_scrape_started_at"`
	PageScrapeFinishedAt *time.Time `json:"page_scrape_finished_at"`
	PagesScanned         int        `json:"pages_scanned"`
	ContactsFound        int        `json:"contacts_found"`
	// PageCapReached says the latest scan stopped at the page cap while
	// pages of the site were still waiting to be fetched.
	PageCapReached bool `json:"page_cap_reached"`

	// Sitemap analysis results, kept by the sitemap worker.
	SitemapCount    int `json:"sitemap_count"`
	SitemapURLCount int `json:"sitemap_url_count"`
}

// NewDomain returns a Domain for an already normalized host with the default
// statuses (both primaries New, both secondaries null).
func NewDomain(host string, now time.Time) Domain {
	return Domain{
		ID:                    uuid.New(),
		Domain:                host,
		CreatedAt:             now,
		UpdatedAt:             now,
		SitemapCurationStatus: CurationNew,
		EmailScanStatus:       CurationNew,
	}
}
