package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// Compile-time check that Store provides the catalog's ports.
var _ catalog.Store = (*Store)(nil)

// StreamBatch is how many contacts one query of StreamContacts reads.
const StreamBatch = 1_000

// sortColumn is a sort key's column, and whether the column may be NULL.
type sortColumn struct {
	name     bun.Ident
	nullable bool
}

// sortColumns maps each sort key to its column: the allowlist that makes a
// sort key safe to use as an identifier.
var sortColumns = map[catalog.SortKey]sortColumn{
	catalog.SortDomain:                {name: "domain"},
	catalog.SortCreatedAt:             {name: "created_at"},
	catalog.SortUpdatedAt:             {name: "updated_at"},
	catalog.SortEmailScanStatus:       {name: "email_scan_status"},
	catalog.SortPageScrapeStatus:      {name: "page_scrape_status", nullable: true},
	catalog.SortSitemapCurationStatus: {name: "sitemap_curation_status"},
	catalog.SortSitemapAnalysisStatus: {name: "sitemap_analysis_status", nullable: true},
	catalog.SortContactsFound:         {name: "contacts_found"},
	catalog.SortPagesScanned:          {name: "pages_scanned"},
}

// likeEscaper escapes the wildcards of LIKE with the ESCAPE character the
// queries declare, so a user's substring is matched literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern returns the LIKE pattern of "contains s, ignoring case".
// SQLite's LIKE folds the case of ASCII letters only, on both sides, while
// PostgreSQL's ILIKE and the memory store fold every letter. The stored
// side is lowercase already (core.NormalizeDomain makes hosts lowercase
// ASCII, the extractor lowercases addresses), so lowering the pattern here
// with Go's Unicode rules gives the same matches as theirs.
func containsPattern(s string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(s)) + "%"
}

// ListDomains returns the page of domains q selects: one query for the page
// and, unless the first page already holds every match, one for the total.
//
// Migration 3's indexes serve the common pages: (status, updated_at, id)
// for a status filter in update order, (updated_at, id), (created_at, id),
// and the unique index on domain for those orders; other combinations read
// the matching rows and keep the top. Text compares in byte order (BINARY),
// like the other stores. SQLite sorts NULLs first ascending, PostgreSQL
// last: the nullable statuses say NULLS LAST / NULLS FIRST, so the three
// stores agree; the others must not, or no index could give their order.
func (s *Store) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	col, ok := sortColumns[q.SortBy]
	if !ok {
		return catalog.Page[core.Domain]{}, fmt.Errorf("list domains: %w: sort key %q", ErrUnknownColumn, q.SortBy)
	}
	dir, nulls := bun.Safe("ASC"), bun.Safe("NULLS LAST")
	if q.SortDesc {
		dir, nulls = bun.Safe("DESC"), bun.Safe("NULLS FIRST")
	}
	var rows []domainRow
	sel := whereDomains(s.db.NewSelect().Model(&rows), q)
	if col.nullable {
		sel = sel.OrderExpr("d.? ? ?, d.id ?", col.name, dir, nulls, dir)
	} else {
		sel = sel.OrderExpr("d.? ?, d.id ?", col.name, dir, dir)
	}
	if err := sel.Limit(q.Size).Offset(q.Offset()).Scan(ctx); err != nil {
		return catalog.Page[core.Domain]{}, fmt.Errorf("list domains: %w", err)
	}
	total := len(rows)
	if q.Offset() > 0 || len(rows) == q.Size {
		n, err := whereDomains(s.db.NewSelect().Model((*domainRow)(nil)), q).Count(ctx)
		if err != nil {
			return catalog.Page[core.Domain]{}, fmt.Errorf("count domains: %w", err)
		}
		total = n
	}
	items := make([]core.Domain, len(rows))
	for i, r := range rows {
		items[i] = r.domain()
	}
	return catalog.NewPage(items, total, q.Page, q.Size), nil
}

// whereDomains adds q's filters to a query on domains AS d.
func whereDomains(sel *bun.SelectQuery, q catalog.DomainQuery) *bun.SelectQuery {
	if q.SitemapCurationStatus != nil {
		sel = sel.Where("d.sitemap_curation_status = ?", string(*q.SitemapCurationStatus))
	}
	if q.EmailScanStatus != nil {
		sel = sel.Where("d.email_scan_status = ?", string(*q.EmailScanStatus))
	}
	sel = whereMatch(sel, "page_scrape_status", q.PageScrapeStatus)
	sel = whereMatch(sel, "sitemap_analysis_status", q.SitemapAnalysisStatus)
	if q.DomainFilter != "" {
		sel = sel.Where(`d.domain LIKE ? ESCAPE '\'`, containsPattern(q.DomainFilter))
	}
	return sel
}

// whereMatch filters a nullable status column; col is a constant.
func whereMatch[T ~string](sel *bun.SelectQuery, col bun.Ident, m *catalog.Match[T]) *bun.SelectQuery {
	switch {
	case m == nil:
		return sel
	case m.Null:
		return sel.Where("d.? IS NULL", col)
	default:
		return sel.Where("d.? = ?", col, string(m.Value))
	}
}

// whereContacts adds f's filters to a query on contacts AS c.
func whereContacts(sel *bun.SelectQuery, f catalog.ContactFilter) *bun.SelectQuery {
	if f.DomainID != nil {
		sel = sel.Where("c.domain_id = ?", *f.DomainID)
	}
	if f.EmailType != nil {
		sel = sel.Where("c.email_type = ?", string(*f.EmailType))
	}
	if f.Q != "" {
		sel = sel.Where(`c.email LIKE ? ESCAPE '\'`, containsPattern(f.Q))
	}
	return sel
}

// ListContacts returns the page of contacts q selects, ordered by email in
// byte order and then ID: migration 3's (email, id) index without a domain
// filter, migration 2's unique (domain_id, email) index with one.
func (s *Store) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[scan.Contact], error) {
	var rows []contactRow
	err := whereContacts(s.db.NewSelect().Model(&rows), q.ContactFilter).
		OrderExpr("c.email, c.id").
		Limit(q.Size).Offset(q.Offset()).
		Scan(ctx)
	if err != nil {
		return catalog.Page[scan.Contact]{}, fmt.Errorf("list contacts: %w", err)
	}
	total := len(rows)
	if q.Offset() > 0 || len(rows) == q.Size {
		n, err := whereContacts(s.db.NewSelect().Model((*contactRow)(nil)), q.ContactFilter).Count(ctx)
		if err != nil {
			return catalog.Page[scan.Contact]{}, fmt.Errorf("count contacts: %w", err)
		}
		total = n
	}
	items := make([]scan.Contact, len(rows))
	for i, r := range rows {
		items[i] = r.toContact()
	}
	return catalog.NewPage(items, total, q.Page, q.Size), nil
}

// contactExportRow is a contact with its domain's host.
type contactExportRow struct {
	contactRow `bun:",extend"`

	DomainName string `bun:"domain_name,scanonly"`
}

// StreamContacts calls fn with every contact f selects, reading StreamBatch
// rows per query with keyset pagination: each query starts after the last
// (email, id) of the one before, a row-value comparison that migration 3's
// (email, id) index serves along with the ORDER BY, so a batch costs the
// same at any depth, where OFFSET would rescan everything before it. Only
// one batch is in memory at a time. No transaction spans the batches: fn
// writes to a client, and a slow client must not pin a read snapshot,
// which in WAL mode would keep the checkpointer from recycling the log.
func (s *Store) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	var after *contactRow
	for {
		var rows []contactExportRow
		sel := whereContacts(s.db.NewSelect().Model(&rows).
			ColumnExpr("c.*").
			ColumnExpr("d.domain AS domain_name").
			Join("JOIN domains AS d ON d.id = c.domain_id"), f)
		if after != nil {
			sel = sel.Where("(c.email, c.id) > (?, ?)", after.Email, after.ID)
		}
		if err := sel.OrderExpr("c.email, c.id").Limit(StreamBatch).Scan(ctx); err != nil {
			return fmt.Errorf("stream contacts: read: %w", err)
		}
		for _, r := range rows {
			if err := fn(catalog.ContactRow{Contact: r.toContact(), Domain: r.DomainName}); err != nil {
				return fmt.Errorf("stream contacts: %w", err)
			}
		}
		if len(rows) < StreamBatch {
			return nil
		}
		after = &rows[len(rows)-1].contactRow
	}
}

// toContact converts a row back; times come back in UTC.
func (r contactRow) toContact() scan.Contact {
	return scan.Contact{
		ID:          r.ID,
		DomainID:    r.DomainID,
		Email:       r.Email,
		Type:        contact.Type(r.EmailType),
		HasGmail:    r.HasGmail,
		Context:     r.Context,
		SourceURL:   r.SourceURL,
		FirstSeenAt: r.FirstSeenAt.UTC(),
		LastSeenAt:  r.LastSeenAt.UTC(),
	}
}
