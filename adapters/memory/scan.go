package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

var _ scan.Results = (*Store)(nil)

// FinishScan stores a finished scan if job still owns its domain.
func (s *Store) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wf := core.EmailScan
	f, err := fieldsOf(wf)
	if err != nil {
		return err
	}
	r, d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	cs := s.state.contacts[d.ID]
	if cs == nil {
		cs = map[string]contact.Contact{}
		s.state.contacts[d.ID] = cs
	}
	for _, c := range out.Contacts {
		if old, ok := cs[c.Email]; ok {
			old.LastSeenAt = c.LastSeenAt
			cs[c.Email] = old
			continue
		}
		cs[c.Email] = c
		r.NewContacts++
	}
	ps := s.state.pages[d.ID]
	if ps == nil {
		ps = map[string]scan.Page{}
		s.state.pages[d.ID] = ps
	}
	for _, p := range out.Pages {
		ps[p.URL] = p
	}
	d.PagesScanned = len(out.Pages)
	d.ContactsFound = len(out.Contacts)
	d.PageCapReached = out.PageCapReached
	r.PagesScanned, r.ContactsFound, r.PageCapReached = d.PagesScanned, d.ContactsFound, d.PageCapReached
	s.state.finish(f, wf.Done, r, d, queue.RunCompleted, queue.Failure{}, out.FinishedAt)
	return nil
}

// Progress sets the running figures of the job's run and domain, if job
// still owns its domain.
func (s *Store) Progress(ctx context.Context, job queue.Job, pages, contacts int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.withJob(core.EmailScan, job, func(_ fields, r run, d core.Domain) {
		r.PagesScanned, r.ContactsFound, r.PageCapReached = pages, contacts, false
		d.PagesScanned, d.ContactsFound, d.PageCapReached = pages, contacts, false
		s.state.putRun(r)
		s.state.domains[d.ID] = d
	})
}

// Contacts returns the domain's contacts ordered by email.
func (s *Store) Contacts(ctx context.Context, domainID uuid.UUID) ([]contact.Contact, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]contact.Contact, 0, len(s.state.contacts[domainID]))
	for _, c := range s.state.contacts[domainID] {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b contact.Contact) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// Pages returns the domain's page records ordered by URL.
func (s *Store) Pages(ctx context.Context, domainID uuid.UUID) ([]scan.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]scan.Page, 0, len(s.state.pages[domainID]))
	for _, p := range s.state.pages[domainID] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b scan.Page) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}
