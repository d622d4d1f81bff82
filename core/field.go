package core

// Field names a status or error attribute of Domain by its wire name (the
// JSON name, which the seed's schema also uses as the column name). Status
// counts (StatusCount) are keyed by it; workflows are not: a Workflow names
// no columns, and each store maps a workflow to its own.
type Field string

// The status and error attributes of the two workflows.
const (
	FieldSitemapCurationStatus Field = "sitemap_curation_status"
	FieldSitemapAnalysisStatus Field = "sitemap_analysis_status"
	FieldSitemapAnalysisError  Field = "sitemap_analysis_error"
	FieldEmailScanStatus       Field = "email_scan_status"
	FieldPageScrapeStatus      Field = "page_scrape_status"
	FieldPageScrapeError       Field = "page_scrape_error"
)
