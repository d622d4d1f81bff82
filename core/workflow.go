package core

// Field names a status or error column of Domain; the names are the column
// names, so adapters can use them as SQL identifiers.
type Field string

// The columns the workflows touch.
const (
	FieldSitemapCurationStatus Field = "sitemap_curation_status"
	FieldSitemapAnalysisStatus Field = "sitemap_analysis_status"
	FieldSitemapAnalysisError  Field = "sitemap_analysis_error"
	FieldEmailScanStatus       Field = "email_scan_status"
	FieldPageScrapeStatus      Field = "page_scrape_status"
	FieldPageScrapeError       Field = "page_scrape_error"
)

// Workflow describes one instance of the synchronous secondary state update
// pattern: setting Primary to Trigger sets Secondary to Queued and clears
// ErrorField, unless Secondary already holds one of Active.
type Workflow struct {
	// Name identifies the workflow in logs and metrics.
	Name string
	// Primary is the user-set curation status column.
	Primary Field
	// Trigger is the primary value that queues processing.
	Trigger CurationStatus
	// Secondary is the processing status column.
	Secondary Field
	// Queued is the secondary value that marks work to do.
	Queued string
	// Active are the secondary values that block re-queueing.
	Active []string
	// ErrorField is cleared when a domain is queued.
	ErrorField Field
	// Running is the secondary value while a worker holds the domain.
	Running string
	// Done and Failed are the secondary values a worker finishes with.
	Done, Failed string
	// Prefix names the workflow's queue columns: Prefix+"_attempts",
	// Prefix+"_claim_token", Prefix+"_lease_expires_at" and so on.
	Prefix string
}

// ShouldQueue reports whether setting the primary status to target queues a
// domain whose secondary status is current (nil for NULL).
func (w Workflow) ShouldQueue(target CurationStatus, current *string) bool {
	if target != w.Trigger {
		return false
	}
	if current == nil {
		return true
	}
	for _, a := range w.Active {
		if *current == a {
			return false
		}
	}
	return true
}

// EmailScan is the work order's workflow: email_scan_status Selected queues
// page_scrape_status unless it is Queued or InProgress.
var EmailScan = Workflow{
	Name:       "email_scan",
	Primary:    FieldEmailScanStatus,
	Trigger:    CurationSelected,
	Secondary:  FieldPageScrapeStatus,
	Queued:     string(TaskQueued),
	Active:     []string{string(TaskQueued), string(TaskInProgress)},
	ErrorField: FieldPageScrapeError,
	Running:    string(TaskInProgress),
	Done:       string(TaskCompleted),
	Failed:     string(TaskError),
	Prefix:     "page_scrape",
}

// SitemapCuration is the reference workflow: sitemap_curation_status Selected
// queues sitemap_analysis_status unless it is Queued or Processing.
var SitemapCuration = Workflow{
	Name:       "sitemap_curation",
	Primary:    FieldSitemapCurationStatus,
	Trigger:    CurationSelected,
	Secondary:  FieldSitemapAnalysisStatus,
	Queued:     string(AnalysisQueued),
	Active:     []string{string(AnalysisQueued), string(AnalysisProcessing)},
	ErrorField: FieldSitemapAnalysisError,
	Running:    string(AnalysisProcessing),
	Done:       string(AnalysisCompleted),
	Failed:     string(AnalysisError),
	Prefix:     "sitemap_analysis",
}
