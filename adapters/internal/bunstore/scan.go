package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// finishScanRunSQL is the fenced write that completes an email scan's run
// (see fenceSQL), finishScanDomainSQL its domain half: Completed, the
// counts, the page cap flag, the finish time.
const (
	finishScanRunSQL = `UPDATE jobs SET state = 'completed', error = NULL, error_detail = NULL, finished_at = ?now,
	pages_scanned = ?pages_scanned, contacts_found = ?contacts_found, page_cap_reached = ?page_cap_reached,
	claim_token = NULL, lease_expires_at = NULL ` + fenceSQL
	finishScanDomainSQL = `UPDATE domains SET
	?secondary = ?done, ?error_col = NULL,
	pages_scanned = ?pages_scanned, contacts_found = ?contacts_found, page_cap_reached = ?page_cap_reached,
	?finished = ?now, updated_at = ?now
WHERE id = ?id`
)

// progressRunSQL is the fenced write of a running scan's figures so far
// (see fenceSQL), progressDomainSQL its domain half. The page cap flag is
// cleared: only the finished scan knows it. updated_at stays: the figures
// are not a status change, and the listing indexes hold updated_at, so
// leaving it makes the domain's write a HOT update where the page allows.
const (
	progressRunSQL = `UPDATE jobs SET pages_scanned = ?pages_scanned, contacts_found = ?contacts_found,
	page_cap_reached = false ` + fenceSQL
	progressDomainSQL = `UPDATE domains SET pages_scanned = ?pages_scanned, contacts_found = ?contacts_found,
	page_cap_reached = false
WHERE id = ?id`
)

// Progress sets the figures of a running scan on its run and domain in one
// transaction fenced on job.Token; see progressRunSQL.
func (c Common) Progress(ctx context.Context, job queue.Job, pages, contacts int) error {
	return fenced(ctx, c.D, "scan progress", progressRunSQL, progressDomainSQL, core.EmailScan, job, func(a *QueueArgs) {
		a.PagesScanned, a.ContactsFound = pages, contacts
	})
}

// countNewContactsSQL records how many of the domain's contacts the run
// stored first, once the contacts are upserted.
const countNewContactsSQL = `UPDATE jobs SET contacts_new =
	(SELECT count(*) FROM contacts WHERE domain_id = ?id AND first_seen_run = ?run_id)
WHERE id = ?run_id`

// ContactRow is the contacts table as Bun sees it.
type ContactRow struct {
	bun.BaseModel `bun:"table:contacts,alias:c"`

	ID          uuid.UUID `bun:"id,pk"`
	DomainID    uuid.UUID `bun:"domain_id,notnull"`
	Email       string    `bun:"email,notnull"`
	EmailType   string    `bun:"email_type,notnull"`
	HasGmail    bool      `bun:"has_gmail,notnull"`
	Context     string    `bun:"context,notnull"`
	SourceURL   string    `bun:"source_url,notnull"`
	FirstSeenAt time.Time `bun:"first_seen_at,notnull"`
	LastSeenAt  time.Time `bun:"last_seen_at,notnull"`
	// FirstSeenRun is the run that stored the contact first; an upsert
	// never changes it.
	FirstSeenRun *uuid.UUID `bun:"first_seen_run"`
}

// Core converts a row back; times come back in UTC.
func (r ContactRow) Core() contact.Contact {
	return contact.Contact{
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

// pageRow is the pages table as Bun sees it.
type pageRow struct {
	bun.BaseModel `bun:"table:pages,alias:p"`

	DomainID    uuid.UUID `bun:"domain_id,pk"`
	URL         string    `bun:"url,pk"`
	Status      int       `bun:"http_status,notnull"`
	EmailsFound int       `bun:"emails_found,notnull"`
	FetchedAt   time.Time `bun:"fetched_at,notnull"`
}

// FinishScan stores a finished email scan in one transaction: the fenced
// domain update first (Completed, counts, finish time), then every contact
// and every page in one upsert each. If the job lost its lease nothing is
// written and the error wraps core.ErrLeaseLost.
//
// The rows are stored under job.DomainID, the domain the fence checked,
// whatever DomainID the outcome's records carry. An address or URL listed
// twice in out is stored once: a contact keeps its first record and the
// last LastSeenAt, a page its last record, as the upserts would across
// scans.
func (c Common) FinishScan(ctx context.Context, job queue.Job, out scan.Outcome) error {
	d := c.D
	a, err := ArgsFor(core.EmailScan)
	if err != nil {
		return err
	}
	a.ID, a.RunID, a.ClaimToken, a.Now = job.DomainID, job.RunID, job.Token, out.FinishedAt
	a.PagesScanned, a.ContactsFound, a.PageCapReached = len(out.Pages), len(out.Contacts), out.PageCapReached
	contacts := contactRows(job, out.Contacts)
	pages := pageRows(job.DomainID, out.Pages)

	err = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := FencedExec(ctx, tx, finishScanRunSQL, finishScanDomainSQL, &a); err != nil {
			return err
		}
		// Bun renders an empty slice as no VALUES at all: skip the statement.
		if len(contacts) > 0 {
			// A contact already stored for the domain keeps its id,
			// first_seen_at, type and context; only last_seen_at moves.
			if _, err := tx.NewInsert().Model(&contacts).
				On("CONFLICT (domain_id, email) DO UPDATE").
				Set("last_seen_at = EXCLUDED.last_seen_at").
				Exec(ctx); err != nil {
				return fmt.Errorf("upsert contacts: %w", err)
			}
			if _, err := tx.NewRaw(countNewContactsSQL, &a).Exec(ctx); err != nil {
				return fmt.Errorf("count new contacts: %w", err)
			}
		}
		if len(pages) > 0 {
			if _, err := tx.NewInsert().Model(&pages).
				On("CONFLICT (domain_id, url) DO UPDATE").
				Set("http_status = EXCLUDED.http_status").
				Set("emails_found = EXCLUDED.emails_found").
				Set("fetched_at = EXCLUDED.fetched_at").
				Exec(ctx); err != nil {
				return fmt.Errorf("upsert pages: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		// A lost lease comes back as "finish scan <id>: lease lost".
		return fmt.Errorf("finish scan %s: %w", job.DomainID, err)
	}
	return nil
}

// contactRows converts the outcome's contacts, one row per address. One
// INSERT … ON CONFLICT cannot touch the same row twice, so duplicates are
// merged here the way two upserts would merge them.
func contactRows(job queue.Job, cs []contact.Contact) []ContactRow {
	rows := make([]ContactRow, 0, len(cs))
	at := make(map[string]int, len(cs))
	for _, c := range cs {
		if i, ok := at[c.Email]; ok {
			rows[i].LastSeenAt = c.LastSeenAt
			continue
		}
		at[c.Email] = len(rows)
		rows = append(rows, ContactRow{
			ID:          c.ID,
			DomainID:    job.DomainID,
			Email:       c.Email,
			EmailType:   string(c.Type),
			HasGmail:    c.HasGmail,
			Context:     c.Context,
			SourceURL:   c.SourceURL,
			FirstSeenAt: c.FirstSeenAt,
			LastSeenAt:  c.LastSeenAt,
		})
		if job.RunID != uuid.Nil {
			rows[len(rows)-1].FirstSeenRun = &job.RunID
		}
	}
	return rows
}

// pageRows converts the outcome's pages, one row per URL, the last record
// winning.
func pageRows(domainID uuid.UUID, ps []scan.Page) []pageRow {
	rows := make([]pageRow, 0, len(ps))
	at := make(map[string]int, len(ps))
	for _, p := range ps {
		r := pageRow{DomainID: domainID, URL: p.URL, Status: p.Status, EmailsFound: p.EmailsFound, FetchedAt: p.FetchedAt}
		if i, ok := at[p.URL]; ok {
			rows[i] = r
			continue
		}
		at[p.URL] = len(rows)
		rows = append(rows, r)
	}
	return rows
}

// Contacts returns the contacts stored for the domain, ordered by email in
// byte order; none (not an error) for an unknown domain.
func (c Common) Contacts(ctx context.Context, domainID uuid.UUID) ([]contact.Contact, error) {
	d := c.D
	var rows []ContactRow
	if err := d.DB.NewSelect().Model(&rows).
		Where("c.domain_id = ?", domainID).
		OrderExpr(d.OrderBytes("c.email")).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("list contacts of %s: %w", domainID, err)
	}
	out := make([]contact.Contact, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

// Pages returns the pages stored for the domain, ordered by URL in byte
// order; none (not an error) for an unknown domain.
func (c Common) Pages(ctx context.Context, domainID uuid.UUID) ([]scan.Page, error) {
	d := c.D
	var rows []pageRow
	if err := d.DB.NewSelect().Model(&rows).
		Where("p.domain_id = ?", domainID).
		OrderExpr(d.OrderBytes("p.url")).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("list pages of %s: %w", domainID, err)
	}
	out := make([]scan.Page, len(rows))
	for i, r := range rows {
		out[i] = scan.Page{DomainID: r.DomainID, URL: r.URL, Status: r.Status, EmailsFound: r.EmailsFound, FetchedAt: r.FetchedAt.UTC()}
	}
	return out, nil
}
