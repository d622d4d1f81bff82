package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var _ queue.Queue = (*Store)(nil)

// run is a queue.Run with its bookkeeping: the claim token and lease of a
// running run.
type run struct {
	queue.Run
	token uuid.UUID
	lease time.Time
}

// openKey names a domain's open (not finished) run in one workflow; a
// domain has at most one.
type openKey struct {
	workflow string
	domain   uuid.UUID
}

// Claim moves due Queued domains to Running, oldest update first, starting
// a run or resuming the domain's waiting one.
func (s *Store) Claim(ctx context.Context, wf core.Workflow, limit int, leaseFor time.Duration, now time.Time) ([]queue.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := fieldsOf(wf)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	var due []core.Domain
	for id, d := range st.domains {
		if f.get(&d) != wf.Queued {
			continue
		}
		if r, ok := st.openRun(wf, id); ok && r.NextAttemptAt != nil && r.NextAttemptAt.After(now) {
			continue
		}
		due = append(due, d)
	}
	slices.SortFunc(due, func(a, b core.Domain) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	var jobs []queue.Job
	for _, d := range due[:min(limit, len(due))] {
		r, ok := st.openRun(wf, d.ID)
		if !ok {
			r = run{Run: queue.Run{ID: uuid.New(), DomainID: d.ID, Workflow: wf.Name, StartedAt: now}}
		}
		r.State, r.Attempt, r.NextAttemptAt = queue.RunRunning, r.Attempt+1, nil
		r.token, r.lease = uuid.New(), now.Add(leaseFor)
		st.putRun(r)
		// The last error stays visible until the domain finishes.
		f.set(&d, wf.Running)
		*f.attempts(&d), *f.started(&d), *f.finished(&d), *f.next(&d) = r.Attempt, copyTime(&now), nil, nil
		d.UpdatedAt = now
		st.domains[d.ID] = d
		jobs = append(jobs, queue.Job{DomainID: d.ID, Domain: d.Domain, RunID: r.ID, Attempt: r.Attempt, Token: r.token, LeaseExpiresAt: r.lease})
	}
	return jobs, nil
}

// openRun returns the open run of the domain in wf.
func (st *state) openRun(wf core.Workflow, id uuid.UUID) (run, bool) {
	rid, ok := st.open[openKey{wf.Name, id}]
	if !ok {
		return run{}, false
	}
	return st.runs[rid], true
}

// putRun stores r and keeps the index of open runs.
func (st *state) putRun(r run) {
	st.runs[r.ID] = r
	k := openKey{r.Workflow, r.DomainID}
	if r.State.Finished() {
		delete(st.open, k)
	} else {
		st.open[k] = r.ID
	}
}

// fenced returns the job's run and domain if the job still owns them.
func (st *state) fenced(wf core.Workflow, job queue.Job) (run, core.Domain, error) {
	r, ok := st.openRun(wf, job.DomainID)
	if !ok || r.State != queue.RunRunning || r.token != job.Token {
		return run{}, core.Domain{}, fmt.Errorf("domain %s: %w", job.DomainID, core.ErrLeaseLost)
	}
	d, ok := st.domains[job.DomainID]
	if !ok {
		return run{}, core.Domain{}, fmt.Errorf("domain %s: %w", job.DomainID, core.ErrNotFound)
	}
	return r, d, nil
}

// withJob runs fn on the job's run and domain, under the store's lock, if
// the job still owns them; otherwise it returns an error wrapping
// core.ErrLeaseLost.
func (s *Store) withJob(wf core.Workflow, job queue.Job, fn func(f fields, r run, d core.Domain)) error {
	f, err := fieldsOf(wf)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	fn(f, r, d)
	return nil
}

// Extend moves the lease of a job that still owns its domain.
func (s *Store) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	return s.withJob(wf, job, func(_ fields, r run, _ core.Domain) {
		r.lease = until
		s.state.putRun(r)
	})
}

// Release puts the job back in the queue and gives the attempt back.
func (s *Store) Release(ctx context.Context, wf core.Workflow, job queue.Job, now time.Time) error {
	return s.requeue(wf, job, nil, now, nil, -1)
}

// Retry puts the job back in the queue, due at at.
func (s *Store) Retry(ctx context.Context, wf core.Workflow, job queue.Job, at time.Time, fl queue.Failure, now time.Time) error {
	return s.requeue(wf, job, &at, now, &fl, 0)
}

func (s *Store) requeue(wf core.Workflow, job queue.Job, at *time.Time, now time.Time, fl *queue.Failure, attemptDelta int) error {
	return s.withJob(wf, job, func(f fields, r run, d core.Domain) {
		msg := *f.errField(&d)
		if fl != nil {
			msg = &fl.Public
			r.Error, r.ErrorDetail = fl.Public, fl.Detail
		}
		r.State, r.Attempt, r.NextAttemptAt = queue.RunWaiting, r.Attempt+attemptDelta, copyTime(at)
		r.token, r.lease = uuid.Nil, time.Time{}
		s.state.putRun(r)
		f.setSecondary(&d, wf.Queued, msg)
		*f.attempts(&d), *f.next(&d) = r.Attempt, copyTime(at)
		d.UpdatedAt = now
		s.state.domains[d.ID] = d
	})
}

// Fail finishes the job with the workflow's failed status.
func (s *Store) Fail(ctx context.Context, wf core.Workflow, job queue.Job, fl queue.Failure, now time.Time) error {
	return s.withJob(wf, job, func(f fields, r run, d core.Domain) {
		s.state.finish(f, wf.Failed, r, d, queue.RunFailed, fl, now)
	})
}

// finish ends run r of domain d in state rs, with fl as its error (none
// when zero), and sets the domain's secondary status to status.
func (st *state) finish(f fields, status core.Secondary, r run, d core.Domain, rs queue.RunState, fl queue.Failure, now time.Time) {
	msg := fl.Public
	r.State, r.Error, r.ErrorDetail, r.FinishedAt = rs, msg, fl.Detail, &now
	r.token, r.lease, r.NextAttemptAt = uuid.Nil, time.Time{}, nil
	st.putRun(r)
	var errMsg *string
	if msg != "" {
		errMsg = &msg
	}
	f.setSecondary(&d, status, errMsg)
	*f.finished(&d) = copyTime(&now)
	d.UpdatedAt = now
	st.domains[d.ID] = d
}

// Rescue takes back running runs whose lease expired.
func (s *Store) Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	f, err := fieldsOf(wf)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	n := 0
	for _, rid := range st.open {
		r := st.runs[rid]
		if r.Workflow != wf.Name || r.State != queue.RunRunning || !r.lease.Before(now) {
			continue
		}
		d := st.domains[r.DomainID]
		n++
		// As the SQL stores: the detail names the claim fenced out.
		detail := "lease of claim " + r.token.String() + " expired"
		if r.Attempt >= maxAttempts {
			st.finish(f, wf.Failed, r, d, queue.RunFailed, queue.Failure{Public: fmt.Sprintf("lease expired after %d attempts", r.Attempt), Detail: detail}, now)
			continue
		}
		msg := "lease expired (worker lost)"
		r.State, r.Error, r.ErrorDetail, r.token, r.lease, r.NextAttemptAt = queue.RunWaiting, msg, detail, uuid.Nil, time.Time{}, nil
		st.putRun(r)
		f.setSecondary(&d, wf.Queued, &msg)
		d.UpdatedAt = now
		st.domains[d.ID] = d
	}
	return n, nil
}

// Held reports which of jobs still run under their token, and which of
// the others were cancelled or deleted (see queue.Queue).
func (s *Store) Held(ctx context.Context, wf core.Workflow, jobs []queue.Job) (held, cancelled []uuid.UUID, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if _, err := fieldsOf(wf); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, j := range jobs {
		r, ok := s.state.runs[j.RunID]
		ok = ok && r.Workflow == wf.Name
		switch {
		case ok && r.State == queue.RunRunning && r.token == j.Token:
			held = append(held, j.RunID)
		case !ok || r.State == queue.RunCancelled:
			cancelled = append(cancelled, j.RunID)
		}
	}
	return held, cancelled, nil
}

// Runs returns the domain's runs in wf, newest first: at most limit of
// them after skipping offset.
func (s *Store) Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []queue.Run
	for _, r := range s.state.runs {
		if r.Workflow == wf.Name && r.DomainID == domainID {
			out = append(out, r.Run)
		}
	}
	slices.SortFunc(out, func(a, b queue.Run) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return bytes.Compare(b.ID[:], a.ID[:])
	})
	total := len(out)
	out = out[min(offset, total):min(offset+limit, total)]
	return slices.Clone(out), total, nil
}
