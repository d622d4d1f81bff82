package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
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

// Store is the PostgreSQL domain store. It is safe for concurrent use; each
// unit of work gets its own transaction.
type Store struct {
	bunstore.Common
	db *bun.DB
}

// NewStore returns a store on db, whose schema Migrate has brought up to
// date.
func NewStore(db *bun.DB) *Store {
	s := &Store{db: db}
	s.Common = bunstore.Common{D: s.dialect(), RescueLock: rescueLock}
	return s
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
	return bunstore.Within(ctx, s.dialect(), "postgres", newRepo, fn)
}

// AddDomains inserts the domains whose host is not stored yet and returns,
// in input order, the stored row for every input host: the new one, or the
// existing one for a host already stored (its ID, statuses and times).
// Stored times have microsecond precision.
func (s *Store) AddDomains(ctx context.Context, domains []core.Domain) ([]core.Domain, error) {
	// Rows are inserted in host order, which keeps concurrent batches from
	// deadlocking on each other's uncommitted index entries; see
	// bunstore.AddDomains.
	return bunstore.AddDomains(ctx, s.dialect(), domains)
}

// dialect is the seam the shared statements of bunstore run through:
// READ COMMITTED transactions, writes without turns (row locks order
// them), arrays and the "C" collation.
func (s *Store) dialect() bunstore.Dialect {
	return bunstore.Dialect{
		DB:        s.db,
		InTx:      s.inTx,
		Exclusive: bunstore.Direct,
		OneOf:     oneOf,
		Contains:  contains,
		ByteOrder: `COLLATE "C"`,
	}
}

// inTx runs fn in one READ COMMITTED transaction; see Within for why the
// level is explicit.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, fn)
}

// oneOf renders "= ANY(array)": one parameter whatever the batch size.
func oneOf(values any) schema.QueryAppender {
	return bun.SafeQuery("= ANY(?)", pgdialect.Array(values))
}

// newRepo binds a repository to tx.
func newRepo(tx bun.Tx) curation.Repository { return &repo{db: tx} }
