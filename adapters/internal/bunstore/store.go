package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// AddDomains inserts the domains whose host is not stored yet and returns,
// in input order, the stored row for every input host: the new one, or the
// existing one for a host already stored.
func AddDomains(ctx context.Context, d Dialect, domains []core.Domain) ([]core.Domain, error) {
	if len(domains) == 0 {
		return []core.Domain{}, nil
	}
	// A host listed twice is inserted once, with its first ID.
	hosts, rows := DedupeHosts(domains)
	// Insert in host order. On PostgreSQL a conflicting insert waits for
	// the transaction that holds the host's uncommitted index entry; two
	// batches that took their hosts in different orders would wait for
	// each other (a deadlock), batches in one order only queue. SQLite's
	// writers take turns and need no order, but it costs nothing.
	slices.SortFunc(rows, func(a, b DomainRow) int { return strings.Compare(a.Domain, b.Domain) })
	// One statement for the batch. A host that is already stored, or that a
	// concurrent submission inserts first, is skipped rather than failing
	// the batch; the SELECT below then returns the row that won.
	err := d.Exclusive(ctx, func() error {
		_, err := d.DB.NewInsert().Model(&rows).On("CONFLICT (domain) DO NOTHING").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("insert domains: %w", err)
	}
	var stored []DomainRow
	if err := d.DB.NewSelect().Model(&stored).
		Where("d.domain ?", d.OneOf(hosts)).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("read back domains: %w", err)
	}
	return InHostOrder(hosts, stored)
}

// GetDomain returns the domain with id, or an error wrapping
// core.ErrNotFound.
func (c Common) GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error) {
	d := c.D
	var r DomainRow
	err := d.DB.NewSelect().Model(&r).Where("d.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Domain{}, fmt.Errorf("domain %s: %w", id, core.ErrNotFound)
	}
	if err != nil {
		return core.Domain{}, fmt.Errorf("get domain %s: %w", id, err)
	}
	return r.Core(), nil
}

// Within runs fn in one d.InTx transaction with the repository newRepo
// binds to it: it commits if fn returns nil and rolls back otherwise. fn's
// own error comes back as it is, already described by fn; a failure to
// begin or commit is wrapped with "<name> transaction".
func Within(ctx context.Context, d Dialect, name string, newRepo func(tx bun.Tx) curation.Repository,
	fn func(ctx context.Context, repo curation.Repository) error,
) error {
	var fnErr error
	err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		fnErr = fn(ctx, newRepo(tx))
		return fnErr
	})
	switch {
	case err == nil:
		return nil
	case fnErr != nil:
		// The rollback happened.
		return fnErr
	default:
		return fmt.Errorf("%s transaction: %w", name, err)
	}
}
