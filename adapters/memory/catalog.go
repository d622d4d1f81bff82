package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Compile-time check that Store provides the catalog's ports.
var _ catalog.Store = (*Store)(nil)

// streamBatch is how many contacts StreamContacts copies per read lock, as
// the SQL stores read them per query.
const streamBatch = 1_000

// ListDomains returns the page of domains q selects. Text sorts in byte
// order, as PostgreSQL's COLLATE "C" does.
func (s *Store) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	if err := ctx.Err(); err != nil {
		return catalog.Page[core.Domain]{}, err
	}
	s.mu.RLock()
	var match []core.Domain
	for _, d := range s.state.domains {
		if domainMatches(d, q) {
			match = append(match, d)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(match, func(a, b core.Domain) int {
		c := compareBy(a, b, q.SortBy)
		if c == 0 {
			c = bytes.Compare(a.ID[:], b.ID[:])
		}
		if q.SortDesc {
			return -c
		}
		return c
	})
	return pageOf(match, q.Offset(), q.Page, q.Size), nil
}

func domainMatches(d core.Domain, q catalog.DomainQuery) bool {
	switch {
	case q.SitemapCurationStatus != nil && d.SitemapCurationStatus != *q.SitemapCurationStatus,
		q.EmailScanStatus != nil && d.EmailScanStatus != *q.EmailScanStatus,
		!q.PageScrapeStatus.Matches(d.PageScrapeStatus),
		!q.SitemapAnalysisStatus.Matches(d.SitemapAnalysisStatus),
		!containsFold(d.Domain, q.DomainFilter):
		return false
	}
	return true
}

// compareBy compares two domains on one sort key.
func compareBy(a, b core.Domain, k catalog.SortKey) int {
	switch k {
	case catalog.SortDomain:
		return strings.Compare(a.Domain, b.Domain)
	case catalog.SortCreatedAt:
		return a.CreatedAt.Compare(b.CreatedAt)
	case catalog.SortUpdatedAt:
		return a.UpdatedAt.Compare(b.UpdatedAt)
	case catalog.SortEmailScanStatus:
		return strings.Compare(string(a.EmailScanStatus), string(b.EmailScanStatus))
	case catalog.SortSitemapCurationStatus:
		return strings.Compare(string(a.SitemapCurationStatus), string(b.SitemapCurationStatus))
	case catalog.SortPageScrapeStatus:
		return compareNullable(a.PageScrapeStatus, b.PageScrapeStatus)
	case catalog.SortSitemapAnalysisStatus:
		return compareNullable(a.SitemapAnalysisStatus, b.SitemapAnalysisStatus)
	case catalog.SortContactsFound:
		return cmp.Compare(a.ContactsFound, b.ContactsFound)
	case catalog.SortPagesScanned:
		return cmp.Compare(a.PagesScanned, b.PagesScanned)
	}
	// Validated queries never get here; keep such a query stable by ID.
	return 0
}

// compareNullable orders NULL after every value, as PostgreSQL does.
func compareNullable[T ~string](a, b *T) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return strings.Compare(string(*a), string(*b))
}

// containsFold reports whether s contains sub ignoring case; sub is literal.
func containsFold(s, sub string) bool {
	return sub == "" || strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func pageOf[T any](all []T, offset, page, size int) catalog.Page[T] {
	start := min(offset, len(all))
	end := min(start+size, len(all))
	return catalog.NewPage(slices.Clone(all[start:end]), len(all), page, size)
}

// ListContacts returns the page of contacts q selects, ordered by email and
// then ID.
func (s *Store) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[contact.Contact], error) {
	if err := ctx.Err(); err != nil {
		return catalog.Page[contact.Contact]{}, err
	}
	s.mu.RLock()
	var match []contact.Contact
	s.state.eachContact(q.ContactFilter, func(c contact.Contact) { match = append(match, c) })
	s.mu.RUnlock()
	slices.SortFunc(match, compareContacts)
	return pageOf(match, q.Offset(), q.Page, q.Size), nil
}

// StreamContacts calls fn with every contact f selects, in (email, id)
// order. Each batch is copied under the read lock, which is released
// before fn runs, so a slow reader never blocks writers.
func (s *Store) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	var after *contact.Contact
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := s.contactBatch(f, after)
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < streamBatch {
			return nil
		}
		after = &batch[len(batch)-1].Contact
	}
}

// contactBatch returns the first streamBatch contacts after the cursor.
func (s *Store) contactBatch(f catalog.ContactFilter, after *contact.Contact) []catalog.ContactRow {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var next []catalog.ContactRow
	s.state.eachContact(f, func(c contact.Contact) {
		if after == nil || compareContacts(c, *after) > 0 {
			next = append(next, catalog.ContactRow{Contact: c, Domain: s.state.domains[c.DomainID].Domain})
		}
	})
	slices.SortFunc(next, func(a, b catalog.ContactRow) int { return compareContacts(a.Contact, b.Contact) })
	return next[:min(len(next), streamBatch)]
}

// eachContact calls fn with every contact f selects; the caller holds mu.
func (st *state) eachContact(f catalog.ContactFilter, fn func(contact.Contact)) {
	visit := func(cs map[string]contact.Contact) {
		for _, c := range cs {
			if (f.EmailType == nil || c.Type == *f.EmailType) && containsFold(c.Email, f.Q) {
				fn(c)
			}
		}
	}
	if f.DomainID != nil {
		visit(st.contacts[*f.DomainID])
		return
	}
	for _, cs := range st.contacts {
		visit(cs)
	}
}

func compareContacts(a, b contact.Contact) int {
	if c := strings.Compare(a.Email, b.Email); c != 0 {
		return c
	}
	return compareIDs(a.ID, b.ID)
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
