// Package sqlitetest gives tests a fresh, fully migrated SQLite database
// file of their own, in the test's temporary directory, so that tests need
// no cleanup and can run in parallel.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
)

// setupTimeout bounds migrating one database.
const setupTimeout = 30 * time.Second

// NewDB returns a connection pool to a fresh, fully migrated database file
// that is closed when t ends and removed with t's temporary directory.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	return Open(t, Path(t))
}

// Path creates a fresh, fully migrated database file in t's temporary
// directory and returns its path, for tests that open and close it
// themselves.
func Path(t testing.TB) string {
	t.Helper()
	path := EmptyPath(t)
	db := Open(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if _, err := sqlite.Migrate(ctx, db, sqlite.Up); err != nil {
		t.Fatalf("sqlitetest: migrate %s: %v", path, err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("sqlitetest: close %s: %v", path, err)
	}
	return path
}

// EmptyPath returns the path of a database file that does not exist yet,
// in t's temporary directory. Migration tests start from it.
func EmptyPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "scrapersky.db")
}

// Open opens the file at path with the adapter's settings and closes the
// pool when t ends.
func Open(t testing.TB, path string) *bun.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("sqlitetest: open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
