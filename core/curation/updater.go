// Package curation holds the curation use cases: setting a primary status on
// a batch of domains (queueing the secondary processing status in the same
// transaction) and submitting new domains.
package curation

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// MaxBatch is the largest number of IDs one status update accepts.
const MaxBatch = 10_000

// UpdateInput is one batch status change.
type UpdateInput struct {
	// IDs are the domains to update; duplicates are collapsed.
	IDs []uuid.UUID
	// Status is the new primary status.
	Status core.CurationStatus
	// UserID identifies who asked, for the log.
	UserID string
}

// UpdateResult counts what a batch did.
type UpdateResult struct {
	// Updated is how many domains got the new primary status.
	Updated int
	// Queued is how many of them went to the queued secondary status.
	Queued int
	// Cancelled is how many of them had queued or running work that the
	// new status called off (core.Workflow.ShouldCancel).
	Cancelled int
	// NotFound lists the requested IDs that do not exist, in ID order.
	NotFound []uuid.UUID
}

// SecondaryStateUpdater sets a workflow's primary status on a batch of
// domains and, in the same transaction, queues the secondary status of those
// that are eligible (core.Workflow.ShouldQueue) or cancels the queued or
// running work of those moved away from the trigger
// (core.Workflow.ShouldCancel).
type SecondaryStateUpdater struct {
	uow   UnitOfWork
	wf    core.Workflow
	clock core.Clock
	log   *slog.Logger
	// onQueued, when set, hears of every committed batch that queued work.
	onQueued func(n int)
}

// NewSecondaryStateUpdater returns the use case for wf. A nil logger
// discards logs.
func NewSecondaryStateUpdater(uow UnitOfWork, wf core.Workflow, clock core.Clock, log *slog.Logger) *SecondaryStateUpdater {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SecondaryStateUpdater{uow: uow, wf: wf, clock: clock, log: log.With("workflow", wf.Name)}
}

// OnQueued sets fn to be called, after the commit, with the number of
// domains a batch queued (only when it queued any), and returns u. The
// composition root uses it to wake this process's workers at once instead
// of at their next poll; other processes' workers still find the work by
// polling.
func (u *SecondaryStateUpdater) OnQueued(fn func(n int)) *SecondaryStateUpdater {
	u.onQueued = fn
	return u
}

// Workflow returns the workflow this updater serves.
func (u *SecondaryStateUpdater) Workflow() core.Workflow { return u.wf }

// Update applies in. IDs that do not exist are reported in NotFound and do
// not fail the batch. On error nothing is changed.
func (u *SecondaryStateUpdater) Update(ctx context.Context, in UpdateInput) (UpdateResult, error) {
	if len(in.IDs) == 0 {
		return UpdateResult{}, fmt.Errorf("update %s: %w", u.wf.Name, core.ErrEmptyBatch)
	}
	if len(in.IDs) > MaxBatch {
		return UpdateResult{}, fmt.Errorf("update %s: %w: %d IDs, at most %d", u.wf.Name, core.ErrBatchTooLarge, len(in.IDs), MaxBatch)
	}
	if !in.Status.Valid() {
		return UpdateResult{}, fmt.Errorf("update %s: %w: %q", u.wf.Name, core.ErrInvalidStatus, in.Status)
	}
	ids := uniqueSorted(in.IDs)
	u.log.InfoContext(ctx, "batch status update started",
		"user_id", in.UserID, "count", len(ids), "status", string(in.Status))

	now := u.clock.Now()
	var updated, queued, cancelled []uuid.UUID
	err := u.uow.Within(ctx, func(ctx context.Context, repo Repository) error {
		var err error
		updated, queued, cancelled, err = repo.SetStatus(ctx, u.wf, ids, in.Status, now)
		if err != nil {
			return fmt.Errorf("set %s status: %w", u.wf.Name, err)
		}
		return nil
	})
	if err != nil {
		u.log.ErrorContext(ctx, "batch status update failed, rolled back",
			"user_id", in.UserID, "count", len(ids), "error", err)
		return UpdateResult{}, err
	}

	res := UpdateResult{Updated: len(updated), Queued: len(queued), Cancelled: len(cancelled), NotFound: missing(ids, updated)}
	if res.Queued > 0 && u.onQueued != nil {
		u.onQueued(res.Queued)
	}
	if u.log.Enabled(ctx, slog.LevelDebug) {
		isQueued := make(map[uuid.UUID]bool, len(queued))
		for _, id := range queued {
			isQueued[id] = true
		}
		isCancelled := make(map[uuid.UUID]bool, len(cancelled))
		for _, id := range cancelled {
			isCancelled[id] = true
		}
		for _, id := range updated {
			u.log.DebugContext(ctx, "domain status changed", "domain_id", id.String(),
				"status", string(in.Status), "queued", isQueued[id], "cancelled", isCancelled[id])
		}
	}
	u.log.InfoContext(ctx, "batch status update done", "user_id", in.UserID,
		"updated_count", res.Updated, "queued_count", res.Queued, "cancelled_count", res.Cancelled,
		"not_found_count", len(res.NotFound))
	return res, nil
}

// uniqueSorted returns ids sorted with duplicates removed; sorting gives the
// stores a fixed lock order.
func uniqueSorted(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return slices.CompactFunc(out, func(a, b uuid.UUID) bool { return a == b })
}

// missing returns the members of want (sorted) that are not in got.
func missing(want, got []uuid.UUID) []uuid.UUID {
	if len(got) == len(want) {
		return []uuid.UUID{}
	}
	have := make(map[uuid.UUID]struct{}, len(got))
	for _, id := range got {
		have[id] = struct{}{}
	}
	out := []uuid.UUID{}
	for _, id := range want {
		if _, ok := have[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}
