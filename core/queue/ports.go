// Package queue is the work loop shared by the processing workflows: claim
// queued domains with a lease, run a handler on each without holding any row
// lock, extend the lease while it runs, then retry, fail or release, all
// fenced on the claim token. A rescuer puts domains whose lease expired back
// in the queue. The email scan and the sitemap analysis use the same loop
// with different core.Workflow values.
package queue

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// Job is one claimed domain.
type Job struct {
	// DomainID and Domain identify the claimed domain.
	DomainID uuid.UUID
	Domain   string
	// Attempt counts claims of this domain since it was queued, this one
	// included (1 for the first).
	Attempt int
	// RunID is the run the claim belongs to (see Run): a fresh one on a
	// domain's first claim since it was queued, the same one on a retry.
	RunID uuid.UUID
	// Token is the fresh claim token every fenced write must present.
	Token uuid.UUID
	// LeaseExpiresAt is when the rescuer may take the domain back.
	LeaseExpiresAt time.Time
}

// Queue is the storage side of the loop. The stores keep one run record per
// run (see Run) beside the domain's secondary status, and change both in one
// transaction. Every method but Claim, Rescue and Held is fenced: it
// changes the run only while it is running under the job's token, and
// otherwise returns an error wrapping core.ErrLeaseLost.
type Queue interface {
	// Claim moves up to limit domains whose secondary status is wf.Queued and
	// whose run, if they have one waiting, is due, to wf.Running in one
	// committed statement: it starts a run (or resumes the waiting one) with
	// attempt + 1, a fresh token and the lease until now+lease. Concurrent
	// claimers never get the same domain.
	Claim(ctx context.Context, wf core.Workflow, limit int, lease time.Duration, now time.Time) ([]Job, error)
	// Extend moves the job's lease to until.
	Extend(ctx context.Context, wf core.Workflow, job Job, until time.Time) error
	// Release puts the job back to wf.Queued and gives the attempt back
	// (shutdown).
	Release(ctx context.Context, wf core.Workflow, job Job, now time.Time) error
	// Retry puts the job back to wf.Queued, due at at, recording f as the
	// run's last error (f.Public also as the domain's).
	Retry(ctx context.Context, wf core.Workflow, job Job, at time.Time, f Failure, now time.Time) error
	// Fail finishes the job with wf.Failed and f as its error (f.Public
	// also as the domain's).
	Fail(ctx context.Context, wf core.Workflow, job Job, f Failure, now time.Time) error
	// Rescue finds Running domains whose lease expired before now: those
	// with attempts left go back to wf.Queued, the others to wf.Failed. It
	// returns how many it moved.
	Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error)
	// Held reports, in one read-only statement, which of jobs are still
	// running under their own token: it returns their RunIDs as held, and
	// of the others those whose run was cancelled or no longer exists
	// (its domain was deleted) as cancelled; the rest lost their lease
	// (rescued, claimed again). A worker calls it for all its running jobs
	// at once, every Config.CheckInterval, and stops those not held.
	Held(ctx context.Context, wf core.Workflow, jobs []Job) (held, cancelled []uuid.UUID, err error)
}

// Failure is why a run failed or will retry, told twice: Public is the
// short text users read (the run's and the domain's error); Detail is the
// full cause for operators (the run's error detail, "" for none). The
// stores keep Detail on the run only, and nothing serves it to users.
type Failure struct {
	Public string
	Detail string
}

// Handler does one job's work and records its result in the same fenced
// transaction that sets the final status (returning an error wrapping
// core.ErrLeaseLost if the job was taken away).
type Handler interface {
	Handle(ctx context.Context, job Job) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, job Job) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, job Job) error { return f(ctx, job) }

// Transient is implemented by errors worth retrying (timeouts, 5xx,
// refused connections). Errors that do not implement it are permanent.
type Transient interface {
	Transient() bool
}
