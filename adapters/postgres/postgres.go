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
	"strconv"
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
	params   map[string]any
}

// WithStatementTimeout sets statement_timeout on every connection: the
// server cancels a statement that runs longer, so that the statement
// behind a request whose deadline passed does not run on holding its
// locks (pgdriver closes the socket at the deadline but sends no cancel).
// Set it below the request deadline; 0 leaves the server's setting.
func WithStatementTimeout(d time.Duration) Option {
	return func(c *config) { c.setParam("statement_timeout", d) }
}

// WithLockTimeout sets lock_timeout on every connection: a statement that
// waits longer for a row lock fails (SQLSTATE 55P03). 0 leaves the server's
// setting.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) { c.setParam("lock_timeout", d) }
}

func (c *config) setParam(name string, d time.Duration) {
	if c.params == nil {
		c.params = map[string]any{}
	}
	if d <= 0 {
		delete(c.params, name)
		return
	}
	c.params[name] = strconv.FormatInt(max(d.Milliseconds(), 1), 10) // milliseconds
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
	pc, poolSize, err := newConnector(dsn, opts...)
	if err != nil {
		return nil, err
	}
	sqldb := sql.OpenDB(&connector{pg: pc})
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
			pgdriver.WithResetSessionFunc(checkAlive),
			pgdriver.WithDSN(dsn),
		},
		poolSize: max(4*runtime.GOMAXPROCS(0), 8),
	}
	for _, o := range opts {
		o(&c)
	}
	pc := pgdriver.NewConnector(c.driver...)
	if len(c.params) > 0 {
		conf := pc.Config()
		if conf.ConnParams == nil {
			conf.ConnParams = map[string]any{}
		}
		for k, v := range c.params {
			conf.ConnParams[k] = v
		}
	}
	return pc, max(c.poolSize, minPoolSize), nil
}
