// Package memory implements the core ports in memory. It is safe for
// concurrent use and rolls back for real: a unit of work runs against a copy
// of the state that replaces the original only when the function succeeds.
// Core unit tests and importers' tests use it; nothing is persisted.
package memory

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// Compile-time checks that Store provides the ports.
var (
	_ curation.UnitOfWork   = (*Store)(nil)
	_ curation.DomainAdder  = (*Store)(nil)
	_ curation.DomainGetter = (*Store)(nil)
	_ curation.Repository   = (*tx)(nil)
)

// Store is an in-memory domain store.
type Store struct {
	mu           sync.RWMutex
	state        *state
	suppressions map[string]suppression.Entry // by value; guarded by mu
}

type state struct {
	domains  map[uuid.UUID]core.Domain
	byHost   map[string]uuid.UUID
	runs     map[uuid.UUID]run
	open     map[openKey]uuid.UUID
	contacts map[uuid.UUID]map[string]contact.Contact
	pages    map[uuid.UUID]map[string]scan.Page
	sitemaps map[uuid.UUID]map[string]analysis.File // by domain, then URL
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{state: &state{
		domains:  map[uuid.UUID]core.Domain{},
		byHost:   map[string]uuid.UUID{},
		runs:     map[uuid.UUID]run{},
		open:     map[openKey]uuid.UUID{},
		contacts: map[uuid.UUID]map[string]contact.Contact{},
		pages:    map[uuid.UUID]map[string]scan.Page{},
		sitemaps: map[uuid.UUID]map[string]analysis.File{},
	}}
}

func (s *state) clone() *state {
	// A unit of work writes domains, and runs only when it cancels (the tx
	// copies them first: ownRuns); contacts, pages and sitemap files are
	// shared with the copy and never written inside one.
	return &state{domains: maps.Clone(s.domains), byHost: maps.Clone(s.byHost), runs: s.runs,
		open: s.open, contacts: s.contacts, pages: s.pages, sitemaps: s.sitemaps}
}

// Within runs fn against a private copy of the store and installs the copy
// only if fn returns nil. Units of work are serialized.
func (s *Store) Within(ctx context.Context, fn func(ctx context.Context, repo curation.Repository) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	work := &tx{st: s.state.clone()}
	if err := fn(ctx, work); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.state = work.st
	return nil
}

// AddDomains inserts the hosts not stored yet and returns the stored domain
// for each input, in order.
func (s *Store) AddDomains(ctx context.Context, domains []core.Domain) ([]core.Domain, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Domain, 0, len(domains))
	for _, d := range domains {
		if id, ok := s.state.byHost[d.Domain]; ok {
			out = append(out, s.state.domains[id])
			continue
		}
		s.state.domains[d.ID] = d
		s.state.byHost[d.Domain] = d.ID
		out = append(out, d)
	}
	return out, nil
}

// GetDomain returns the domain with id.
func (s *Store) GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error) {
	if err := ctx.Err(); err != nil {
		return core.Domain{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.state.domains[id]
	if !ok {
		return core.Domain{}, fmt.Errorf("domain %s: %w", id, core.ErrNotFound)
	}
	return d, nil
}

// tx is the repository view of one unit of work.
type tx struct {
	st *state
	// runsOwned is set once st has its own copy of the runs.
	runsOwned bool
}

// ownRuns gives the unit of work its own copy of the runs before it
// writes one, so that a rollback leaves the store's untouched.
func (t *tx) ownRuns() {
	if !t.runsOwned {
		t.st.runs, t.st.open = maps.Clone(t.st.runs), maps.Clone(t.st.open)
		t.runsOwned = true
	}
}

// SetStatus sets wf's primary status on the existing domains of ids,
// queues those for which wf.ShouldQueue holds and cancels those for which
// wf.ShouldCancel holds, ending their open run.
func (t *tx) SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) (updated, queued, cancelled []uuid.UUID, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	f, err := fieldsOf(wf)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, id := range sorted(ids) {
		d, ok := t.st.domains[id]
		if !ok {
			continue
		}
		*f.primary(&d) = status
		if wf.ShouldQueue(status, f.get(&d)) {
			// Queueing starts a fresh run at the next claim: the attempts
			// shown go back to zero.
			f.setSecondary(&d, wf.Queued, nil)
			*f.attempts(&d) = 0
			queued = append(queued, id)
		} else if wf.ShouldCancel(status, f.get(&d)) {
			t.cancel(f, wf, &d, now)
			cancelled = append(cancelled, id)
		}
		d.UpdatedAt = now
		t.st.domains[id] = d
		updated = append(updated, id)
	}
	return updated, queued, cancelled, nil
}

// cancel moves d to wf.Cancelled and ends its open run, if it has one, as
// cancelled: without a claim token, its worker's fenced writes fail.
func (t *tx) cancel(f fields, wf core.Workflow, d *core.Domain, now time.Time) {
	f.setSecondary(d, wf.Cancelled, nil)
	*f.finished(d) = copyTime(&now)
	r, ok := t.st.openRun(wf, d.ID)
	if !ok {
		return
	}
	t.ownRuns()
	r.State, r.Error, r.ErrorDetail, r.FinishedAt = queue.RunCancelled, queue.CancelledMessage, "", copyTime(&now)
	r.token, r.lease, r.NextAttemptAt = uuid.Nil, time.Time{}, nil
	t.st.putRun(r)
}

func sorted(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}
