package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/scrapersky/scrapersky-go/core"
)

// transientStates are the SQLSTATEs of failures that pass: the server is
// going away or not accepting connections yet, a statement or lock timeout
// fired, the transaction lost a serialization or deadlock race, or the
// server has no connection slot left. Class 08 (connection exception) is
// matched as a class.
var transientStates = map[string]bool{
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now
	"57014": true, // query_canceled (statement_timeout)
	"55P03": true, // lock_not_available (lock_timeout)
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"53300": true, // too_many_connections
}

// classify wraps err with core.ErrUnavailable when it says the database is
// unreachable or refused a statement for a passing reason, so that core
// retries and the HTTP adapter answers 503 without knowing the driver. The
// errors database/sql acts on itself (driver.ErrBadConn, driver.ErrSkip)
// and context errors pass unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, driver.ErrBadConn) || errors.Is(err, driver.ErrSkip) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, core.ErrUnavailable) {
		return err
	}
	if transient(err) {
		return fmt.Errorf("%w: %w", core.ErrUnavailable, err)
	}
	return err
}

// transient reports whether err is a connection failure or a server error
// in transientStates.
func transient(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		code := pgErr.Field('C')
		return transientStates[code] || len(code) == 5 && code[:2] == "08"
	}
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &opErr):
		return true // dialing, reading or writing the socket failed
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	}
	return false
}

// connector wraps pgdriver's connector so that every error a connection
// returns is classified in one place.
type connector struct {
	pg *pgdriver.Connector
}

var _ driver.Connector = (*connector)(nil)

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.pg.Connect(ctx)
	if err != nil {
		return nil, classify(err)
	}
	return &conn{cn: cn.(*pgdriver.Conn)}, nil
}

func (c *connector) Driver() driver.Driver { return c.pg.Driver() }

// conn classifies the errors of a pgdriver connection.
type conn struct {
	cn *pgdriver.Conn
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.cn.PrepareContext(ctx, query)
	if err != nil {
		return nil, classify(err)
	}
	return &stmt{st: st}, nil
}

func (c *conn) Close() error { return c.cn.Close() }

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.cn.BeginTx(ctx, opts)
	if err != nil {
		return nil, classify(err)
	}
	return &txn{tx: tx}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.cn.ExecContext(ctx, query, args)
	return res, classify(err)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rs, err := c.cn.QueryContext(ctx, query, args)
	if err != nil {
		return nil, classify(err)
	}
	return &rows{rs: rs}, nil
}

func (c *conn) Ping(ctx context.Context) error { return classify(c.cn.Ping(ctx)) }

func (c *conn) IsValid() bool { return c.cn.IsValid() }

func (c *conn) ResetSession(ctx context.Context) error { return c.cn.ResetSession(ctx) }

type stmt struct {
	st driver.Stmt
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) Close() error  { return s.st.Close() }
func (s *stmt) NumInput() int { return s.st.NumInput() }

// Exec and Query complete driver.Stmt; database/sql calls the context
// variants, which pgdriver's statements implement.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := s.st.(driver.StmtExecContext)
	if !ok {
		return nil, errors.New("postgres: statement cannot execute with a context")
	}
	res, err := ec.ExecContext(ctx, args)
	return res, classify(err)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := s.st.(driver.StmtQueryContext)
	if !ok {
		return nil, errors.New("postgres: statement cannot query with a context")
	}
	rs, err := qc.QueryContext(ctx, args)
	if err != nil {
		return nil, classify(err)
	}
	return &rows{rs: rs}, nil
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

type txn struct {
	tx driver.Tx
}

func (t *txn) Commit() error   { return classify(t.tx.Commit()) }
func (t *txn) Rollback() error { return classify(t.tx.Rollback()) }

type rows struct {
	rs driver.Rows
}

func (r *rows) Columns() []string { return r.rs.Columns() }
func (r *rows) Close() error      { return classify(r.rs.Close()) }

func (r *rows) Next(dest []driver.Value) error {
	err := r.rs.Next(dest)
	if errors.Is(err, io.EOF) {
		return err // the end of the rows, not of the connection
	}
	return classify(err)
}
