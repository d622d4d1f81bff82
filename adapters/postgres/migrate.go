package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

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

// migrationLockKey names the advisory lock that serializes Migrate across
// processes, so that two instances starting together do not both apply
// the same migration. Any constant works; this one spells "scrskymg".
const migrationLockKey int64 = 0x73637273_6b796d67

// newMigrator returns the migrator every helper uses. Marking a migration
// applied only after it succeeded keeps a failed one pending (bun's default
// marks it first).
func newMigrator(db *bun.DB) *migrate.Migrator {
	return migrate.NewMigrator(db, migrations.Postgres, migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate moves db's schema in dir and returns the migrations it ran
// (version_name), in the order it ran them; nothing to do is not an error.
// Concurrent callers, in this process or others, take turns: an advisory
// lock held on one connection serializes them while the migrations run on
// another, so db's pool must allow two connections (Open's always does).
func Migrate(ctx context.Context, db *bun.DB, dir Direction) ([]string, error) {
	if dir != Up && dir != Down {
		return nil, fmt.Errorf("migrate: unknown direction %v", dir)
	}
	var ran []string
	err := withMigrationLock(ctx, db, func() error {
		m := newMigrator(db)
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("create migration tables: %w", err)
		}
		var err error
		if dir == Up {
			ran, err = up(ctx, m)
		} else {
			ran, err = down(ctx, m)
		}
		return err
	})
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
// waits for a Migrate in progress to finish.
func MigrationStatus(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	var st SchemaStatus
	err := withMigrationLock(ctx, db, func() error {
		m := newMigrator(db)
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("create migration tables: %w", err)
		}
		applied, err := m.AppliedMigrations(ctx)
		if err != nil {
			return err
		}
		known, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return err
		}
		// Applied comes from the database, so a migration newer than this
		// build still shows. Comments are not stored: take them from the
		// build when it knows the migration.
		comments := make(map[string]string, len(known))
		for _, k := range known {
			comments[k.Name] = k.Comment
		}
		slices.SortFunc(applied, func(a, b migrate.Migration) int { return strings.Compare(a.Name, b.Name) })
		st = SchemaStatus{Applied: []string{}, Pending: names(known.Unapplied())}
		for _, a := range applied {
			a.Comment = comments[a.Name]
			st.Applied = append(st.Applied, label(a))
			st.Version = a.Name
		}
		return nil
	})
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migration status: %w", err)
	}
	return st, nil
}

// withMigrationLock runs fn while holding a transaction-scoped advisory
// lock on a connection of its own. Ending the transaction releases the lock
// even if the session stays in the pool, which a session lock would not.
func withMigrationLock(ctx context.Context, db *bun.DB, fn func() error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	if err := fn(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("unlock migrations: %w", err)
	}
	return nil
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

// SchemaVersion returns the version of the newest applied migration ("" for
// none), for GET /health/db.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) {
	st, err := MigrationStatus(ctx, s.db)
	if err != nil {
		return "", err
	}
	return st.Version, nil
}
