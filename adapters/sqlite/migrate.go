package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/scrapersky/scrapersky-go/migrations"
)

// Direction says which way Migrate moves the schema.
type Direction int

const (
	// Up applies every pending migration, oldest first.
	Up Direction = iota + 1
	// Down reverts the most recently applied migration, one step.
	Down
)

// String returns "up" or "down".
func (d Direction) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// SchemaStatus is the migration state of a database.
type SchemaStatus struct {
	// Version is the version of the newest applied migration, "" when none
	// is applied.
	Version string
	// Applied lists the applied migrations (version_name), oldest first.
	Applied []string
	// Pending lists the known migrations not applied yet, oldest first.
	Pending []string
}

// migrateMu makes concurrent Migrate and MigrationStatus calls of this
// process take turns. SQLite has no advisory lock to do the same across
// processes, and cannot hold its write lock for the migrator, which writes
// through connections of its own. Each migration file runs in one
// transaction, though, so two processes migrating the same file at the
// same moment cannot leave it half migrated: the second one's migration
// fails (the table it creates exists), rolls back, and a rerun finds
// nothing left to do.
var migrateMu sync.Mutex

// newMigrator returns the migrator every helper uses. Marking a migration
// applied only after it succeeded keeps a failed one pending (bun's default
// marks it first).
func newMigrator(db *bun.DB) *migrate.Migrator {
	return migrate.NewMigrator(db, migrations.Sqlite,
		migrate.WithTableName(migrationsTable), migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate moves db's schema in dir and returns the migrations it ran
// (version_name), in the order it ran them; nothing to do is not an error.
// Concurrent callers of one process take turns.
func Migrate(ctx context.Context, db *bun.DB, dir Direction) ([]string, error) {
	if dir != Up && dir != Down {
		return nil, fmt.Errorf("migrate: unknown direction %v", dir)
	}
	migrateMu.Lock()
	defer migrateMu.Unlock()
	m := newMigrator(db)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrate %s: create migration tables: %w", dir, err)
	}
	var ran []string
	var err error
	if dir == Up {
		ran, err = up(ctx, m)
	} else {
		ran, err = down(ctx, m)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", dir, err)
	}
	return ran, nil
}

func up(ctx context.Context, m *migrate.Migrator) ([]string, error) {
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	return names(group.Migrations), nil
}

// down reverts one migration. bun's Rollback reverts a whole group (every
// migration one Migrate call applied), which is not one step after a fresh
// install; this runs the newest migration's down file and unmarks it, in
// the same order Rollback does with WithMarkAppliedOnSuccess.
func down(ctx context.Context, m *migrate.Migrator) ([]string, error) {
	applied, err := m.AppliedMigrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	if len(applied) == 0 {
		return nil, nil
	}
	newest := slices.MaxFunc(applied, func(a, b migrate.Migration) int { return strings.Compare(a.Name, b.Name) })
	known, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	i := slices.IndexFunc(known, func(k migrate.Migration) bool { return k.Name == newest.Name })
	if i < 0 {
		return nil, fmt.Errorf("migration %s is applied but unknown to this build", newest.Name)
	}
	mig := known[i]
	if mig.Down == nil {
		return nil, fmt.Errorf("migration %s has no down file", mig)
	}
	if err := mig.Down(ctx, m, &mig); err != nil {
		return nil, fmt.Errorf("%s: down: %w", mig, err)
	}
	if err := m.MarkUnapplied(ctx, &mig); err != nil {
		return nil, fmt.Errorf("unmark %s: %w", mig, err)
	}
	return []string{label(mig)}, nil
}

// MigrationStatus reports which migrations db has applied and which are
// pending. It creates bun's bookkeeping tables if they are missing, and
// waits for a Migrate of this process in progress to finish.
func MigrationStatus(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	migrateMu.Lock()
	defer migrateMu.Unlock()
	m := newMigrator(db)
	if err := m.Init(ctx); err != nil {
		return SchemaStatus{}, fmt.Errorf("migration status: create migration tables: %w", err)
	}
	applied, err := m.AppliedMigrations(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migration status: %w", err)
	}
	known, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migration status: %w", err)
	}
	// Applied comes from the database, so a migration newer than this build
	// still shows. Comments are not stored: take them from the build when
	// it knows the migration.
	comments := make(map[string]string, len(known))
	for _, k := range known {
		comments[k.Name] = k.Comment
	}
	slices.SortFunc(applied, func(a, b migrate.Migration) int { return strings.Compare(a.Name, b.Name) })
	st := SchemaStatus{Applied: []string{}, Pending: names(known.Unapplied())}
	for _, a := range applied {
		a.Comment = comments[a.Name]
		st.Applied = append(st.Applied, label(a))
		st.Version = a.Name
	}
	return st, nil
}

func names(ms migrate.MigrationSlice) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, label(m))
	}
	return out
}

// label names a migration version_name, or just version when the name is
// unknown.
func label(m migrate.Migration) string {
	if m.Comment == "" {
		return m.Name
	}
	return m.String()
}

// migrationsTable is the table of applied migrations: bun/migrate's
// default name, set explicitly because SchemaVersion reads it directly.
const migrationsTable = "bun_migrations"

// SchemaVersion returns the version of the newest applied migration ("" for
// none), for GET /health/db: MigrationStatus's Version. Unlike
// MigrationStatus it only reads, so a health check neither creates the
// bookkeeping tables, nor takes a write lock, nor waits for a migration in
// progress: it sees the last committed one.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) {
	var tables int
	if err := s.db.NewRaw("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", migrationsTable).
		Scan(ctx, &tables); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	if tables == 0 {
		// Never migrated.
		return "", nil
	}
	// Versions are 14-digit timestamps: byte order is version order, as
	// in MigrationStatus. max() of no rows is NULL: nothing applied.
	var version sql.NullString
	if err := s.db.NewRaw("SELECT max(name) FROM ?", bun.Ident(migrationsTable)).Scan(ctx, &version); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	return version.String, nil
}
