package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// Compile-time checks that Store and the transaction's repository provide
// the ports.
var (
	_ curation.UnitOfWork   = (*Store)(nil)
	_ curation.DomainAdder  = (*Store)(nil)
	_ curation.DomainGetter = (*Store)(nil)
	_ curation.Repository   = (*repo)(nil)
)

// Store is the PostgreSQL domain store. It is safe for concurrent use; each
// unit of work gets its own transaction.
type Store struct {
	db *bun.DB
}

// NewStore returns a store on db, whose schema Migrate has brought up to
// date.
func NewStore(db *bun.DB) *Store {
	return &Store{db: db}
}

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Within runs fn in one READ COMMITTED transaction: it commits if fn
// returns nil and rolls back otherwise. The repository fn receives is bound
// to that transaction: use it only inside fn and only from fn's goroutine,
// since a transaction is one connection that cannot run two statements at
// once.
//
// The level is set explicitly rather than left to the server's default: the
// repository relies on each statement seeing what earlier batches committed
// while it waited for their locks, where REPEATABLE READ would fail those
// batches with serialization errors.
func (s *Store) Within(ctx context.Context, fn func(ctx context.Context, repo curation.Repository) error) error {
	var fnErr error
	err := s.db.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(ctx context.Context, tx bun.Tx) error {
		fnErr = fn(ctx, &repo{db: tx})
		return fnErr
	})
	switch {
	case err == nil:
		return nil
	case fnErr != nil:
		// fn's own error, already described by fn; the rollback happened.
		return fnErr
	default:
		return fmt.Errorf("postgres transaction: %w", err)
	}
}

// domainRow is the domains table as Bun sees it: the columns core.Domain
// carries. The queue's lease columns (claim token, lease expiry, next
// attempt) and the sitemap analysis progress are written and read only by
// the queue's statements.
type domainRow struct {
	bun.BaseModel `bun:"table:domains,alias:d"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Domain    string    `bun:"domain,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`

	SitemapCurationStatus string  `bun:"sitemap_curation_status,notnull"`
	SitemapAnalysisStatus *string `bun:"sitemap_analysis_status"`
	SitemapAnalysisError  *string `bun:"sitemap_analysis_error"`

	EmailScanStatus  string  `bun:"email_scan_status,notnull"`
	PageScrapeStatus *string `bun:"page_scrape_status"`
	PageScrapeError  *string `bun:"page_scrape_error"`

	PageScrapeAttempts   int        `bun:"page_scrape_attempts,notnull"`
	PageScrapeStartedAt  *time.Time `bun:"page_scrape_started_at"`
	PageScrapeFinishedAt *time.Time `bun:"page_scrape_finished_at"`
	PagesScanned         int        `bun:"pages_scanned,notnull"`
	ContactsFound        int        `bun:"contacts_found,notnull"`

	SitemapCount    int `bun:"sitemap_count,notnull"`
	SitemapURLCount int `bun:"sitemap_url_count,notnull"`
}

func rowOf(d core.Domain) domainRow {
	return domainRow{
		ID:                    d.ID,
		Domain:                d.Domain,
		CreatedAt:             d.CreatedAt,
		UpdatedAt:             d.UpdatedAt,
		SitemapCurationStatus: string(d.SitemapCurationStatus),
		SitemapAnalysisStatus: stringPtr(d.SitemapAnalysisStatus),
		SitemapAnalysisError:  d.SitemapAnalysisError,
		EmailScanStatus:       string(d.EmailScanStatus),
		PageScrapeStatus:      stringPtr(d.PageScrapeStatus),
		PageScrapeError:       d.PageScrapeError,
		PageScrapeAttempts:    d.PageScrapeAttempts,
		PageScrapeStartedAt:   d.PageScrapeStartedAt,
		PageScrapeFinishedAt:  d.PageScrapeFinishedAt,
		PagesScanned:          d.PagesScanned,
		ContactsFound:         d.ContactsFound,
		SitemapCount:          d.SitemapCount,
		SitemapURLCount:       d.SitemapURLCount,
	}
}

// domain converts a row back. The CHECK constraints guarantee the status
// strings are valid enum values. Times come back in UTC, as core.SystemClock
// makes them.
func (r domainRow) domain() core.Domain {
	return core.Domain{
		ID:                    r.ID,
		Domain:                r.Domain,
		CreatedAt:             r.CreatedAt.UTC(),
		UpdatedAt:             r.UpdatedAt.UTC(),
		SitemapCurationStatus: core.CurationStatus(r.SitemapCurationStatus),
		SitemapAnalysisStatus: enumPtr[core.AnalysisStatus](r.SitemapAnalysisStatus),
		SitemapAnalysisError:  r.SitemapAnalysisError,
		EmailScanStatus:       core.CurationStatus(r.EmailScanStatus),
		PageScrapeStatus:      enumPtr[core.TaskStatus](r.PageScrapeStatus),
		PageScrapeError:       r.PageScrapeError,
		PageScrapeAttempts:    r.PageScrapeAttempts,
		PageScrapeStartedAt:   utcPtr(r.PageScrapeStartedAt),
		PageScrapeFinishedAt:  utcPtr(r.PageScrapeFinishedAt),
		PagesScanned:          r.PagesScanned,
		ContactsFound:         r.ContactsFound,
		SitemapCount:          r.SitemapCount,
		SitemapURLCount:       r.SitemapURLCount,
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func stringPtr[T ~string](p *T) *string {
	if p == nil {
		return nil
	}
	s := string(*p)
	return &s
}

func enumPtr[T ~string](p *string) *T {
	if p == nil {
		return nil
	}
	v := T(*p)
	return &v
}

// AddDomains inserts the domains whose host is not stored yet and returns,
// in input order, the stored row for every input host: the new one, or the
// existing one for a host already stored (its ID, statuses and times).
// Stored times have microsecond precision.
func (s *Store) AddDomains(ctx context.Context, domains []core.Domain) ([]core.Domain, error) {
	if len(domains) == 0 {
		return []core.Domain{}, nil
	}
	hosts := make([]string, len(domains))
	rows := make([]domainRow, 0, len(domains))
	seen := make(map[string]bool, len(domains))
	for i, d := range domains {
		hosts[i] = d.Domain
		if !seen[d.Domain] {
			// A host listed twice is inserted once, with its first ID.
			seen[d.Domain] = true
			rows = append(rows, rowOf(d))
		}
	}
	// Insert in host order. A conflicting insert waits for the transaction
	// that holds the host's uncommitted index entry; two batches that took
	// their hosts in different orders would wait for each other (a
	// deadlock), batches in one order only queue.
	slices.SortFunc(rows, func(a, b domainRow) int { return strings.Compare(a.Domain, b.Domain) })
	// One statement for the batch. A host that is already stored, or that a
	// concurrent submission inserts first, is skipped rather than failing
	// the batch; the SELECT below then returns the row that won.
	if _, err := s.db.NewInsert().Model(&rows).On("CONFLICT (domain) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert domains: %w", err)
	}
	var stored []domainRow
	if err := s.db.NewSelect().Model(&stored).
		Where("d.domain = ANY(?)", pgdialect.Array(hosts)).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("read back domains: %w", err)
	}
	byHost := make(map[string]core.Domain, len(stored))
	for _, r := range stored {
		byHost[r.Domain] = r.domain()
	}
	out := make([]core.Domain, len(domains))
	for i, h := range hosts {
		d, ok := byHost[h]
		if !ok {
			// Rows are never deleted, so this means the insert lost them.
			return nil, fmt.Errorf("read back domains: %q missing after insert", h)
		}
		out[i] = d
	}
	return out, nil
}

// GetDomain returns the domain with id, or an error wrapping
// core.ErrNotFound.
func (s *Store) GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error) {
	var r domainRow
	err := s.db.NewSelect().Model(&r).Where("d.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Domain{}, fmt.Errorf("domain %s: %w", id, core.ErrNotFound)
	}
	if err != nil {
		return core.Domain{}, fmt.Errorf("get domain %s: %w", id, err)
	}
	return r.domain(), nil
}
