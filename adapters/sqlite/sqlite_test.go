package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw     string
		want    string
		wantErr error
	}{
		{"", sqlite.DefaultPath, nil},
		{"   ", sqlite.DefaultPath, nil},
		{"sqlite://./data/x.db", "./data/x.db", nil},
		{"sqlite:///var/lib/scrapersky.db", "/var/lib/scrapersky.db", nil},
		{"sqlite://x.db", "x.db", nil},
		{"SQLite://X.db", "X.db", nil},
		{"sqlite:x.db", "x.db", nil},
		{"sqlite3:///tmp/x.db", "/tmp/x.db", nil},
		{"sqlite3:x.db", "x.db", nil},
		{"file:x.db", "x.db", nil},
		{"file:///tmp/x.db", "/tmp/x.db", nil},
		{"./x.db", "./x.db", nil},
		{"/var/lib/x.db", "/var/lib/x.db", nil},
		{"data/my db#1%.db", "data/my db#1%.db", nil},
		{"postgres://postgres@127.0.0.1:5432/scrapersky?sslmode=disable", "", sqlite.ErrNotSQLite},
		{"postgresql://u@h/db", "", sqlite.ErrNotSQLite},
		{"mysql:x", "", sqlite.ErrNotSQLite},
		{"sqlite://", "", sqlite.ErrInvalidURL},
		{"sqlite:", "", sqlite.ErrInvalidURL},
		{"sqlite://x.db?_pragma=foreign_keys(0)", "", sqlite.ErrInvalidURL},
		{"sqlite://:memory:", "", sqlite.ErrInvalidURL},
		{"file::memory:", "", sqlite.ErrInvalidURL},
		{":memory:", "", sqlite.ErrInvalidURL},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			t.Parallel()
			got, err := sqlite.ParseURL(c.raw)
			if c.wantErr != nil {
				require.ErrorIs(t, err, c.wantErr)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

// TestOpenSettings checks the pragmas on several connections of one pool
// at once: each connection the pool opens must carry them, not only the
// first.
func TestOpenSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	const conns = 3
	held := make([]bun.Conn, conns)
	for i := range held {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		held[i] = c
	}
	for i, c := range held {
		var mode string
		var busy, fk, sync int
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
		require.Equal(t, "wal", mode, "conn %d", i)
		require.Equal(t, int(sqlite.BusyTimeout.Milliseconds()), busy, "conn %d", i)
		require.Equal(t, 1, fk, "conn %d", i)
		require.Equal(t, 1, sync, "conn %d: NORMAL", i)
	}
	for _, c := range held {
		require.NoError(t, c.Close())
	}
	require.GreaterOrEqual(t, db.Stats().MaxOpenConnections, 4, "readers run in parallel")

	_, err := sqlite.Open("")
	require.ErrorIs(t, err, sqlite.ErrInvalidURL)
}

// TestOpenOddPath opens a file whose name holds the characters a file: URI
// gives a meaning to: the file on disk has exactly that name.
func TestOpenOddPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "my db?#1%20.db")
	db := sqlitetest.Open(t, path)
	_, err := sqlite.Migrate(ctx, db, sqlite.Up)
	require.NoError(t, err)
	require.NoError(t, sqlite.NewStore(db).Ping(ctx))
	_, err = os.Stat(path)
	require.NoError(t, err, "the file has the name asked for")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.Contains(t, e.Name(), "my db?#1%20.db", "no file under a decoded name")
	}
}

// TestTimesRoundTrip stores times in other zones and with nanoseconds: they
// come back in UTC, truncated to the microsecond, as from PostgreSQL.
func TestTimesRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	cases := []struct {
		name string
		at   time.Time
	}{
		{"utc whole second", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"utc microseconds", time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)},
		{"nanoseconds truncated", time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC)},
		{"trailing zeros", time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC)},
		{"east of utc", time.Date(2026, 6, 1, 0, 30, 0, 1000, time.FixedZone("x", 5*3600+1800))},
		{"west of utc, across a date", time.Date(2026, 12, 31, 22, 0, 0, 0, time.FixedZone("y", -8*3600))},
		{"local clock", time.Now()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := core.NewDomain(uuid.NewString()+".example.org", c.at)
			storetest.Seed(t, s, d)
			got, err := s.GetDomain(ctx, d.ID)
			require.NoError(t, err)
			want := c.at.Truncate(time.Microsecond).UTC()
			require.Equal(t, want, got.CreatedAt, "equal, location included")
			require.Equal(t, want, got.UpdatedAt)
		})
	}
}

// TestStoredTimesSortAsText checks what the queue relies on: the text Bun
// writes for a time sorts in time order, whatever the number of fraction
// digits it keeps.
func TestStoredTimesSortAsText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	s := sqlite.NewStore(db)
	base := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	offsets := []time.Duration{
		0, 5 * time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond, 123456 * time.Microsecond,
		time.Microsecond, 999999 * time.Microsecond, time.Second, time.Second + 100*time.Millisecond,
		-time.Microsecond, 10 * time.Second, time.Hour, 24 * time.Hour, 365 * 24 * time.Hour,
	}
	want := make([]uuid.UUID, len(offsets))
	ds := make([]core.Domain, len(offsets))
	for i, off := range offsets {
		ds[i] = core.NewDomain(uuid.NewString()+".example.org", base.Add(off))
		want[i] = ds[i].ID
	}
	storetest.Seed(t, s, ds...)
	slices.SortFunc(want, func(a, b uuid.UUID) int {
		ia := slices.IndexFunc(ds, func(d core.Domain) bool { return d.ID == a })
		ib := slices.IndexFunc(ds, func(d core.Domain) bool { return d.ID == b })
		return ds[ia].UpdatedAt.Compare(ds[ib].UpdatedAt)
	})
	var got []uuid.UUID
	require.NoError(t, db.NewRaw("SELECT id FROM domains ORDER BY updated_at").Scan(ctx, &got))
	require.Equal(t, want, got)

	var typ string
	require.NoError(t, db.NewRaw("SELECT typeof(updated_at) FROM domains LIMIT 1").Scan(ctx, &typ))
	require.Equal(t, "text", typ)
}

// TestReopenKeepsState writes through every kind of statement, closes the
// pool and opens the file again: everything is there.
func TestReopenKeepsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := sqlitetest.Path(t)
	db, err := sqlite.Open(path)
	require.NoError(t, err)
	s := sqlite.NewStore(db)
	ids := storetest.QueueDomains(t, s, core.EmailScan, "reopen", 3)
	now := time.Now().UTC().Truncate(time.Microsecond)
	jobs, err := s.Claim(ctx, core.EmailScan, 2, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	require.NoError(t, s.FinishScan(ctx, jobs[0], outcome(jobs[0], now, "a@reopen.example.org")))
	require.NoError(t, s.Fail(ctx, core.EmailScan, jobs[1], queue.Failure{Public: "robots.txt disallows /"}, now))
	before := map[uuid.UUID]core.Domain{}
	for _, id := range ids {
		before[id], err = s.GetDomain(ctx, id)
		require.NoError(t, err)
	}
	contacts, err := s.Contacts(ctx, jobs[0].DomainID)
	require.NoError(t, err)
	require.Len(t, contacts, 1)
	require.NoError(t, db.Close())
	require.ErrorContains(t, s.Ping(ctx), "ping sqlite", "a closed pool fails")

	// Closing the last connection checkpoints the log into the file.
	_, err = os.Stat(path + "-wal")
	require.True(t, errors.Is(err, os.ErrNotExist), "no write-ahead log left: %v", err)

	db2 := sqlitetest.Open(t, path)
	s2 := sqlite.NewStore(db2)
	require.NoError(t, s2.Ping(ctx))
	st, err := sqlite.MigrationStatus(ctx, db2)
	require.NoError(t, err)
	require.Empty(t, st.Pending)
	for _, id := range ids {
		d, err := s2.GetDomain(ctx, id)
		require.NoError(t, err)
		require.Equal(t, before[id], d)
	}
	again, err := s2.Contacts(ctx, jobs[0].DomainID)
	require.NoError(t, err)
	require.Equal(t, contacts, again)
	// The queue goes on where it stopped: the third domain is still queued.
	rest, err := s2.Claim(ctx, core.EmailScan, 5, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, rest, 1)
	require.NotContains(t, []uuid.UUID{jobs[0].DomainID, jobs[1].DomainID}, rest[0].DomainID)
}

// sqliteCode returns the extended result code of an SQLite error, 0 for
// others.
func sqliteCode(err error) int {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// Extended result codes of constraint failures.
const (
	checkFailed   = sqlitelib.SQLITE_CONSTRAINT_CHECK
	notNull       = sqlitelib.SQLITE_CONSTRAINT_NOTNULL
	uniqueFailed  = sqlitelib.SQLITE_CONSTRAINT_UNIQUE
	foreignKey    = sqlitelib.SQLITE_CONSTRAINT_FOREIGNKEY
	typeMismatch  = sqlitelib.SQLITE_CONSTRAINT_DATATYPE
	primaryKeyDup = sqlitelib.SQLITE_CONSTRAINT_PRIMARYKEY
)

// parallelDo runs fn n times at once and returns the errors.
func parallelDo(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errs
}
