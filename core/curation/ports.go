package curation

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// Repository is what the status use case needs from storage inside one
// transaction.
type Repository interface {
	// SetStatus sets wf's primary status to status and updated_at to now
	// on every domain of ids that exists, and, when status is wf.Trigger,
	// queues in the same write the secondary status of those for which
	// wf.ShouldQueue holds (clearing its error), and, when status is not
	// the trigger, cancels those for which wf.ShouldCancel holds: their
	// secondary becomes wf.Cancelled and their open run, if any, ends
	// queue.RunCancelled (no claim token left, so its worker's fenced
	// writes fail), in the same transaction. It is one write per domain
	// row: the rows are locked in ID order first, so concurrent
	// overlapping batches cannot deadlock, and the rules see each row as
	// the batch before left it. It returns the IDs it updated, those it
	// queued and those it cancelled.
	SetStatus(ctx context.Context, wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time) (updated, queued, cancelled []uuid.UUID, err error)
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
