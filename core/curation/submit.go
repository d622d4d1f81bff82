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
	if len(raw) == 0 {
		return nil, fmt.Errorf("submit domains: %w", core.ErrEmptyBatch)
	}
	if len(raw) > MaxSubmit {
		return nil, fmt.Errorf("submit domains: %w: %d domains, at most %d", core.ErrBatchTooLarge, len(raw), MaxSubmit)
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
		return nil, &InvalidDomainsError{Rejected: rejected}
	}
	stored, err := s.store.AddDomains(ctx, domains)
	if err != nil {
		return nil, fmt.Errorf("submit domains: %w", err)
	}
	return stored, nil
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
