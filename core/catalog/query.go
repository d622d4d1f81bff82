// Package catalog holds the read side the curation UI needs: paged, filtered
// and sorted listings of domains and contacts, a streamed export of contacts,
// and the import of domains from a CSV file. Queries are validated here, so
// every store receives only valid ones; parsing them from a request is the
// HTTP adapter's job.
package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Paging limits.
const (
	// DefaultSize is the page size when none is asked for.
	DefaultSize = 20
	// MaxSize is the largest page a listing returns.
	MaxSize = 100
	// MaxPage bounds the page number so that the offset stays far from
	// overflowing; nobody pages through a million pages.
	MaxPage = 1_000_000
	// MaxFilterLength is the longest substring filter accepted: a domain
	// or an email address is never longer.
	MaxFilterLength = 254
)

// ErrInvalidQuery means a listing query breaks a rule of this package. The
// error is a *QueryError naming the parameter.
var ErrInvalidQuery = errors.New("invalid query")

// QueryError says which parameter of a query is invalid and why. It wraps
// ErrInvalidQuery.
type QueryError struct {
	// Param is the parameter's name as the API spells it, e.g. "size".
	Param string
	// Reason completes a sentence that starts with Param.
	Reason string
}

// Error returns "<param> <reason>", a sentence fit for an API error detail.
func (e *QueryError) Error() string { return e.Param + " " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalidQuery) true.
func (e *QueryError) Unwrap() error { return ErrInvalidQuery }

func invalid(param, format string, args ...any) error {
	return &QueryError{Param: param, Reason: fmt.Sprintf(format, args...)}
}

// SortKey is a column domains can be sorted by. Only these columns are ever
// put into an ORDER BY, so a store may use the value as an identifier.
type SortKey string

// The sort keys; each is the column's name.
const (
	SortDomain                SortKey = "domain"
	SortCreatedAt             SortKey = "created_at"
	SortUpdatedAt             SortKey = "updated_at"
	SortEmailScanStatus       SortKey = "email_scan_status"
	SortPageScrapeStatus      SortKey = "page_scrape_status"
	SortSitemapCurationStatus SortKey = "sitemap_curation_status"
	SortSitemapAnalysisStatus SortKey = "sitemap_analysis_status"
	SortContactsFound         SortKey = "contacts_found"
	SortPagesScanned          SortKey = "pages_scanned"
)

// SortKeys lists every valid SortKey.
var SortKeys = []SortKey{
	SortDomain, SortCreatedAt, SortUpdatedAt, SortEmailScanStatus, SortPageScrapeStatus,
	SortSitemapCurationStatus, SortSitemapAnalysisStatus, SortContactsFound, SortPagesScanned,
}

// Valid reports whether k is one of SortKeys.
func (k SortKey) Valid() bool {
	for _, v := range SortKeys {
		if k == v {
			return true
		}
	}
	return false
}

// String returns the key's name.
func (k SortKey) String() string { return string(k) }

// DescendingByDefault reports the direction a listing sorted by k takes
// when none is asked for: times and counts newest or largest first, names
// and statuses in alphabetical order.
func (k SortKey) DescendingByDefault() bool {
	switch k {
	case SortCreatedAt, SortUpdatedAt, SortContactsFound, SortPagesScanned:
		return true
	}
	return false
}

// ParseSortKey returns the SortKey spelled exactly s, or a *QueryError for
// the parameter sort_by.
func ParseSortKey(s string) (SortKey, error) {
	if k := SortKey(s); k.Valid() {
		return k, nil
	}
	return "", invalid("sort_by", "%s is not a sort key; allowed: %s", quote(s), list(SortKeys))
}

// Match filters on a nullable status column: Null selects the rows where the
// column is NULL (the processing never started), otherwise the rows whose
// column equals Value.
type Match[T ~string] struct {
	Null  bool
	Value T
}

// Is returns a Match for the value v.
func Is[T ~string](v T) *Match[T] { return &Match[T]{Value: v} }

// IsNull returns a Match for NULL.
func IsNull[T ~string]() *Match[T] { return &Match[T]{Null: true} }

// Matches reports whether a column holding v (nil for NULL) passes the
// filter; a nil filter passes everything.
func (m *Match[T]) Matches(v *T) bool {
	switch {
	case m == nil:
		return true
	case m.Null:
		return v == nil
	default:
		return v != nil && *v == m.Value
	}
}

// DomainQuery selects one page of domains. Every filter that is set must
// hold; unset filters select everything.
type DomainQuery struct {
	// SitemapCurationStatus and EmailScanStatus filter on the primaries.
	SitemapCurationStatus *core.CurationStatus
	EmailScanStatus       *core.CurationStatus
	// PageScrapeStatus and SitemapAnalysisStatus filter on the nullable
	// secondaries.
	PageScrapeStatus      *Match[core.TaskStatus]
	SitemapAnalysisStatus *Match[core.AnalysisStatus]
	// DomainFilter keeps the domains that contain it, ignoring case. It is
	// a literal substring: %, _ and \ have no special meaning.
	DomainFilter string
	// SortBy and SortDesc order the domains; ties are broken by ID in the
	// same direction, so pages are stable. A NULL status sorts after every
	// value ascending and before them descending, as in PostgreSQL.
	SortBy   SortKey
	SortDesc bool
	// Page counts from 1; Size is 1 to MaxSize.
	Page, Size int
}

// NewDomainQuery returns the query of the curation UI's first screen: page 1
// of DefaultSize, most recently updated first, no filter.
func NewDomainQuery() DomainQuery {
	return DomainQuery{SortBy: SortUpdatedAt, SortDesc: true, Page: 1, Size: DefaultSize}
}

// Validate returns a *QueryError for the first invalid parameter of q.
func (q DomainQuery) Validate() error {
	if err := validatePage(q.Page, q.Size); err != nil {
		return err
	}
	if !q.SortBy.Valid() {
		return invalid("sort_by", "%s is not a sort key; allowed: %s", quote(string(q.SortBy)), list(SortKeys))
	}
	if q.SitemapCurationStatus != nil && !q.SitemapCurationStatus.Valid() {
		return invalid("sitemap_curation_status", "%s is not a curation status", quote(string(*q.SitemapCurationStatus)))
	}
	if q.EmailScanStatus != nil && !q.EmailScanStatus.Valid() {
		return invalid("email_scan_status", "%s is not a curation status", quote(string(*q.EmailScanStatus)))
	}
	if m := q.PageScrapeStatus; m != nil && !m.Null && !m.Value.Valid() {
		return invalid("page_scrape_status", "%s is not a task status", quote(string(m.Value)))
	}
	if m := q.SitemapAnalysisStatus; m != nil && !m.Null && !m.Value.Valid() {
		return invalid("sitemap_analysis_status", "%s is not a sitemap analysis status", quote(string(m.Value)))
	}
	return validateFilter("domain_filter", q.DomainFilter)
}

// Offset is the number of rows before the page.
func (q DomainQuery) Offset() int { return (q.Page - 1) * q.Size }

// ContactFilter selects contacts; unset fields select everything.
type ContactFilter struct {
	// DomainID keeps the contacts of one domain.
	DomainID *uuid.UUID
	// EmailType keeps the contacts of one type.
	EmailType *contact.Type
	// Q keeps the contacts whose email contains it, ignoring case; like
	// DomainQuery.DomainFilter it is a literal substring.
	Q string
}

// Validate returns a *QueryError for the first invalid field of f.
func (f ContactFilter) Validate() error {
	if f.EmailType != nil && !f.EmailType.Valid() {
		return invalid("email_type", "%s is not a contact type", quote(string(*f.EmailType)))
	}
	return validateFilter("q", f.Q)
}

// ContactQuery selects one page of contacts, ordered by email and then ID.
type ContactQuery struct {
	ContactFilter
	// Page counts from 1; Size is 1 to MaxSize.
	Page, Size int
}

// NewContactQuery returns page 1 of DefaultSize without a filter.
func NewContactQuery() ContactQuery { return ContactQuery{Page: 1, Size: DefaultSize} }

// Validate returns a *QueryError for the first invalid parameter of q.
func (q ContactQuery) Validate() error {
	if err := validatePage(q.Page, q.Size); err != nil {
		return err
	}
	return q.ContactFilter.Validate()
}

// Offset is the number of rows before the page.
func (q ContactQuery) Offset() int { return (q.Page - 1) * q.Size }

// ContactRow is one contact with its domain's name, a row of the export.
type ContactRow struct {
	contact.Contact
	// Domain is the host of the contact's domain.
	Domain string
}

// Page is one page of a listing, shaped as the original API's paginated
// responses.
type Page[T any] struct {
	// Items are the rows of the page; empty, never nil, past the end.
	Items []T `json:"items"`
	// Total counts the rows of the whole listing.
	Total int `json:"total"`
	// Page and Size repeat the query's.
	Page int `json:"page"`
	Size int `json:"size"`
	// Pages is the number of pages of Size: 0 for an empty listing.
	Pages int `json:"pages"`
}

// NewPage assembles a page and computes Pages.
func NewPage[T any](items []T, total, page, size int) Page[T] {
	if items == nil {
		items = []T{}
	}
	pages := 0
	if size > 0 {
		pages = (total + size - 1) / size
	}
	return Page[T]{Items: items, Total: total, Page: page, Size: size, Pages: pages}
}

func validatePage(page, size int) error {
	if page < 1 || page > MaxPage {
		return invalid("page", "%d is out of range: 1 to %d", page, MaxPage)
	}
	if size < 1 || size > MaxSize {
		return invalid("size", "%d is out of range: 1 to %d", size, MaxSize)
	}
	return nil
}

func validateFilter(param, v string) error {
	if len(v) > MaxFilterLength {
		return invalid(param, "is %d bytes long; at most %d are allowed", len(v), MaxFilterLength)
	}
	return nil
}

// quote quotes a value for an error message, cut to 64 bytes: it may come
// from a client.
func quote(v string) string {
	const maxQuoted = 64
	if len(v) > maxQuoted {
		return fmt.Sprintf("%q...", v[:maxQuoted])
	}
	return fmt.Sprintf("%q", v)
}

func list[T ~string](vs []T) string {
	quoted := make([]string, len(vs))
	for i, v := range vs {
		quoted[i] = string(v)
	}
	return strings.Join(quoted, ", ")
}
