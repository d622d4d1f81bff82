package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/httpapi"
	"github.com/scrapersky/scrapersky-go/adapters/metrics"
	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/apikey"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// store is every port the service wires, whichever database serves them.
// Both *postgres.Store and *sqlite.Store implement it.
type store interface {
	curation.UnitOfWork
	curation.DomainAdder
	curation.DomainGetter
	queue.Queue
	scan.Results
	analysis.Results
	catalog.Store
	httpapi.SitemapLister
	httpapi.RunLister
	httpapi.SchemaVersioner
	metrics.StatusCounter
	curation.Remover
	suppression.Store
	scan.Suppressions
	metrics.QueueAger
	apikey.Store
	Ping(ctx context.Context) error
}

var (
	_ store = (*postgres.Store)(nil)
	_ store = (*sqlite.Store)(nil)
)

// database is an open store with its migrations.
type database struct {
	kind    string // "postgres" or "sqlite"
	where   string // the file, or the URL without its password
	db      *bun.DB
	store   store
	migrate func(ctx context.Context, up bool) ([]string, error)
	status  func(ctx context.Context) (version string, applied, pending []string, err error)
}

// openDatabase picks the store from DATABASE_URL: postgres:// and
// postgresql:// URLs open PostgreSQL; an empty value, sqlite:// and file:
// URLs or a plain path open the embedded SQLite file. A positive
// requestTimeout bounds every PostgreSQL statement below it on the server
// (see serverTimeouts); 0 leaves statements unbounded, as migrations need.
func openDatabase(url string, requestTimeout time.Duration) (*database, error) {
	path, err := sqlite.ParseURL(url)
	switch {
	case err == nil:
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		return &database{
			kind: "sqlite", where: path, db: db, store: sqlite.NewStore(db),
			migrate: func(ctx context.Context, up bool) ([]string, error) {
				dir := sqlite.Up
				if !up {
					dir = sqlite.Down
				}
				return sqlite.Migrate(ctx, db, dir)
			},
			status: func(ctx context.Context) (string, []string, []string, error) {
				st, err := sqlite.MigrationStatus(ctx, db)
				return st.Version, st.Applied, st.Pending, err
			},
		}, nil
	case errors.Is(err, sqlite.ErrNotSQLite):
		stmt, lock := serverTimeouts(requestTimeout)
		db, err := postgres.Open(url, postgres.WithApplicationName("scrapersky"),
			postgres.WithStatementTimeout(stmt), postgres.WithLockTimeout(lock))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return &database{
			kind: "postgres", where: redact(url), db: db, store: postgres.NewStore(db),
			migrate: func(ctx context.Context, up bool) ([]string, error) {
				dir := postgres.Up
				if !up {
					dir = postgres.Down
				}
				return postgres.Migrate(ctx, db, dir)
			},
			status: func(ctx context.Context) (string, []string, []string, error) {
				st, err := postgres.MigrationStatus(ctx, db)
				return st.Version, st.Applied, st.Pending, err
			},
		}, nil
	default:
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
}

// serverTimeouts derives statement_timeout and lock_timeout from the
// request deadline: the server gives up on a statement (and its locks)
// before the request's deadline passes, so the API answers 503 and no
// backend lingers holding row locks. pgdriver closes its socket at the
// deadline but sends no cancel. A lock wait is cut earlier than a statement
// so that the log names it (SQLSTATE 55P03).
func serverTimeouts(requestTimeout time.Duration) (statement, lock time.Duration) {
	if requestTimeout <= 0 {
		return 0, 0
	}
	return requestTimeout * 9 / 10, requestTimeout * 3 / 4
}

// openStore opens the configured database, checks it answers and, when
// asked, migrates it (on a pool of its own, without the statement
// timeouts that bound requests: building an index may take longer).
func openStore(ctx context.Context, c config, log *slog.Logger) (*database, error) {
	if c.MigrateOnStart {
		if err := migrateOnStart(ctx, c, log); err != nil {
			return nil, err
		}
	}
	d, err := openDatabase(c.DatabaseURL, c.RequestTimeout)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.store.Ping(pingCtx); err != nil {
		_ = d.db.Close()
		return nil, fmt.Errorf("database unreachable: %w", err)
	}
	log.Info("database open", "store", d.kind, "where", d.where)
	return d, nil
}

func migrateOnStart(ctx context.Context, c config, log *slog.Logger) error {
	d, err := openDatabase(c.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer d.db.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.store.Ping(pingCtx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	applied, err := d.migrate(ctx, true)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	return nil
}
