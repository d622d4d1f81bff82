package memory

import (
	"fmt"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// fields maps a workflow to the Domain fields that hold its statuses and
// its latest run's summary; it is this store's counterpart of the SQL
// stores' column map (bunstore.columnsOf).
type fields struct {
	primary  func(d *core.Domain) *core.CurationStatus
	get      func(d *core.Domain) core.Secondary
	set      func(d *core.Domain, s core.Secondary)
	errField func(d *core.Domain) **string
	// attempts, started and finished are the latest run's summary the
	// Domain shows (the email scan's; the sitemap's are not on Domain and
	// point at scratch fields).
	attempts func(d *core.Domain) *int
	started  func(d *core.Domain) **time.Time
	finished func(d *core.Domain) **time.Time
	// next is when a waiting run is due, as the Domain shows it: set by
	// Retry, cleared by every other write of the workflow.
	next func(d *core.Domain) **time.Time
}

var workflowFields = map[string]fields{
	core.EmailScan.Name: {
		primary: func(d *core.Domain) *core.CurationStatus { return &d.EmailScanStatus },
		get: func(d *core.Domain) core.Secondary {
			if d.PageScrapeStatus == nil {
				return nil
			}
			return *d.PageScrapeStatus
		},
		set: func(d *core.Domain, s core.Secondary) {
			v := s.(core.TaskStatus)
			d.PageScrapeStatus = &v
		},
		errField: func(d *core.Domain) **string { return &d.PageScrapeError },
		attempts: func(d *core.Domain) *int { return &d.PageScrapeAttempts },
		started:  func(d *core.Domain) **time.Time { return &d.PageScrapeStartedAt },
		finished: func(d *core.Domain) **time.Time { return &d.PageScrapeFinishedAt },
		next:     func(d *core.Domain) **time.Time { return &d.PageScrapeNextAttemptAt },
	},
	core.SitemapCuration.Name: {
		primary: func(d *core.Domain) *core.CurationStatus { return &d.SitemapCurationStatus },
		get: func(d *core.Domain) core.Secondary {
			if d.SitemapAnalysisStatus == nil {
				return nil
			}
			return *d.SitemapAnalysisStatus
		},
		set: func(d *core.Domain, s core.Secondary) {
			v := s.(core.AnalysisStatus)
			d.SitemapAnalysisStatus = &v
		},
		errField: func(d *core.Domain) **string { return &d.SitemapAnalysisError },
		attempts: func(*core.Domain) *int { return new(int) },
		started:  func(*core.Domain) **time.Time { return new(*time.Time) },
		finished: func(*core.Domain) **time.Time { return new(*time.Time) },
		next:     func(d *core.Domain) **time.Time { return &d.SitemapAnalysisNextAttemptAt },
	},
}

// fieldsOf returns wf's fields, or an error for a workflow this store does
// not know.
func fieldsOf(wf core.Workflow) (fields, error) {
	f, ok := workflowFields[wf.Name]
	if !ok {
		return fields{}, fmt.Errorf("memory: unknown workflow %q", wf.Name)
	}
	return f, nil
}

// setSecondary sets wf's secondary status of d and its error, and clears
// the due time of a waiting run (Retry sets it again).
func (f fields) setSecondary(d *core.Domain, s core.Secondary, errMsg *string) {
	f.set(d, s)
	*f.errField(d) = errMsg
	*f.next(d) = nil
}
