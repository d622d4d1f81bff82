package core

import "fmt"

// CurationStatus is a primary, user-set status: the value of
// sitemap_curation_status and email_scan_status.
type CurationStatus string

// The curation statuses, spelled exactly as stored and sent on the wire.
const (
	CurationNew      CurationStatus = "New"
	CurationSelected CurationStatus = "Selected"
	CurationMaybe    CurationStatus = "Maybe"
	CurationNotAFit  CurationStatus = "Not a Fit"
	CurationArchived CurationStatus = "Archived"
)

// CurationStatuses lists every valid CurationStatus in display order.
var CurationStatuses = []CurationStatus{CurationNew, CurationSelected, CurationMaybe, CurationNotAFit, CurationArchived}

// Valid reports whether s is one of the defined curation statuses.
func (s CurationStatus) Valid() bool {
	for _, v := range CurationStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// String returns the wire string.
func (s CurationStatus) String() string { return string(s) }

// ParseCurationStatus returns the CurationStatus spelled exactly s, or an
// error wrapping ErrInvalidStatus.
func ParseCurationStatus(s string) (CurationStatus, error) {
	if v := CurationStatus(s); v.Valid() {
		return v, nil
	}
	return "", fmt.Errorf("%w: %q is not a curation status (want one of %s)", ErrInvalidStatus, s, list(CurationStatuses))
}

// TaskStatus is the processing status of the email scan, page_scrape_status.
// As in the original, TaskStatus "PENDING" is spelled "Queued".
type TaskStatus string

// The page scrape statuses.
const (
	TaskQueued     TaskStatus = "Queued"
	TaskInProgress TaskStatus = "InProgress"
	TaskCompleted  TaskStatus = "Completed"
	TaskError      TaskStatus = "Error"
	TaskCancelled  TaskStatus = "Cancelled"
)

// TaskStatuses lists every valid TaskStatus.
var TaskStatuses = []TaskStatus{TaskQueued, TaskInProgress, TaskCompleted, TaskError, TaskCancelled}

// Valid reports whether s is one of the defined task statuses.
func (s TaskStatus) Valid() bool {
	for _, v := range TaskStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// String returns the wire string.
func (s TaskStatus) String() string { return string(s) }

// ParseTaskStatus returns the TaskStatus spelled exactly s, or an error
// wrapping ErrInvalidStatus.
func ParseTaskStatus(s string) (TaskStatus, error) {
	if v := TaskStatus(s); v.Valid() {
		return v, nil
	}
	return "", fmt.Errorf("%w: %q is not a task status (want one of %s)", ErrInvalidStatus, s, list(TaskStatuses))
}

// AnalysisStatus is the processing status of the sitemap analysis,
// sitemap_analysis_status.
type AnalysisStatus string

// The sitemap analysis statuses.
const (
	AnalysisQueued     AnalysisStatus = "Queued"
	AnalysisProcessing AnalysisStatus = "Processing"
	AnalysisCompleted  AnalysisStatus = "Completed"
	AnalysisError      AnalysisStatus = "Error"
	AnalysisCancelled  AnalysisStatus = "Cancelled"
)

// AnalysisStatuses lists every valid AnalysisStatus.
var AnalysisStatuses = []AnalysisStatus{AnalysisQueued, AnalysisProcessing, AnalysisCompleted, AnalysisError, AnalysisCancelled}

// Valid reports whether s is one of the defined analysis statuses.
func (s AnalysisStatus) Valid() bool {
	for _, v := range AnalysisStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// String returns the wire string.
func (s AnalysisStatus) String() string { return string(s) }

// ParseAnalysisStatus returns the AnalysisStatus spelled exactly s, or an
// error wrapping ErrInvalidStatus.
func ParseAnalysisStatus(s string) (AnalysisStatus, error) {
	if v := AnalysisStatus(s); v.Valid() {
		return v, nil
	}
	return "", fmt.Errorf("%w: %q is not a sitemap analysis status (want one of %s)", ErrInvalidStatus, s, list(AnalysisStatuses))
}

func list[T ~string](vs []T) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", string(v))
	}
	return out
}
