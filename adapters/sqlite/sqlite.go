// Package sqlite implements the core ports on an embedded SQLite file
// through Bun (sqlitedialect) and the pure-Go driver modernc.org/sqlite, so
// that the service runs without a database server: the curation unit of
// work and its set-based repository, domain submission and lookup, the work
// queue, the email scan's and the sitemap analysis's results, the listings
// and contact export of the curation UI, and the schema migrations from
// package migrations. It passes the same contract suites as the memory and
// PostgreSQL stores.
//
// SQLite lets one connection write at a time. The file is opened in WAL
// mode, so readers never wait for the writer nor the writer for readers,
// and every write of a Store goes through one in-process writer slot (see
// Store), so concurrent workers and HTTP requests queue in Go, in order,
// instead of polling SQLite's lock and failing with "database is locked".
// Write transactions begin IMMEDIATE: they take the write lock up front,
// and the busy timeout covers the writers of other processes.
package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	// The pure-Go driver registers itself as "sqlite"; no cgo.
	_ "modernc.org/sqlite"
)

// DefaultPath is the database file used when DATABASE_URL is unset.
const DefaultPath = "./scrapersky.db"

// BusyTimeout is how long a connection waits for another process's write
// lock before failing with SQLITE_BUSY. Writers of one Store never wait on
// it: they queue for the Store's writer slot instead.
const BusyTimeout = 5 * time.Second

// ErrNotSQLite means a database URL names another engine (postgres://...):
// the caller should try the next one.
var ErrNotSQLite = errors.New("not an sqlite URL")

// ErrInvalidURL means a URL names SQLite but cannot be used.
var ErrInvalidURL = errors.New("invalid sqlite URL")

// urlPrefixes are the accepted spellings of an SQLite URL, compared
// case-insensitively; whatever follows the prefix is the path.
var urlPrefixes = []string{"sqlite://", "sqlite3://", "file://", "sqlite:", "sqlite3:", "file:"}

// ParseURL returns the database file a DATABASE_URL names:
//
//   - "" is DefaultPath;
//   - "sqlite://PATH", "sqlite:PATH", "file://PATH" and "file:PATH" (and
//     sqlite3 for sqlite, any case) are PATH, taken literally: no
//     percent-decoding, so "sqlite:///var/lib/x.db" is the absolute
//     /var/lib/x.db and "sqlite://data/x.db" the relative data/x.db;
//   - a bare path without a scheme ("./x.db", "/var/lib/x.db") is itself.
//
// Any other scheme ("postgres://...") is an error wrapping ErrNotSQLite.
// An empty path, a query string (Open sets the pragmas itself) and
// ":memory:" (every pooled connection would get a private database of its
// own) are errors wrapping ErrInvalidURL.
func ParseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultPath, nil
	}
	path, matched := raw, false
	for _, p := range urlPrefixes {
		if len(raw) >= len(p) && strings.EqualFold(raw[:len(p)], p) {
			path, matched = raw[len(p):], true
			break
		}
	}
	if !matched && hasScheme(raw) {
		scheme, _, _ := strings.Cut(raw, ":")
		return "", fmt.Errorf("%w: scheme %q", ErrNotSQLite, scheme)
	}
	switch {
	case path == "":
		return "", fmt.Errorf("%w: no file path in %q", ErrInvalidURL, raw)
	case strings.Contains(path, "?"):
		return "", fmt.Errorf("%w: query parameters are not supported (the pragmas are fixed): %q", ErrInvalidURL, raw)
	case path == ":memory:":
		return "", fmt.Errorf("%w: in-memory databases are not supported, each pooled connection would see its own", ErrInvalidURL)
	}
	return path, nil
}

// hasScheme reports whether s starts with a URL scheme and a colon
// (RFC 3986: a letter, then letters, digits, "+", "-" or ".").
func hasScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		case i > 0 && r == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// pragmas are set on every connection the pool opens. modernc.org/sqlite
// runs busy_timeout first, so the others already wait for a lock.
//
//   - journal_mode(WAL): readers and the one writer do not block each other.
//   - synchronous(NORMAL): in WAL mode a commit survives a crash of the
//     process; only a power loss can lose the last commits, never corrupt
//     the file.
//   - foreign_keys(1): SQLite enforces foreign keys per connection, and
//     only when asked.
var pragmas = []string{
	fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()),
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
	"foreign_keys(1)",
}

// dsn returns the driver's data source name for the file at path. The path
// is a file: URI, which SQLite percent-decodes, so "%", "?" and "#" in it
// are escaped. _txlock=immediate makes every read-write transaction BEGIN
// IMMEDIATE: it takes the write lock when it starts rather than when it
// first writes, where an upgrade could fail at once with SQLITE_BUSY
// whatever the busy timeout.
func dsn(path string) string {
	q := url.Values{"_pragma": pragmas, "_txlock": {"immediate"}}
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.Clean(path))
	return "file:" + escaped + "?" + q.Encode()
}

// poolSize is the most open connections: in WAL mode readers run in
// parallel, one per connection, while writes take turns in the Store's
// writer slot and so use one connection at a time.
func poolSize() int { return max(4, runtime.GOMAXPROCS(0)) }

// Open returns a pool of connections to the SQLite file at path, creating
// the file if it does not exist (its directory must). Every connection
// runs in WAL mode with a busy timeout of BusyTimeout, synchronous=NORMAL
// and foreign keys on; read-write transactions begin IMMEDIATE. Open does
// not touch the file: Store.Ping or Migrate does. Close the pool when done,
// which also checkpoints the write-ahead log into the file.
func Open(path string) (*bun.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: open: %w: empty path", ErrInvalidURL)
	}
	sqldb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := poolSize()
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	// Connections are cheap to keep and cost a file open and four pragmas
	// to make; idle ones still go eventually.
	sqldb.SetConnMaxIdleTime(10 * time.Minute)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}
