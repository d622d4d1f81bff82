// Package pgtest gives tests a fresh PostgreSQL database of their own: it
// creates scrapersky_test_<random> through an admin connection, migrates it
// and drops it when the test ends. Tests therefore need no cleanup and can
// run in parallel.
//
// The admin URL comes from SCRAPERSKY_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). A test that
// cannot reach the server fails, saying how to start it; it is skipped only
// when SCRAPERSKY_SKIP_POSTGRES=1.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
)

// DefaultAdminURL is the admin connection used when
// SCRAPERSKY_TEST_DATABASE_URL is unset: the local server with trust
// authentication that `make postgres` sets up.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds creating, migrating and dropping one database.
const setupTimeout = 30 * time.Second

// AdminURL returns the URL tests create their databases through.
func AdminURL() string {
	if u := os.Getenv("SCRAPERSKY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// NewDB returns a connection pool to a fresh, fully migrated database that
// is dropped when t ends.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	return Open(t, DSN(t))
}

// DSN creates a fresh, fully migrated database that is dropped when t ends,
// and returns its URL, for tests that open their own connections.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := EmptyDSN(t)
	db := Open(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if _, err := postgres.Migrate(ctx, db, postgres.Up); err != nil {
		t.Fatalf("pgtest: migrate the test database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("pgtest: close: %v", err)
	}
	return dsn
}

// EmptyDSN creates a fresh database without any migration applied, dropped
// when t ends, and returns its URL. Migration tests start from it.
func EmptyDSN(t testing.TB) string {
	t.Helper()
	if os.Getenv("SCRAPERSKY_SKIP_POSTGRES") == "1" {
		t.Skip("pgtest: SCRAPERSKY_SKIP_POSTGRES=1, skipping a test that needs PostgreSQL")
	}
	admin := AdminURL()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: SCRAPERSKY_TEST_DATABASE_URL is not a URL: %v", err)
	}
	adminDB := Open(t, admin)

	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := adminDB.PingContext(ctx); err != nil {
		t.Fatalf("pgtest: PostgreSQL does not answer at %s: %v\n"+
			"Start it with `make postgres` (`make test` starts it for you), point "+
			"SCRAPERSKY_TEST_DATABASE_URL at another server, or set "+
			"SCRAPERSKY_SKIP_POSTGRES=1 to skip the tests that need it.", u.Redacted(), err)
	}

	name := "scrapersky_test_" + randomSuffix(t)
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE ?", bun.Ident(name)); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends the sessions a test left open, which would otherwise
		// make the drop fail.
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if _, err := adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})

	u.Path = "/" + name
	return u.String()
}

// Open opens dsn with the adapter's settings and closes the pool when t
// ends.
func Open(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db, err := postgres.Open(dsn, postgres.WithPoolSize(10), postgres.WithApplicationName("scrapersky-test"))
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
