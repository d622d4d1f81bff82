// Package memory implements the core ports in memory. It is safe for
// concurrent use and rolls back for real: a unit of work runs against a copy
// of the state that replaces the original only when the function succeeds.
// Core unit tests and importers' tests use it; nothing is persisted.
package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/sitemap"
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
	leases   map[string]map[uuid.UUID]lease
	attempts map[string]int
	contacts map[uuid.UUID]map[string]scan.Contact
	pages    map[uuid.UUID]map[string]scan.Page
	sitemaps map[uuid.UUID]map[string]sitemap.File // by domain, then URL
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{state: &state{
		domains:  map[uuid.UUID]core.Domain{},
		byHost:   map[string]uuid.UUID{},
		leases:   map[string]map[uuid.UUID]lease{},
		attempts: map[string]int{},
		contacts: map[uuid.UUID]map[string]scan.Contact{},
		pages:    map[uuid.UUID]map[string]scan.Page{},
		sitemaps: map[uuid.UUID]map[string]sitemap.File{},
	}}
}

func (s *state) clone() *state {
	// A unit of work writes domains and the queue bookkeeping; contacts,
	// pages and sitemap files are shared with the copy and never written
	// inside one.
	leases := make(map[string]map[uuid.UUID]lease, len(s.leases))
	for k, v := range s.leases {
		leases[k] = maps.Clone(v)
	}
	return &state{domains: maps.Clone(s.domains), byHost: maps.Clone(s.byHost), leases: leases,
		attempts: maps.Clone(s.attempts), contacts: s.contacts, pages: s.pages, sitemaps: s.sitemaps}
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
}

func (t *tx) SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []uuid.UUID
	for _, id := range sorted(ids) {
		d, ok := t.st.domains[id]
		if !ok {
			continue
		}
		if err := setPrimary(&d, wf.Primary, status); err != nil {
			return nil, err
		}
		d.UpdatedAt = now
		t.st.domains[id] = d
		out = append(out, id)
	}
	return out, nil
}

func (t *tx) QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []uuid.UUID
	for _, id := range sorted(ids) {
		d, ok := t.st.domains[id]
		if !ok {
			continue
		}
		cur, err := secondary(&d, wf.Secondary)
		if err != nil {
			return nil, err
		}
		if cur != nil && slices.Contains(wf.Active, *cur) {
			continue
		}
		if err := queueDomain(&d, wf); err != nil {
			return nil, err
		}
		// Queueing starts a fresh job: no attempts, due at once.
		if wf.Prefix == core.EmailScan.Prefix {
			d.PageScrapeAttempts = 0
		} else {
			delete(t.st.attempts, wf.Prefix+"/"+id.String())
		}
		delete(t.st.leases[wf.Prefix], id)
		d.UpdatedAt = now
		t.st.domains[id] = d
		out = append(out, id)
	}
	return out, nil
}

func sorted(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return compare(a[:], b[:]) })
	return out
}

func compare(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

func setPrimary(d *core.Domain, f core.Field, s core.CurationStatus) error {
	switch f {
	case core.FieldEmailScanStatus:
		d.EmailScanStatus = s
	case core.FieldSitemapCurationStatus:
		d.SitemapCurationStatus = s
	default:
		return fmt.Errorf("memory: %q is not a primary status field", f)
	}
	return nil
}

func secondary(d *core.Domain, f core.Field) (*string, error) {
	switch f {
	case core.FieldPageScrapeStatus:
		if d.PageScrapeStatus == nil {
			return nil, nil
		}
		s := string(*d.PageScrapeStatus)
		return &s, nil
	case core.FieldSitemapAnalysisStatus:
		if d.SitemapAnalysisStatus == nil {
			return nil, nil
		}
		s := string(*d.SitemapAnalysisStatus)
		return &s, nil
	}
	return nil, fmt.Errorf("memory: %q is not a secondary status field", f)
}

func queueDomain(d *core.Domain, wf core.Workflow) error {
	return setSecondary(d, wf.Secondary, wf.Queued, nil)
}

// secondaryError returns a secondary status's error field.
func secondaryError(d *core.Domain, f core.Field) *string {
	if f == core.FieldPageScrapeStatus {
		return d.PageScrapeError
	}
	return d.SitemapAnalysisError
}

// setSecondary sets a secondary status and its error field.
func setSecondary(d *core.Domain, f core.Field, value string, errMsg *string) error {
	switch f {
	case core.FieldPageScrapeStatus:
		s := core.TaskStatus(value)
		d.PageScrapeStatus = &s
		d.PageScrapeError = errMsg
	case core.FieldSitemapAnalysisStatus:
		s := core.AnalysisStatus(value)
		d.SitemapAnalysisStatus = &s
		d.SitemapAnalysisError = errMsg
	default:
		return fmt.Errorf("memory: %q is not a secondary status field", f)
	}
	return nil
}
