package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// runRow is the jobs table as the history reads it; the claim token and
// lease stay out.
type runRow struct {
	bun.BaseModel `bun:"table:jobs,alias:j"`

	ID             uuid.UUID  `bun:"id,pk"`
	Workflow       string     `bun:"workflow"`
	DomainID       uuid.UUID  `bun:"domain_id"`
	State          string     `bun:"state"`
	Attempt        int        `bun:"attempt"`
	NextAttemptAt  *time.Time `bun:"next_attempt_at"`
	StartedAt      time.Time  `bun:"started_at"`
	FinishedAt     *time.Time `bun:"finished_at"`
	PagesScanned   int        `bun:"pages_scanned"`
	ContactsFound  int        `bun:"contacts_found"`
	ContactsNew    int        `bun:"contacts_new"`
	PageCapReached bool       `bun:"page_cap_reached"`
	Error          *string    `bun:"error"`
	ErrorDetail    *string    `bun:"error_detail"`
}

// Runs returns at most limit of the domain's runs of wf after skipping
// offset, newest first (jobs_history_idx's order), and how many there are.
func (c Common) Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error) {
	d := c.D
	if _, err := ArgsFor(wf); err != nil {
		return nil, 0, err
	}
	var rows []runRow
	total, err := d.DB.NewSelect().Model(&rows).
		Where("j.domain_id = ? AND j.workflow = ?", domainID, wf.Name).
		OrderExpr("j.started_at DESC, j.id DESC").
		Limit(limit).Offset(offset).
		ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list runs of %s: %w", domainID, err)
	}
	out := make([]queue.Run, len(rows))
	for i, r := range rows {
		out[i] = queue.Run{
			ID: r.ID, DomainID: r.DomainID, Workflow: r.Workflow, State: queue.RunState(r.State),
			Attempt: r.Attempt, StartedAt: r.StartedAt.UTC(), FinishedAt: UTCPtr(r.FinishedAt),
			NextAttemptAt: UTCPtr(r.NextAttemptAt), PagesScanned: r.PagesScanned,
			ContactsFound: r.ContactsFound, NewContacts: r.ContactsNew, PageCapReached: r.PageCapReached,
		}
		if r.Error != nil {
			out[i].Error = *r.Error
		}
		if r.ErrorDetail != nil {
			out[i].ErrorDetail = *r.ErrorDetail
		}
	}
	return out, total, nil
}
