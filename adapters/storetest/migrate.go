package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
)

// Migrations is what RunMigrate needs from a SQL adapter: its migration
// functions and how to reach a database with and without its schema.
type Migrations struct {
	// All lists the embedded migrations as Migrate reports them, oldest
	// first.
	All []string
	// Newest is the version of the newest embedded migration.
	Newest string
	// Migrate is the adapter's Migrate.
	Migrate func(ctx context.Context, db *bun.DB, dir bunstore.Direction) ([]string, error)
	// Status is the adapter's MigrationStatus.
	Status func(ctx context.Context, db *bun.DB) (bunstore.SchemaStatus, error)
	// Empty returns the address of a new database without any schema.
	Empty func(t *testing.T) string
	// Open opens a pool of its own on the database at addr.
	Open func(t *testing.T, addr string) *bun.DB
	// Migrated returns a new database with every migration applied.
	Migrated func(t *testing.T) *bun.DB
	// TableExists reports whether the schema holds the table name.
	TableExists func(t *testing.T, db *bun.DB, name string) bool
}

// RunMigrate runs the migration cases both SQL stores share: all the way
// up, down one step at a time and up again; concurrent callers; and a
// database a newer build migrated.
func RunMigrate(t *testing.T, m Migrations) {
	t.Run("UpDownUp", func(t *testing.T) { t.Parallel(); testMigrateUpDownUp(t, m) })
	t.Run("ConcurrentCallersTakeTurns", func(t *testing.T) { t.Parallel(); testMigrateConcurrent(t, m) })
	t.Run("UnknownAppliedMigration", func(t *testing.T) { t.Parallel(); testMigrateUnknownApplied(t, m) })
}

func testMigrateUpDownUp(t *testing.T, m Migrations) {
	ctx := context.Background()
	db := m.Open(t, m.Empty(t))
	all := m.All

	st, err := m.Status(ctx, db)
	require.NoError(t, err)
	require.Equal(t, bunstore.SchemaStatus{Version: "", Applied: []string{}, Pending: all}, st)

	ran, err := m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	require.Equal(t, all, ran)
	require.True(t, m.TableExists(t, db, "domains"))

	st, err = m.Status(ctx, db)
	require.NoError(t, err)
	require.Equal(t, bunstore.SchemaStatus{Version: m.Newest, Applied: all, Pending: []string{}}, st)

	ran, err = m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	require.Empty(t, ran, "nothing left to apply")

	// Down goes one migration at a time, newest first, until none is left.
	for i := len(all) - 1; i >= 0; i-- {
		ran, err = m.Migrate(ctx, db, bunstore.Down)
		require.NoError(t, err)
		require.Equal(t, []string{all[i]}, ran)
		st, err = m.Status(ctx, db)
		require.NoError(t, err)
		require.Equal(t, all[:i], st.Applied)
		require.Equal(t, all[i:], st.Pending)
	}
	require.False(t, m.TableExists(t, db, "domains"))
	st, err = m.Status(ctx, db)
	require.NoError(t, err)
	require.Equal(t, "", st.Version)

	ran, err = m.Migrate(ctx, db, bunstore.Down)
	require.NoError(t, err)
	require.Empty(t, ran, "down at version zero does nothing")

	ran, err = m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	require.Equal(t, all, ran)
	require.True(t, m.TableExists(t, db, "domains"))
	_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'again.example.org')", uuid.New())
	require.NoError(t, err, "the re-created table works")

	_, err = m.Migrate(ctx, db, bunstore.Direction(7))
	require.ErrorContains(t, err, "unknown direction")
}

// testMigrateConcurrent runs Migrate from four goroutines on separate
// pools of one database, as separate processes would have: one applies
// everything, the others find nothing to do.
func testMigrateConcurrent(t *testing.T, m Migrations) {
	ctx := context.Background()
	addr := m.Empty(t)
	const callers = 4
	dbs := make([]*bun.DB, callers)
	for i := range dbs {
		dbs[i] = m.Open(t, addr)
	}
	results := make([][]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { results[i], errs[i] = m.Migrate(ctx, dbs[i], bunstore.Up) })
	}
	wg.Wait()
	applied := 0
	for i := range callers {
		require.NoError(t, errs[i], "caller %d", i)
		if len(results[i]) > 0 {
			require.Equal(t, m.All, results[i])
			applied++
		}
	}
	require.Equal(t, 1, applied, "exactly one caller applies the migrations")
}

// testMigrateUnknownApplied finds a migration a newer build applied: the
// status lists it, Down refuses to revert anything, and Migrate refuses a
// direction it does not know.
func testMigrateUnknownApplied(t *testing.T, m Migrations) {
	ctx := context.Background()
	db := m.Migrated(t)
	_, err := db.ExecContext(ctx, "INSERT INTO bun_migrations (name, group_id) VALUES ('29990101000000', 99)")
	require.NoError(t, err)

	st, err := m.Status(ctx, db)
	require.NoError(t, err)
	require.Equal(t, "29990101000000", st.Version)
	require.Equal(t, append(append([]string{}, m.All...), "29990101000000"), st.Applied)
	require.Empty(t, st.Pending)

	_, err = m.Migrate(ctx, db, bunstore.Down)
	require.ErrorContains(t, err, "unknown to this build")
	require.True(t, m.TableExists(t, db, "domains"), "nothing was reverted")

	_, err = m.Migrate(ctx, db, bunstore.Direction(7))
	require.ErrorContains(t, err, "unknown direction")
}
