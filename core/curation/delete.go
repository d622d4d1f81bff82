package curation

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// Remover deletes domains and contacts.
type Remover interface {
	// DeleteDomains deletes the domains of ids (sorted, distinct) with
	// their contacts, pages and sitemap files, in one transaction that
	// locks the rows in ID order first. It returns the IDs it deleted. A
	// job running on a deleted domain writes nothing afterwards: its fenced
	// writes find no row.
	DeleteDomains(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error)
	// DeleteContact deletes one contact, or returns an error wrapping
	// core.ErrNotFound.
	DeleteContact(ctx context.Context, id uuid.UUID) error
}

// DeleteResult is the outcome of Deleter.DeleteDomains.
type DeleteResult struct {
	// Deleted counts the domains deleted.
	Deleted int
	// NotFound lists the requested IDs that did not exist, sorted.
	NotFound []uuid.UUID
}

// Deleter is the use case that removes domains and contacts.
type Deleter struct {
	store Remover
}

// NewDeleter returns the delete use case.
func NewDeleter(store Remover) *Deleter { return &Deleter{store: store} }

// DeleteDomains deletes a batch of domains with everything stored for
// them. IDs that do not exist are reported, not an error.
func (d *Deleter) DeleteDomains(ctx context.Context, ids []uuid.UUID) (DeleteResult, error) {
	if len(ids) == 0 {
		return DeleteResult{}, fmt.Errorf("delete domains: %w", core.ErrEmptyBatch)
	}
	if len(ids) > MaxBatch {
		return DeleteResult{}, fmt.Errorf("delete domains: %w: %d IDs, at most %d", core.ErrBatchTooLarge, len(ids), MaxBatch)
	}
	want := uniqueSorted(ids)
	got, err := d.store.DeleteDomains(ctx, want)
	if err != nil {
		return DeleteResult{}, fmt.Errorf("delete domains: %w", err)
	}
	return DeleteResult{Deleted: len(got), NotFound: missing(want, uniqueSorted(got))}, nil
}

// DeleteContact deletes one contact; an unknown ID is an error wrapping
// core.ErrNotFound.
func (d *Deleter) DeleteContact(ctx context.Context, id uuid.UUID) error {
	if err := d.store.DeleteContact(ctx, id); err != nil {
		return fmt.Errorf("delete contact: %w", err)
	}
	return nil
}
