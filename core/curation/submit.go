package curation

import (
	"context"
	"errors"
	"fmt"

	"github.com/scrapersky/scrapersky-go/core"
)

// MaxSubmit is the largest number of domains one submission accepts.
const MaxSubmit = 1_000

// Rejection says why one submitted string is not a domain.
type Rejection struct {
	Input  string `json:"input"`
	Reason string `json:"reason"`
}

// InvalidDomainsError reports every rejected input of a submission. It wraps
// core.ErrInvalidDomain.
type InvalidDomainsError struct {
	Rejected []Rejection
}

func (e *InvalidDomainsError) Error() string {
	return fmt.Sprintf("%d invalid domain(s), first %q: %s", len(e.Rejected), e.Rejected[0].Input, e.Rejected[0].Reason)
}

// Unwrap makes errors.Is(err, core.ErrInvalidDomain) true.
func (e *InvalidDomainsError) Unwrap() error { return core.ErrInvalidDomain }

// Submitter adds domains from user input.
type Submitter struct {
	store DomainAdder
	clock core.Clock
}

// NewSubmitter returns the submission use case.
func NewSubmitter(store DomainAdder, clock core.Clock) *Submitter {
	return &Submitter{store: store, clock: clock}
}

// Submit normalizes raw (core.NormalizeDomain), collapses duplicates and
// stores the new domains. It returns one stored domain per distinct host, in
// first-seen order, existing hosts with their existing IDs. If any input is
// invalid nothing is stored and the error is an *InvalidDomainsError listing
// every rejected input.
func (s *Submitter) Submit(ctx context.Context, raw []string) ([]core.Domain, error) {
	sub, err := s.SubmitCounted(ctx, raw)
	return sub.Domains, err
}

// Submission is what SubmitCounted stored: one domain per distinct host, in
// first-seen order, and how many of them are new.
type Submission struct {
	Domains []core.Domain
	// Created counts the hosts stored by this submission; Existing the
	// hosts that were stored before and keep their IDs.
	Created, Existing int
	// New tells, for each of Domains, whether this submission created it.
	New []bool
}

// SubmitCounted is Submit that also tells new hosts from existing ones (an
// existing host comes back with its old ID, not the one generated here).
func (s *Submitter) SubmitCounted(ctx context.Context, raw []string) (Submission, error) {
	if len(raw) == 0 {
		return Submission{}, fmt.Errorf("submit domains: %w", core.ErrEmptyBatch)
	}
	if len(raw) > MaxSubmit {
		return Submission{}, fmt.Errorf("submit domains: %w: %d domains, at most %d", core.ErrBatchTooLarge, len(raw), MaxSubmit)
	}
	now := s.clock.Now()
	seen := make(map[string]bool, len(raw))
	var domains []core.Domain
	var rejected []Rejection
	for _, r := range raw {
		host, err := core.NormalizeDomain(r)
		if err != nil {
			rejected = append(rejected, Rejection{Input: r, Reason: reason(err)})
			continue
		}
		if seen[host] {
			continue
		}
		seen[host] = true
		domains = append(domains, core.NewDomain(host, now))
	}
	if len(rejected) > 0 {
		return Submission{}, &InvalidDomainsError{Rejected: rejected}
	}
	stored, err := s.store.AddDomains(ctx, domains)
	if err != nil {
		return Submission{}, fmt.Errorf("submit domains: %w", err)
	}
	sub := Submission{Domains: stored, New: make([]bool, len(stored))}
	for i, d := range stored {
		if i < len(domains) && d.ID == domains[i].ID {
			sub.Created++
			sub.New[i] = true
		} else {
			sub.Existing++
		}
	}
	return sub, nil
}

// reason strips the sentinel's prefix from a normalization error.
func reason(err error) string {
	msg := err.Error()
	prefix := core.ErrInvalidDomain.Error() + ": "
	if errors.Is(err, core.ErrInvalidDomain) && len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}
