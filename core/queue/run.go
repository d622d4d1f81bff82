package queue

import (
	"time"

	"github.com/google/uuid"
)

// RunState is where one run of a workflow on a domain stands. A run starts
// at its first claim and ends Completed, Failed or Cancelled (the user
// moved the primary status away from the trigger); in between it is
// Running (a worker holds it) or Waiting (back in the queue after a retry,
// a shutdown or a rescue, due at NextAttemptAt).
type RunState string

// The run states.
const (
	RunRunning   RunState = "running"
	RunWaiting   RunState = "waiting"
	RunCompleted RunState = "completed"
	RunFailed    RunState = "failed"
	RunCancelled RunState = "cancelled"
)

// RunStates lists every run state.
var RunStates = []RunState{RunRunning, RunWaiting, RunCompleted, RunFailed, RunCancelled}

// Valid reports whether s is a run state.
func (s RunState) Valid() bool {
	for _, v := range RunStates {
		if s == v {
			return true
		}
	}
	return false
}

// Finished reports whether a run in state s has ended.
func (s RunState) Finished() bool { return s == RunCompleted || s == RunFailed || s == RunCancelled }

// CancelledMessage is the error a cancelled run and its domain show.
const CancelledMessage = "cancelled"

// Run is the record of one run: the stores keep one per claim cycle of a
// domain in a workflow (queued once, claimed one or more times, finished
// once), so a domain's runs are its scan history.
type Run struct {
	// ID identifies the run; a job carries it as RunID.
	ID       uuid.UUID
	DomainID uuid.UUID
	// Workflow is the core.Workflow's Name.
	Workflow string
	State    RunState
	// Attempt counts the claims of this run (shutdowns give theirs back).
	Attempt int
	// StartedAt is the first claim; FinishedAt the end, nil while open.
	StartedAt  time.Time
	FinishedAt *time.Time
	// NextAttemptAt is when a waiting run is due again (nil: at once).
	NextAttemptAt *time.Time
	// PagesScanned and ContactsFound are the email scan's counts;
	// NewContacts how many of the contacts were first found by this run.
	PagesScanned  int
	ContactsFound int
	NewContacts   int
	// PageCapReached says the scan stopped at the page cap while pages of
	// the site were still waiting.
	PageCapReached bool
	// Error is the last error, meant for users ("" for none).
	Error string
	// ErrorDetail is the last error's full cause, for operators and the
	// log only: never serve it to users ("" for none).
	ErrorDetail string
}

// Duration is how long a finished run took from its first claim, or 0
// while it is open.
func (r Run) Duration() time.Duration {
	if r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}
