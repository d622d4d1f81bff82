package bunstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
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

// Migrations is one database's migration set and how its callers take
// turns.
type Migrations struct {
	// Set holds the migrations.
	Set *migrate.Migrations
	// Options configure the migrator; WithMarkAppliedOnSuccess(true) is
	// always added, so that a failed migration stays pending (bun's default
	// marks it applied first).
	Options []migrate.MigratorOption
	// Lock runs fn while no other Migrate or Status on db runs: an advisory
	// lock on PostgreSQL, a process-wide mutex on SQLite.
	Lock func(ctx context.Context, db *bun.DB, fn func() error) error
}

func (ms Migrations) migrator(db *bun.DB) *migrate.Migrator {
	opts := append(slices.Clone(ms.Options), migrate.WithMarkAppliedOnSuccess(true))
	return migrate.NewMigrator(db, ms.Set, opts...)
}

// Migrate moves db's schema in dir and returns the migrations it ran
// (version_name), in the order it ran them; nothing to do is not an error.
func (ms Migrations) Migrate(ctx context.Context, db *bun.DB, dir Direction) ([]string, error) {
	if dir != Up && dir != Down {
		return nil, fmt.Errorf("migrate: unknown direction %v", dir)
	}
	var ran []string
	err := ms.Lock(ctx, db, func() error {
		m := ms.migrator(db)
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

// Status reports which migrations db has applied and which are pending.
// It creates bun's bookkeeping tables if they are missing, and waits for a
// Migrate in progress to finish.
func (ms Migrations) Status(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	var st SchemaStatus
	err := ms.Lock(ctx, db, func() error {
		m := ms.migrator(db)
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
