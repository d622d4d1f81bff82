package httpapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// RunLister reads a domain's runs of a workflow, newest first: its scan
// history.
type RunLister interface {
	Runs(ctx context.Context, wf core.Workflow, domainID uuid.UUID, limit, offset int) ([]queue.Run, int, error)
}

// scanParams are the query parameters GET /api/v3/domains/{id}/scans takes.
var scanParams = []string{"page", "size"}

// scanRun is one email scan run as the API shows it.
type scanRun struct {
	ID uuid.UUID `json:"id"`
	// Outcome is the run's state: running, waiting (for a retry),
	// completed, failed or cancelled.
	Outcome       string     `json:"outcome"`
	Attempts      int        `json:"attempts"`
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	DurationMS    *int64     `json:"duration_ms"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	PagesScanned  int        `json:"pages_scanned"`
	ContactsFound int        `json:"contacts_found"`
	NewContacts   int        `json:"new_contacts"`
	// PageCapReached says the run stopped at the page cap with pages of
	// the site left.
	PageCapReached bool    `json:"page_cap_reached"`
	Error          *string `json:"error"`
}

func scanRunOf(r queue.Run) scanRun {
	out := scanRun{
		ID: r.ID, Outcome: string(r.State), Attempts: r.Attempt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, NextAttemptAt: r.NextAttemptAt,
		PagesScanned: r.PagesScanned, ContactsFound: r.ContactsFound, NewContacts: r.NewContacts,
		PageCapReached: r.PageCapReached,
	}
	if r.FinishedAt != nil {
		ms := r.Duration().Milliseconds()
		out.DurationMS = &ms
	}
	if r.Error != "" {
		msg := r.Error
		out.Error = &msg
	}
	return out
}

// listScans answers with one page of a domain's email scan runs, newest
// first; 404 for an unknown domain, so that "never scanned" and "no such
// domain" differ.
func (s *Server) listScans(c *fiber.Ctx) error {
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return unprocessable("domain id %s is not a UUID", echo(raw))
	}
	p, err := queryParams(c, scanParams)
	if err != nil {
		return err
	}
	q := catalog.NewRunQuery(id)
	if q.Page, err = intParam(p, "page", q.Page); err != nil {
		return err
	}
	if q.Size, err = intParam(p, "size", q.Size); err != nil {
		return err
	}
	if err := q.Validate(); err != nil {
		return err
	}
	if _, err := s.deps.Domains.GetDomain(c.UserContext(), id); errors.Is(err, core.ErrNotFound) {
		return newHTTPError(fiber.StatusNotFound, "domain %s not found", id)
	} else if err != nil {
		return fmt.Errorf("get domain: %w", err)
	}
	runs, total, err := s.deps.Scans.Runs(c.UserContext(), core.EmailScan, id, q.Size, q.Offset())
	if err != nil {
		return fmt.Errorf("list scans: %w", err)
	}
	items := make([]scanRun, len(runs))
	for i, r := range runs {
		items[i] = scanRunOf(r)
	}
	return c.JSON(catalog.NewPage(items, total, q.Page, q.Size))
}
