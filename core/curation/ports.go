package curation

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// Repository is what the status use case needs from storage inside one
// transaction. Both methods are set-based: one statement for the whole batch,
// never a round trip per domain.
type Repository interface {
	// SetPrimary sets wf's primary status to status and updated_at to now on every
	// domain of ids that exists, locking the rows in ID order first so that
	// concurrent overlapping batches cannot deadlock. It returns the IDs it
	// updated.
	SetPrimary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) ([]uuid.UUID, error)
	// QueueSecondary sets wf's secondary status to wf.Queued and clears its
	// error on the domains of ids for which wf.ShouldQueue(wf.Trigger,
	// current) holds (NULL or not one of wf.Active). It returns the IDs it
	// queued.
	QueueSecondary(ctx context.Context, wf core.Workflow, ids []uuid.UUID, now time.Time) ([]uuid.UUID, error)
}

// UnitOfWork runs fn in one transaction: if fn returns an error, or the
// commit fails, nothing fn did through repo is kept.
type UnitOfWork interface {
	Within(ctx context.Context, fn func(ctx context.Context, repo Repository) error) error
}

// DomainAdder stores new domains.
type DomainAdder interface {
	// AddDomains inserts the domains whose host is not stored yet and returns,
	// in input order, the stored domain for every host: the new row, or the
	// existing one for a host already stored.
	AddDomains(ctx context.Context, domains []core.Domain) ([]core.Domain, error)
}

// DomainGetter reads one domain.
type DomainGetter interface {
	// GetDomain returns the domain with id, or an error wrapping
	// core.ErrNotFound.
	GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error)
}
