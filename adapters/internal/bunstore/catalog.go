package bunstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

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

// likeEscaper escapes the wildcards of LIKE and ILIKE with the ESCAPE
// character the dialects' Contains declare, so a user's substring is
// matched literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ContainsPattern returns the LIKE pattern of "contains s".
func ContainsPattern(s string) string { return "%" + likeEscaper.Replace(s) + "%" }

// ErrUnknownColumn means a listing was asked to sort by a column it does
// not allow.
var ErrUnknownColumn = errors.New("unknown column")

// ListDomains returns the page of domains q selects: one query for the page
// and, unless the first page already holds every match, one for the total.
//
// The domain sorts in byte order (Dialect.ByteOrder), like the memory store;
// statuses need no collation, their CHECK'd values sort the same in every
// locale. The nullable statuses say NULLS LAST ascending and NULLS FIRST
// descending, PostgreSQL's default and not SQLite's, so the stores agree;
// the other columns must not, or no index could give their order.
func (c Common) ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	d := c.D
	col, ok := sortColumns[q.SortBy]
	if !ok {
		return catalog.Page[core.Domain]{}, fmt.Errorf("list domains: %w: sort key %q", ErrUnknownColumn, q.SortBy)
	}
	dir, nulls := bun.Safe("ASC"), bun.Safe("NULLS LAST")
	if q.SortDesc {
		dir, nulls = bun.Safe("DESC"), bun.Safe("NULLS FIRST")
	}
	var rows []DomainRow
	sel := whereDomains(d, d.DB.NewSelect().Model(&rows), q)
	switch {
	case q.SortBy == catalog.SortDomain:
		sel = sel.OrderExpr("d.? ? ?, d.id ?", col.name, bun.Safe(d.ByteOrder), dir, dir)
	case col.nullable:
		sel = sel.OrderExpr("d.? ? ?, d.id ?", col.name, dir, nulls, dir)
	default:
		sel = sel.OrderExpr("d.? ?, d.id ?", col.name, dir, dir)
	}
	if err := sel.Limit(q.Size).Offset(q.Offset()).Scan(ctx); err != nil {
		return catalog.Page[core.Domain]{}, fmt.Errorf("list domains: %w", err)
	}
	total := len(rows)
	if q.Offset() > 0 || len(rows) == q.Size {
		n, err := whereDomains(d, d.DB.NewSelect().Model((*DomainRow)(nil)), q).Count(ctx)
		if err != nil {
			return catalog.Page[core.Domain]{}, fmt.Errorf("count domains: %w", err)
		}
		total = n
	}
	items := make([]core.Domain, len(rows))
	for i, r := range rows {
		items[i] = r.Core()
	}
	return catalog.NewPage(items, total, q.Page, q.Size), nil
}

// whereDomains adds q's filters to a query on domains AS d.
func whereDomains(d Dialect, sel *bun.SelectQuery, q catalog.DomainQuery) *bun.SelectQuery {
	if q.SitemapCurationStatus != nil {
		sel = sel.Where("d.sitemap_curation_status = ?", string(*q.SitemapCurationStatus))
	}
	if q.EmailScanStatus != nil {
		sel = sel.Where("d.email_scan_status = ?", string(*q.EmailScanStatus))
	}
	sel = whereMatch(sel, "page_scrape_status", q.PageScrapeStatus)
	sel = whereMatch(sel, "sitemap_analysis_status", q.SitemapAnalysisStatus)
	if q.DomainFilter != "" {
		sel = sel.Where("d.domain ?", d.Contains(q.DomainFilter))
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
func whereContacts(d Dialect, sel *bun.SelectQuery, f catalog.ContactFilter) *bun.SelectQuery {
	if f.DomainID != nil {
		sel = sel.Where("c.domain_id = ?", *f.DomainID)
	}
	if f.EmailType != nil {
		sel = sel.Where("c.email_type = ?", string(*f.EmailType))
	}
	if f.Q != "" {
		sel = sel.Where("c.email ?", d.Contains(f.Q))
	}
	return sel
}

// ListContacts returns the page of contacts q selects, ordered by email in
// byte order and then ID.
func (c Common) ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[contact.Contact], error) {
	d := c.D
	var rows []ContactRow
	err := whereContacts(d, d.DB.NewSelect().Model(&rows), q.ContactFilter).
		OrderExpr("c.email ?, c.id", bun.Safe(d.ByteOrder)).
		Limit(q.Size).Offset(q.Offset()).
		Scan(ctx)
	if err != nil {
		return catalog.Page[contact.Contact]{}, fmt.Errorf("list contacts: %w", err)
	}
	total := len(rows)
	if q.Offset() > 0 || len(rows) == q.Size {
		n, err := whereContacts(d, d.DB.NewSelect().Model((*ContactRow)(nil)), q.ContactFilter).Count(ctx)
		if err != nil {
			return catalog.Page[contact.Contact]{}, fmt.Errorf("count contacts: %w", err)
		}
		total = n
	}
	items := make([]contact.Contact, len(rows))
	for i, r := range rows {
		items[i] = r.Core()
	}
	return catalog.NewPage(items, total, q.Page, q.Size), nil
}

// contactExportRow is a contact with its domain's host.
type contactExportRow struct {
	ContactRow `bun:",extend"`

	DomainName string `bun:"domain_name,scanonly"`
}

// StreamContacts calls fn with every contact f selects, reading StreamBatch
// rows per query with keyset pagination: each query starts after the last
// (email, id) of the one before, a row-value comparison that an (email in
// byte order, id) index serves along with the ORDER BY, so a batch costs the
// same at any depth, where OFFSET would rescan everything before it. Only
// one batch is in memory at a time. No transaction spans the batches: fn
// writes to a client, and a slow client must not hold a snapshot or a
// connection.
func (c Common) StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error {
	d := c.D
	byteOrder := bun.Safe(d.ByteOrder)
	var after *ContactRow
	for {
		var rows []contactExportRow
		sel := whereContacts(d, d.DB.NewSelect().Model(&rows).
			ColumnExpr("c.*").
			ColumnExpr("d.domain AS domain_name").
			Join("JOIN domains AS d ON d.id = c.domain_id"), f)
		if after != nil {
			sel = sel.Where("(c.email ?, c.id) > (?, ?)", byteOrder, after.Email, after.ID)
		}
		if err := sel.OrderExpr("c.email ?, c.id", byteOrder).Limit(StreamBatch).Scan(ctx); err != nil {
			return fmt.Errorf("stream contacts: read: %w", err)
		}
		for _, r := range rows {
			if err := fn(catalog.ContactRow{Contact: r.Core(), Domain: r.DomainName}); err != nil {
				return fmt.Errorf("stream contacts: %w", err)
			}
		}
		if len(rows) < StreamBatch {
			return nil
		}
		after = &rows[len(rows)-1].ContactRow
	}
}
