package pgtest_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
)

func TestNewDBIsMigratedAndDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	var leaked *bun.DB
	t.Run("owner", func(t *testing.T) {
		db := pgtest.NewDB(t)
		require.NoError(t, db.NewRaw("SELECT current_database()").Scan(ctx, &name))
		require.True(t, strings.HasPrefix(name, "scrapersky_test_"), name)
		st, err := postgres.MigrationStatus(ctx, db)
		require.NoError(t, err)
		require.Empty(t, st.Pending)
		require.NotEmpty(t, st.Version)

		// A session the test forgets to close must not block the drop.
		u, err := url.Parse(pgtest.AdminURL())
		require.NoError(t, err)
		u.Path = "/" + name
		leaked, err = postgres.Open(u.String())
		require.NoError(t, err)
		require.NoError(t, leaked.PingContext(ctx))
	})
	var exists bool
	admin := pgtest.Open(t, pgtest.AdminURL())
	require.NoError(t, admin.NewRaw("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(ctx, &exists))
	require.False(t, exists, "%s is dropped when its test ends", name)
	require.Error(t, leaked.PingContext(ctx), "the leaked session was ended")
	require.NoError(t, leaked.Close())
}

// recorder is a testing.TB that records how a helper gave up. Fatalf and
// Skip stop the helper the way the real ones do, by leaving its goroutine's
// current call; here a panic that run recovers.
type recorder struct {
	testing.TB
	fatal    string
	skipped  string
	cleanups []func()
}

type stopped struct{}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); panic(stopped{}) }
func (r *recorder) Fatalf(f string, args ...any) {
	r.fatal = fmt.Sprintf(f, args...)
	panic(stopped{})
}

func (r *recorder) run(fn func(testing.TB)) {
	defer func() {
		for i := len(r.cleanups) - 1; i >= 0; i-- {
			r.cleanups[i]()
		}
		if p := recover(); p != nil {
			if _, ok := p.(stopped); !ok {
				panic(p)
			}
		}
	}()
	fn(r)
}

// These tests change the environment, so they cannot run in parallel.

func TestUnreachableServerFailsWithAdvice(t *testing.T) {
	// Nothing listens on port 1 of the loopback address.
	t.Setenv("SCRAPERSKY_TEST_DATABASE_URL", "postgres://postgres:hunter2@127.0.0.1:1/postgres?sslmode=disable")
	t.Setenv("SCRAPERSKY_SKIP_POSTGRES", "")
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { pgtest.NewDB(tb) })
	require.Empty(t, r.skipped)
	require.Contains(t, r.fatal, "does not answer at postgres://postgres:xxxxx@127.0.0.1:1/postgres")
	require.Contains(t, r.fatal, "make postgres")
	require.Contains(t, r.fatal, "SCRAPERSKY_SKIP_POSTGRES=1")
	require.NotContains(t, r.fatal, "hunter2")
}

func TestSkipWhenAsked(t *testing.T) {
	t.Setenv("SCRAPERSKY_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable")
	t.Setenv("SCRAPERSKY_SKIP_POSTGRES", "1")
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { pgtest.NewDB(tb) })
	require.Empty(t, r.fatal)
	require.Contains(t, r.skipped, "SCRAPERSKY_SKIP_POSTGRES=1")
}
