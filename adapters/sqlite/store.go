package sqlite

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// Compile-time checks that Store and the transaction's repository provide
// the ports.
var (
	_ curation.UnitOfWork   = (*Store)(nil)
	_ curation.DomainAdder  = (*Store)(nil)
	_ curation.DomainGetter = (*Store)(nil)
	_ curation.Repository   = (*repo)(nil)
	_ scan.Results          = (*Store)(nil)
	_ analysis.Results      = (*Store)(nil)
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
	bunstore.Common
	db     *bun.DB
	writer writerSlot
}

// NewStore returns a store on db, which Open returned and Migrate brought
// up to date.
func NewStore(db *bun.DB) *Store {
	s := &Store{db: db, writer: make(writerSlot, 1)}
	s.Common = bunstore.Common{D: s.dialect(), RescueLock: rescueLock}
	return s
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
	return bunstore.Within(ctx, s.dialect(), "sqlite", newRepo, fn)
}

// AddDomains inserts the domains whose host is not stored yet and returns,
// in input order, the stored row for every input host: the new one, or the
// existing one for a host already stored (its ID, statuses and times).
// Stored times have microsecond precision, as in PostgreSQL.
func (s *Store) AddDomains(ctx context.Context, domains []core.Domain) ([]core.Domain, error) {
	// The insert takes the writer slot; submissions take turns there, so
	// there is no lock order to keep.
	return bunstore.AddDomains(ctx, s.dialect(), domains)
}

// dialect is the seam the shared statements of bunstore run through:
// writes in the writer slot, lists, lower()+LIKE and the BINARY collation.
func (s *Store) dialect() bunstore.Dialect {
	return bunstore.Dialect{
		DB:        s.db,
		InTx:      s.inTx,
		Exclusive: s.exclusive,
		OneOf:     oneOf,
		Contains:  contains,
	}
}

// oneOf renders "IN (list)". The list is never empty: the callers check.
func oneOf(values any) schema.QueryAppender {
	return bun.SafeQuery("IN (?)", bun.List(values))
}

// newRepo binds a repository to tx.
func newRepo(tx bun.Tx) curation.Repository { return &repo{db: tx} }
