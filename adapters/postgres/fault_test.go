package postgres_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
)

func TestServerSideTimeoutsAreSetOnEveryConnection(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(pgtest.DSN(t), postgres.WithStatementTimeout(1500*time.Millisecond), postgres.WithLockTimeout(time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var st, lt string
	require.NoError(t, db.QueryRowContext(context.Background(), "SHOW statement_timeout").Scan(&st))
	require.NoError(t, db.QueryRowContext(context.Background(), "SHOW lock_timeout").Scan(&lt))
	require.Equal(t, "1500ms", st)
	require.Equal(t, "1s", lt)
}

// The errors that pass wrap core.ErrUnavailable; the others do not.
func TestServerErrorsAreClassified(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(pgtest.DSN(t), postgres.WithStatementTimeout(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	raise := func(code string) error {
		_, err := db.ExecContext(ctx, "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '"+code+"'; END $$")
		return err
	}
	for _, code := range []string{"40001", "40P01", "57P01", "08006", "53300", "55P03"} {
		require.ErrorIs(t, raise(code), core.ErrUnavailable, code)
	}
	for _, code := range []string{"23505", "22P02", "42601"} {
		err := raise(code)
		require.Error(t, err)
		require.NotErrorIs(t, err, core.ErrUnavailable, code)
	}
	_, err = db.ExecContext(ctx, "SELECT pg_sleep(1)")
	require.ErrorIs(t, err, core.ErrUnavailable, "statement timeout")
}

func TestRefusedConnectionIsUnavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nobody listens there now
	db, err := postgres.Open("postgres://postgres@" + addr + "/x?sslmode=disable")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	err = db.PingContext(context.Background())
	require.ErrorIs(t, err, core.ErrUnavailable)
}

// After the server ends every session (as a restart does), the pool's idle
// connections are dead. Each is found out before reuse, so no statement
// fails.
func TestDeadPooledConnectionsAreNotReused(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db, err := postgres.Open(dsn, postgres.WithPoolSize(6), postgres.WithApplicationName("scrapersky-deadconn"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	warm(t, db, 6)

	admin := pgtest.Open(t, pgtest.AdminURL())
	var dbName string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT current_database()").Scan(&dbName))
	var ended int
	require.NoError(t, admin.QueryRowContext(ctx,
		`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE datname = ? AND application_name = 'scrapersky-deadconn') t`, dbName).Scan(&ended))
	require.Positive(t, ended)
	time.Sleep(100 * time.Millisecond) // let the goodbyes arrive

	for i := range 12 {
		var one int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT 1").Scan(&one), "query %d after the sessions ended", i)
	}
}

// warm opens n connections at once and returns them to the pool.
func warm(t *testing.T, db *bun.DB, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ExecContext(context.Background(), "SELECT pg_sleep(0.05)")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// Prepared statements go through the same classification.
func TestPreparedStatementsAreClassified(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(pgtest.DSN(t), postgres.WithStatementTimeout(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	st, err := db.PrepareContext(ctx, "SELECT pg_sleep($1)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.ExecContext(ctx, 1)
	require.ErrorIs(t, err, core.ErrUnavailable)
	rows, err := st.QueryContext(ctx, 0)
	require.NoError(t, err)
	require.NoError(t, rows.Close())
}

// With every pooled connection busy, a statement waits for one until its
// context ends; the HTTP adapter answers that deadline with a 503.
func TestExhaustedPoolEndsAtTheDeadline(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(pgtest.DSN(t), postgres.WithPoolSize(2))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	for range 2 {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback() })
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = db.ExecContext(short, "SELECT 1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
