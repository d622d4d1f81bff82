package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

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

// Store is the SQLite domain store. It is safe for concurrent use.
//
// SQLite runs one write transaction at a time per file. Every write of the
// Store (a unit of work, a claim, a fenced queue write, a scan's results,
// a submission) first takes the Store's writer slot, so writers queue in
// Go, first come first served and cancelled by their context, and reach
// SQLite one by one: none of them polls the file lock or fails with
// "database is locked". Reads take no slot: in WAL mode they run in
// parallel, on the last committed state, while a write is in progress. Use
// one Store per file in a process; writers of other Stores and processes
// still work, waiting for the lock up to BusyTimeout.
type Store struct {
	db     *bun.DB
	writer writerSlot
}

// NewStore returns a store on db, which Open returned and Migrate brought
// up to date.
func NewStore(db *bun.DB) *Store {
	return &Store{db: db, writer: make(writerSlot, 1)}
}

// writerSlot is a one-place semaphore. A channel rather than a mutex
// because waiting for it must end with the caller's context; blocked
// senders are served in the order they came.
type writerSlot chan struct{}

// lock takes the slot, or returns ctx's error if ctx ends first.
func (w writerSlot) lock(ctx context.Context) error {
	// A select with both cases ready picks one at random: check first, so
	// that a cancelled caller never writes.
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case w <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w writerSlot) unlock() { <-w }

// exclusive runs fn while holding the writer slot.
func (s *Store) exclusive(ctx context.Context, fn func() error) error {
	if err := s.writer.lock(ctx); err != nil {
		return fmt.Errorf("wait for the writer slot: %w", err)
	}
	defer s.writer.unlock()
	return fn()
}

// inTx runs fn in one write transaction, holding the writer slot. It
// commits if fn returns nil and rolls back otherwise; the transaction
// begins IMMEDIATE (see Open), so it holds SQLite's write lock from the
// start and everything fn reads stays true until the commit.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.exclusive(ctx, func() error { return s.db.RunInTx(ctx, nil, fn) })
}

// Ping checks that the database file can be opened and read, for health
// checks.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Within runs fn in one write transaction: it commits if fn returns nil and
// rolls back otherwise. SQLite transactions are serializable, and this one
// holds the write lock from its start, so the repository's statements see
// every batch committed before and no other write until the commit.
//
// The repository fn receives is bound to the transaction: use it only
// inside fn and only from fn's goroutine. fn holds the Store's writer
// slot, so it must not call the Store's own write methods, which would
// wait for the slot forever.
func (s *Store) Within(ctx context.Context, fn func(ctx context.Context, repo curation.Repository) error) error {
	var fnErr error
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
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
		return fmt.Errorf("sqlite transaction: %w", err)
	}
}

// domainRow is the domains table as Bun sees it: the columns core.Domain
// carries. The queue's lease columns (claim token, lease expiry, next
// attempt) and the sitemap analysis progress are written and read only by
// the queue's statements; the scan and sitemap totals by the fenced
// finishing statements (and AddDomains, for a seeded row). The UUID is
// stored as its 36-character text and the times as Bun's UTC text (see the
// migrations).
type domainRow struct {
	bun.BaseModel `bun:"table:domains,alias:d"`

	ID        uuid.UUID `bun:"id,pk"`
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
// strings are valid enum values. Times come back in UTC, as
// core.SystemClock makes them.
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
// Stored times have microsecond precision, as in PostgreSQL.
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
	// One statement for the batch. A host that is already stored is
	// skipped rather than failing the batch; the SELECT below then returns
	// the stored row. Submissions take turns in the writer slot, so there
	// is no lock order to keep.
	err := s.exclusive(ctx, func() error {
		_, err := s.db.NewInsert().Model(&rows).On("CONFLICT (domain) DO NOTHING").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("insert domains: %w", err)
	}
	var stored []domainRow
	if err := s.db.NewSelect().Model(&stored).
		Where("d.domain IN (?)", bun.List(hosts)).
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
