// Package postgres implements the core ports on PostgreSQL through Bun
// (pgdialect and pgdriver): the curation unit of work and its set-based
// repository, domain submission and lookup, and the schema migrations from
// package migrations.
//
// Every repository operation is one SQL statement for the whole batch,
// never a round trip per domain. Rows are locked in ID order before they are
// updated, so concurrent overlapping batches queue behind each other instead
// of deadlocking.
package postgres

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Default connection settings; the DSN and Options override them.
const (
	// DefaultReadTimeout bounds the wait for the server's answer to one
	// statement. pgdriver's own default is 10 s, too short for a
	// 10,000-row update that queues behind another batch's row locks.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds sending one statement; a 10,000-ID batch
	// is about 400 kB of SQL.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultDialTimeout bounds opening one connection.
	DefaultDialTimeout = 5 * time.Second
)

// minPoolSize keeps Migrate working: it holds one connection for the
// advisory lock while the migrator runs statements on another.
const minPoolSize = 2

// Option configures Open.
type Option func(*config)

type config struct {
	driver   []pgdriver.Option
	poolSize int
}

// WithReadTimeout sets how long a connection waits for the server's answer
// to one statement; 0 waits without limit (the context's deadline still
// applies).
func WithReadTimeout(d time.Duration) Option {
	return func(c *config) { c.driver = append(c.driver, pgdriver.WithReadTimeout(d)) }
}

// WithWriteTimeout sets how long a connection may take to send one
// statement.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) { c.driver = append(c.driver, pgdriver.WithWriteTimeout(d)) }
}

// WithDialTimeout sets how long opening a connection may take.
func WithDialTimeout(d time.Duration) Option {
	return func(c *config) { c.driver = append(c.driver, pgdriver.WithDialTimeout(d)) }
}

// WithApplicationName sets application_name, which pg_stat_activity shows.
func WithApplicationName(name string) Option {
	return func(c *config) { c.driver = append(c.driver, pgdriver.WithApplicationName(name)) }
}

// WithPoolSize sets the most open (and idle) connections in the pool. Values
// below 2 are raised to 2.
func WithPoolSize(n int) Option {
	return func(c *config) { c.poolSize = n }
}

// Open returns a pool of connections to the database at dsn, a URL such as
// postgres://user:pass@host:5432/db?sslmode=disable. Settings in the DSN
// (read_timeout, write_timeout, dial_timeout, application_name) override the
// defaults; options override both. Open does not connect: call Store.Ping or
// db.PingContext to check the server.
func Open(dsn string, opts ...Option) (*bun.DB, error) {
	connector, poolSize, err := newConnector(dsn, opts...)
	if err != nil {
		return nil, err
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(poolSize)
	sqldb.SetMaxIdleConns(poolSize)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// newConnector applies the defaults, then the DSN, then opts.
func newConnector(dsn string, opts ...Option) (*pgdriver.Connector, int, error) {
	// pgdriver.WithDSN panics on a malformed DSN; the driver's own parser
	// reports the same problems as an error, so validate with it first.
	if _, err := pgdriver.NewDriver().OpenConnector(dsn); err != nil {
		// A *url.Error quotes the whole URL, password included: keep only
		// the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	c := config{
		driver: []pgdriver.Option{
			pgdriver.WithReadTimeout(DefaultReadTimeout),
			pgdriver.WithWriteTimeout(DefaultWriteTimeout),
			pgdriver.WithDialTimeout(DefaultDialTimeout),
			pgdriver.WithApplicationName("scrapersky"),
			pgdriver.WithDSN(dsn),
		},
		poolSize: max(4*runtime.GOMAXPROCS(0), 8),
	}
	for _, o := range opts {
		o(&c)
	}
	return pgdriver.NewConnector(c.driver...), max(c.poolSize, minPoolSize), nil
}
