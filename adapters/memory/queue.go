package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var (
	_ queue.Queue = (*Store)(nil)
)

// lease is the queue bookkeeping of one domain in one workflow.
type lease struct {
	token   uuid.UUID
	expires time.Time
	next    time.Time
}

func (s *state) leaseOf(wf core.Workflow, id uuid.UUID) lease {
	return s.leases[wf.Prefix][id]
}

func (s *state) setLease(wf core.Workflow, id uuid.UUID, l lease) {
	if s.leases[wf.Prefix] == nil {
		s.leases[wf.Prefix] = map[uuid.UUID]lease{}
	}
	s.leases[wf.Prefix][id] = l
}

// Claim moves due Queued domains to Running, oldest update first.
func (s *Store) Claim(ctx context.Context, wf core.Workflow, limit int, leaseFor time.Duration, now time.Time) ([]queue.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []core.Domain
	for id, d := range s.state.domains {
		cur, err := secondary(&d, wf.Secondary)
		if err != nil {
			return nil, err
		}
		if cur == nil || *cur != wf.Queued || s.state.leaseOf(wf, id).next.After(now) {
			continue
		}
		due = append(due, d)
	}
	slices.SortFunc(due, func(a, b core.Domain) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return compare(a.ID[:], b.ID[:])
	})
	var jobs []queue.Job
	for _, d := range due[:min(limit, len(due))] {
		l := lease{token: uuid.New(), expires: now.Add(leaseFor)}
		s.state.setLease(wf, d.ID, l)
		// The last error stays visible until the domain finishes.
		if err := setSecondary(&d, wf.Secondary, wf.Running, secondaryError(&d, wf.Secondary)); err != nil {
			return nil, err
		}
		attempts := 0
		if wf.Prefix == core.EmailScan.Prefix {
			d.PageScrapeAttempts++
			attempts = d.PageScrapeAttempts
			d.PageScrapeStartedAt = &now
			d.PageScrapeFinishedAt = nil
		} else {
			attempts = s.state.bumpAttempts(wf, d.ID, 1)
		}
		d.UpdatedAt = now
		s.state.domains[d.ID] = d
		jobs = append(jobs, queue.Job{DomainID: d.ID, Domain: d.Domain, Attempt: attempts, Token: l.token, LeaseExpiresAt: l.expires})
	}
	return jobs, nil
}

// bumpAttempts keeps attempt counts for workflows whose Domain fields do
// not carry them.
func (s *state) bumpAttempts(wf core.Workflow, id uuid.UUID, by int) int {
	key := wf.Prefix + "/" + id.String()
	s.attempts[key] += by
	return s.attempts[key]
}

// fenced returns the domain if job still owns it.
func (s *state) fenced(wf core.Workflow, job queue.Job) (core.Domain, error) {
	d, ok := s.domains[job.DomainID]
	if !ok {
		return core.Domain{}, fmt.Errorf("domain %s: %w", job.DomainID, core.ErrNotFound)
	}
	cur, err := secondary(&d, wf.Secondary)
	if err != nil {
		return core.Domain{}, err
	}
	if cur == nil || *cur != wf.Running || s.leaseOf(wf, job.DomainID).token != job.Token {
		return core.Domain{}, fmt.Errorf("domain %s: %w", job.DomainID, core.ErrLeaseLost)
	}
	return d, nil
}

// Extend moves the lease of a job that still owns its domain.
func (s *Store) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.state.fenced(wf, job); err != nil {
		return err
	}
	l := s.state.leaseOf(wf, job.DomainID)
	l.expires = until
	s.state.setLease(wf, job.DomainID, l)
	return nil
}

// Release puts the job back in the queue and gives the attempt back.
func (s *Store) Release(ctx context.Context, wf core.Workflow, job queue.Job, now time.Time) error {
	return s.requeue(wf, job, now, now, nil, -1)
}

// Retry puts the job back in the queue, due at at.
func (s *Store) Retry(ctx context.Context, wf core.Workflow, job queue.Job, at time.Time, msg string, now time.Time) error {
	return s.requeue(wf, job, at, now, &msg, 0)
}

func (s *Store) requeue(wf core.Workflow, job queue.Job, at, now time.Time, msg *string, attemptDelta int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	if msg == nil {
		msg = secondaryError(&d, wf.Secondary)
	}
	if err := setSecondary(&d, wf.Secondary, wf.Queued, msg); err != nil {
		return err
	}
	if wf.Prefix == core.EmailScan.Prefix {
		d.PageScrapeAttempts += attemptDelta
	} else {
		s.state.bumpAttempts(wf, d.ID, attemptDelta)
	}
	d.UpdatedAt = now
	s.state.domains[d.ID] = d
	s.state.setLease(wf, d.ID, lease{next: at})
	return nil
}

// Fail finishes the job with the workflow's failed status.
func (s *Store) Fail(ctx context.Context, wf core.Workflow, job queue.Job, msg string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	if err := setSecondary(&d, wf.Secondary, wf.Failed, &msg); err != nil {
		return err
	}
	if wf.Prefix == core.EmailScan.Prefix {
		d.PageScrapeFinishedAt = &now
	}
	d.UpdatedAt = now
	s.state.domains[d.ID] = d
	s.state.setLease(wf, d.ID, lease{})
	return nil
}

// Rescue takes back Running domains whose lease expired.
func (s *Store) Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, d := range s.state.domains {
		cur, err := secondary(&d, wf.Secondary)
		if err != nil {
			return 0, err
		}
		l := s.state.leaseOf(wf, id)
		if cur == nil || *cur != wf.Running || !l.expires.Before(now) {
			continue
		}
		attempts := d.PageScrapeAttempts
		if wf.Prefix != core.EmailScan.Prefix {
			attempts = s.state.bumpAttempts(wf, id, 0)
		}
		status, msg := wf.Queued, "lease expired (worker lost)"
		if attempts >= maxAttempts {
			status = wf.Failed
			msg = fmt.Sprintf("lease expired after %d attempts", attempts)
		}
		if err := setSecondary(&d, wf.Secondary, status, &msg); err != nil {
			return 0, err
		}
		if status == wf.Failed && wf.Prefix == core.EmailScan.Prefix {
			d.PageScrapeFinishedAt = &now
		}
		d.UpdatedAt = now
		s.state.domains[id] = d
		s.state.setLease(wf, id, lease{})
		n++
	}
	return n, nil
}
