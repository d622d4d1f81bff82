package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// SuppressionRow is the suppressions table as Bun sees it.
type SuppressionRow struct {
	bun.BaseModel `bun:"table:suppressions,alias:s"`

	Value     string    `bun:"value,pk"`
	Kind      string    `bun:"kind,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

func (r SuppressionRow) core() suppression.Entry {
	return suppression.Entry{Value: r.Value, Kind: suppression.Kind(r.Kind), CreatedAt: r.CreatedAt.UTC()}
}

// lockDomainsSQL locks the rows a delete is about to remove in ID order, so
// that a delete and a status batch over overlapping IDs queue behind each
// other instead of deadlocking. PostgreSQL only: SQLite's one writer
// already serializes them and it has no FOR UPDATE.
const lockDomainsSQL = `SELECT id FROM domains WHERE id ? ORDER BY id FOR UPDATE`

// recountContactsSQL sets contacts_found of the given domains to the
// contacts they still have, after some were deleted.
const recountContactsSQL = `UPDATE domains
SET contacts_found = (SELECT count(*) FROM contacts c WHERE c.domain_id = domains.id)
WHERE id ?`

// DeleteDomains deletes the domains of ids in one transaction and returns
// the IDs it deleted. Their contacts, pages and sitemap files go with them
// (ON DELETE CASCADE). A job running on one of them finds no row for its
// fenced writes afterwards and writes nothing (core.ErrLeaseLost).
func (c Common) DeleteDomains(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	d := c.D
	if len(ids) == 0 {
		return []uuid.UUID{}, nil
	}
	var deleted []uuid.UUID
	err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if d.DB.Dialect().Name() == dialect.PG {
			var locked []uuid.UUID
			if err := tx.NewRaw(lockDomainsSQL, d.OneOf(ids)).Scan(ctx, &locked); err != nil {
				return fmt.Errorf("lock domains: %w", err)
			}
		}
		if err := tx.NewRaw(`DELETE FROM domains WHERE id ? RETURNING id`, d.OneOf(ids)).Scan(ctx, &deleted); err != nil {
			return fmt.Errorf("delete domains: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// DeleteContact deletes one contact and recounts its domain's contacts, in
// one transaction; an unknown id is an error wrapping core.ErrNotFound.
func (c Common) DeleteContact(ctx context.Context, id uuid.UUID) error {
	d := c.D
	return d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var domains []uuid.UUID
		if err := tx.NewRaw(`DELETE FROM contacts WHERE id = ? RETURNING domain_id`, id).Scan(ctx, &domains); err != nil {
			return fmt.Errorf("delete contact %s: %w", id, err)
		}
		if len(domains) == 0 {
			return fmt.Errorf("contact %s: %w", id, core.ErrNotFound)
		}
		return recount(ctx, tx, d, domains)
	})
}

func recount(ctx context.Context, tx bun.Tx, d Dialect, domains []uuid.UUID) error {
	if len(domains) == 0 {
		return nil
	}
	if _, err := tx.NewRaw(recountContactsSQL, d.OneOf(domains)).Exec(ctx); err != nil {
		return fmt.Errorf("recount contacts: %w", err)
	}
	return nil
}

// deleteDomainContactsSQL deletes the contacts at the suppressed email
// domains among the given values (suppression.Matches: the part after the
// last "@" equals the domain). Values hold only letters, digits, dots and
// hyphens (suppression.Parse), so none is a LIKE wildcard; emails are
// stored lowercase, so SQLite's case-insensitive LIKE agrees.
const deleteDomainContactsSQL = `DELETE FROM contacts
WHERE EXISTS (
	SELECT 1 FROM suppressions s
	WHERE s.kind = 'domain' AND s.value ? AND contacts.email LIKE '%@' || s.value)
RETURNING domain_id`

// AddSuppressions stores the entries not stored yet and deletes the stored
// contacts every given entry matches, recounting their domains, in one
// transaction. It returns the entries added and the contacts deleted.
func (c Common) AddSuppressions(ctx context.Context, entries []suppression.Entry) ([]suppression.Entry, int, error) {
	d := c.D
	if len(entries) == 0 {
		return []suppression.Entry{}, 0, nil
	}
	rows := make([]SuppressionRow, len(entries))
	var addresses, domains []string
	for i, e := range entries {
		rows[i] = SuppressionRow{Value: e.Value, Kind: string(e.Kind), CreatedAt: e.CreatedAt}
		if e.Kind == suppression.KindAddress {
			addresses = append(addresses, e.Value)
		} else {
			domains = append(domains, e.Value)
		}
	}
	var added []string
	removed := 0
	err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewInsert().Model(&rows).On("CONFLICT (value) DO NOTHING").
			Returning("value").Scan(ctx, &added); err != nil {
			return fmt.Errorf("insert suppressions: %w", err)
		}
		var touched []uuid.UUID
		if len(addresses) > 0 {
			var ids []uuid.UUID
			if err := tx.NewRaw(`DELETE FROM contacts WHERE email ? RETURNING domain_id`, d.OneOf(addresses)).Scan(ctx, &ids); err != nil {
				return fmt.Errorf("delete suppressed addresses: %w", err)
			}
			touched = append(touched, ids...)
		}
		if len(domains) > 0 {
			var ids []uuid.UUID
			if err := tx.NewRaw(deleteDomainContactsSQL, d.OneOf(domains)).Scan(ctx, &ids); err != nil {
				return fmt.Errorf("delete contacts at suppressed domains: %w", err)
			}
			touched = append(touched, ids...)
		}
		removed = len(touched)
		return recount(ctx, tx, d, touched)
	})
	if err != nil {
		return nil, 0, err
	}
	isAdded := make(map[string]bool, len(added))
	for _, v := range added {
		isAdded[v] = true
	}
	out := []suppression.Entry{}
	for _, e := range entries {
		if isAdded[e.Value] {
			out = append(out, e)
		}
	}
	return out, removed, nil
}

// ListSuppressions returns every entry, ordered by value in byte order.
func (c Common) ListSuppressions(ctx context.Context) ([]suppression.Entry, error) {
	d := c.D
	var rows []SuppressionRow
	if err := d.DB.NewSelect().Model(&rows).OrderExpr(d.OrderBytes("s.value")).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	out := make([]suppression.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

// DeleteSuppressions removes the entries with these values and returns the
// values removed.
func (c Common) DeleteSuppressions(ctx context.Context, values []string) ([]string, error) {
	d := c.D
	out := []string{}
	if len(values) == 0 {
		return out, nil
	}
	err := d.Exclusive(ctx, func() error {
		return d.DB.NewRaw(`DELETE FROM suppressions WHERE value ? RETURNING value`, d.OneOf(values)).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("delete suppressions: %w", err)
	}
	return out, nil
}

// Suppressed returns the members of keys that are on the list.
func (c Common) Suppressed(ctx context.Context, keys []string) ([]string, error) {
	d := c.D
	out := []string{}
	if len(keys) == 0 {
		return out, nil
	}
	if err := d.DB.NewRaw(`SELECT value FROM suppressions WHERE value ?`, d.OneOf(keys)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("read suppressions: %w", err)
	}
	return out, nil
}
