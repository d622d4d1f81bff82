package catalog

import (
	"context"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// DomainLister reads pages of domains.
type DomainLister interface {
	// ListDomains returns the page of domains q selects, in q's order, and
	// the number of domains matching q's filters. q has been validated.
	ListDomains(ctx context.Context, q DomainQuery) (Page[core.Domain], error)
}

// ContactLister reads pages of contacts.
type ContactLister interface {
	// ListContacts returns the page of contacts q selects, ordered by email
	// (byte order) and then ID, and the number matching q's filter. q has
	// been validated.
	ListContacts(ctx context.Context, q ContactQuery) (Page[contact.Contact], error)
}

// ContactStreamer reads every contact a filter selects without holding them
// all in memory.
type ContactStreamer interface {
	// StreamContacts calls fn with each contact f selects, ordered by email
	// (byte order) and then ID, reading them in batches: keyset pagination
	// on (email, id), each batch its own query. The stream is therefore not
	// one snapshot: a contact written meanwhile may or may not appear, but
	// none appears twice. No lock or transaction is held while fn runs. If
	// fn returns an error the stream stops and returns it wrapped; f has
	// been validated.
	StreamContacts(ctx context.Context, f ContactFilter, fn func(ContactRow) error) error
}

// Store is every port the Lister uses; the memory, SQLite and PostgreSQL
// stores provide it.
type Store interface {
	DomainLister
	ContactLister
	ContactStreamer
	curation.DomainGetter
}
