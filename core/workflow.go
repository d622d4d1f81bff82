package core

// Secondary is a workflow's processing status: a TaskStatus (the email
// scan's page_scrape_status) or an AnalysisStatus (the sitemap analysis's
// sitemap_analysis_status). A nil Secondary is the NULL status of a domain
// that was never queued.
type Secondary interface {
	// Valid reports whether the value is one of its enum's.
	Valid() bool
	// String returns the wire string.
	String() string
}

// Workflow describes one instance of the synchronous secondary state update
// pattern: setting the primary (curation) status to Trigger queues the
// secondary (processing) status, unless it is already one of Active; a
// worker then moves it to Running and on to Done or Failed. Setting the
// primary to anything else while the secondary is Queued or Running
// cancels it (ShouldCancel): it becomes Cancelled, and the open run ends.
//
// A Workflow names no storage: the stores map Name to their columns (the
// SQL stores in adapters/internal/bunstore, the memory store to Domain's
// fields).
type Workflow struct {
	// Name identifies the workflow in logs, metrics and the stores.
	Name string
	// Trigger is the primary value that queues processing.
	Trigger CurationStatus
	// Queued marks work to do; Running a domain a worker holds; Done and
	// Failed how the worker finished; Cancelled work the user called off
	// (ShouldCancel).
	Queued, Running, Done, Failed, Cancelled Secondary
	// Active are the secondary values that block re-queueing.
	Active []Secondary
}

// ShouldQueue reports whether setting the primary status to target queues a
// domain whose secondary status is current (nil for NULL). It is the
// queueing rule: the memory store calls it, and the SQL stores express it
// once (bunstore.ShouldQueueSQL); storetest.RunQueue's ShouldQueue
// case pins every store to it.
func (w Workflow) ShouldQueue(target CurationStatus, current Secondary) bool {
	if target != w.Trigger {
		return false
	}
	if current == nil {
		return true
	}
	for _, a := range w.Active {
		if current == a {
			return false
		}
	}
	return true
}

// ShouldCancel reports whether setting the primary status to target
// cancels a domain whose secondary status is current (nil for NULL): the
// target is not the trigger and the work is Queued or Running. It is the
// cancelling rule: the memory store calls it, the SQL stores express it
// once (bunstore.ShouldCancelSQL), and storetest.RunQueue's ShouldQueue
// case pins every store to it.
func (w Workflow) ShouldCancel(target CurationStatus, current Secondary) bool {
	if target == w.Trigger || current == nil {
		return false
	}
	return current == w.Queued || current == w.Running
}

// Statuses returns every value the workflow's secondary status can take,
// in the enum's order.
func (w Workflow) Statuses() []Secondary {
	switch w.Queued.(type) {
	case TaskStatus:
		return secondaries(TaskStatuses)
	case AnalysisStatus:
		return secondaries(AnalysisStatuses)
	}
	return nil
}

func secondaries[S interface {
	~string
	Secondary
}](vs []S) []Secondary {
	out := make([]Secondary, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// EmailScan is the work order's workflow: email_scan_status Selected queues
// page_scrape_status unless it is Queued or InProgress.
var EmailScan = Workflow{
	Name:      "email_scan",
	Trigger:   CurationSelected,
	Queued:    TaskQueued,
	Running:   TaskInProgress,
	Done:      TaskCompleted,
	Failed:    TaskError,
	Cancelled: TaskCancelled,
	Active:    []Secondary{TaskQueued, TaskInProgress},
}

// SitemapCuration is the reference workflow: sitemap_curation_status
// Selected queues sitemap_analysis_status unless it is Queued or
// Processing.
var SitemapCuration = Workflow{
	Name:      "sitemap_curation",
	Trigger:   CurationSelected,
	Queued:    AnalysisQueued,
	Running:   AnalysisProcessing,
	Done:      AnalysisCompleted,
	Failed:    AnalysisError,
	Cancelled: AnalysisCancelled,
	Active:    []Secondary{AnalysisQueued, AnalysisProcessing},
}

// Workflows are the workflows this service runs.
var Workflows = []Workflow{EmailScan, SitemapCuration}
