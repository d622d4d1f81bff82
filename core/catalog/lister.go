package catalog

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Lister is the read use case of the curation UI: it validates a query and
// hands it to the store.
type Lister struct {
	store Store
}

// NewLister returns the listing use case on store.
func NewLister(store Store) *Lister { return &Lister{store: store} }

// ListDomains returns the page of domains q selects, or a *QueryError when q
// is invalid.
func (l *Lister) ListDomains(ctx context.Context, q DomainQuery) (Page[core.Domain], error) {
	if err := q.Validate(); err != nil {
		return Page[core.Domain]{}, fmt.Errorf("list domains: %w", err)
	}
	p, err := l.store.ListDomains(ctx, q)
	if err != nil {
		return Page[core.Domain]{}, fmt.Errorf("list domains: %w", err)
	}
	return p, nil
}

// ListContacts returns the page of contacts q selects, or a *QueryError
// when q is invalid. An unknown q.DomainID is a filter like any other: it
// selects nothing.
func (l *Lister) ListContacts(ctx context.Context, q ContactQuery) (Page[contact.Contact], error) {
	if err := q.Validate(); err != nil {
		return Page[contact.Contact]{}, fmt.Errorf("list contacts: %w", err)
	}
	p, err := l.store.ListContacts(ctx, q)
	if err != nil {
		return Page[contact.Contact]{}, fmt.Errorf("list contacts: %w", err)
	}
	return p, nil
}

// DomainContacts returns the page of the contacts of domain id that q
// selects; q.DomainID is ignored. Unlike the filter of ListContacts, an
// unknown domain is an error wrapping core.ErrNotFound: the domain is the
// resource listed.
func (l *Lister) DomainContacts(ctx context.Context, id uuid.UUID, q ContactQuery) (Page[contact.Contact], error) {
	q.DomainID = &id
	if err := q.Validate(); err != nil {
		return Page[contact.Contact]{}, fmt.Errorf("list contacts of %s: %w", id, err)
	}
	if _, err := l.store.GetDomain(ctx, id); err != nil {
		return Page[contact.Contact]{}, fmt.Errorf("list contacts of %s: %w", id, err)
	}
	p, err := l.store.ListContacts(ctx, q)
	if err != nil {
		return Page[contact.Contact]{}, fmt.Errorf("list contacts of %s: %w", id, err)
	}
	return p, nil
}

// StreamContacts calls fn with every contact f selects, in email order (see
// ContactStreamer). It returns a *QueryError when f is invalid, and fn's
// error, wrapped, when fn stops the stream.
func (l *Lister) StreamContacts(ctx context.Context, f ContactFilter, fn func(ContactRow) error) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("stream contacts: %w", err)
	}
	if err := l.store.StreamContacts(ctx, f, fn); err != nil {
		return fmt.Errorf("stream contacts: %w", err)
	}
	return nil
}
