package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

var (
	_ curation.Remover  = (*Store)(nil)
	_ suppression.Store = (*Store)(nil)
	_ scan.Suppressions = (*Store)(nil)
)

// DeleteDomains deletes the domains of ids with their contacts, pages,
// sitemap files and queue bookkeeping, and returns the IDs it deleted. A
// job running on one of them is fenced out afterwards.
func (s *Store) DeleteDomains(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	out := []uuid.UUID{}
	gone := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		d, ok := st.domains[id]
		if !ok {
			continue
		}
		delete(st.domains, id)
		delete(st.byHost, d.Domain)
		delete(st.contacts, id)
		delete(st.pages, id)
		delete(st.sitemaps, id)
		gone[id] = true
		out = append(out, id)
	}
	// Their runs go with them (the SQL stores cascade), in one pass over
	// the runs: a worker holding one is fenced out.
	for runID, r := range st.runs {
		if gone[r.DomainID] {
			delete(st.runs, runID)
			delete(st.open, openKey{workflow: r.Workflow, domain: r.DomainID})
		}
	}
	return out, nil
}

// DeleteContact deletes one contact and recounts its domain's contacts.
func (s *Store) DeleteContact(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for domainID, cs := range s.state.contacts {
		for email, c := range cs {
			if c.ID == id {
				delete(cs, email)
				s.recount(domainID)
				return nil
			}
		}
	}
	return fmt.Errorf("contact %s: %w", id, core.ErrNotFound)
}

// recount sets the domain's contacts_found to the contacts it still has.
func (s *Store) recount(domainID uuid.UUID) {
	if d, ok := s.state.domains[domainID]; ok {
		d.ContactsFound = len(s.state.contacts[domainID])
		s.state.domains[domainID] = d
	}
}

// AddSuppressions stores the entries not stored yet and deletes the
// contacts every given entry matches.
func (s *Store) AddSuppressions(ctx context.Context, entries []suppression.Entry) ([]suppression.Entry, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suppressions == nil {
		s.suppressions = map[string]suppression.Entry{}
	}
	added := []suppression.Entry{}
	for _, e := range entries {
		if _, ok := s.suppressions[e.Value]; ok {
			continue
		}
		s.suppressions[e.Value] = e
		added = append(added, e)
	}
	removed := 0
	for domainID, cs := range s.state.contacts {
		n := len(cs)
		for email := range cs {
			if slices.ContainsFunc(entries, func(e suppression.Entry) bool { return suppression.Matches(e.Value, e.Kind, email) }) {
				delete(cs, email)
			}
		}
		if len(cs) != n {
			removed += n - len(cs)
			s.recount(domainID)
		}
	}
	return added, removed, nil
}

// ListSuppressions returns every entry ordered by value.
func (s *Store) ListSuppressions(ctx context.Context) ([]suppression.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]suppression.Entry, 0, len(s.suppressions))
	for _, e := range s.suppressions {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b suppression.Entry) int { return strings.Compare(a.Value, b.Value) })
	return out, nil
}

// DeleteSuppressions removes the entries with these values.
func (s *Store) DeleteSuppressions(ctx context.Context, values []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for _, v := range values {
		if _, ok := s.suppressions[v]; ok {
			delete(s.suppressions, v)
			out = append(out, v)
		}
	}
	return out, nil
}

// Suppressed returns the members of keys on the list.
func (s *Store) Suppressed(ctx context.Context, keys []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	for _, k := range keys {
		if _, ok := s.suppressions[k]; ok {
			out = append(out, k)
		}
	}
	return out, nil
}
