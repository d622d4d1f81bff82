package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/migrations"
)

// Direction says which way Migrate moves the schema.
type Direction = bunstore.Direction

const (
	// Up applies every pending migration, oldest first.
	Up = bunstore.Up
	// Down reverts the most recently applied migration, one step.
	Down = bunstore.Down
)

// SchemaStatus is the migration state of a database.
type SchemaStatus = bunstore.SchemaStatus

// migrationLockKey names the advisory lock that serializes Migrate across
// processes, so that two instances starting together do not both apply
// the same migration. Any constant works; this one spells "scrskymg".
const migrationLockKey int64 = 0x73637273_6b796d67

// migrationSet is the PostgreSQL migration set, serialized across processes by
// withMigrationLock.
var migrationSet = bunstore.Migrations{Set: migrations.Postgres, Lock: withMigrationLock}

// Migrate moves db's schema in dir and returns the migrations it ran
// (version_name), in the order it ran them; nothing to do is not an error.
// Concurrent callers, in this process or others, take turns: an advisory
// lock held on one connection serializes them while the migrations run on
// another, so db's pool must allow two connections (Open's always does).
func Migrate(ctx context.Context, db *bun.DB, dir Direction) ([]string, error) {
	return migrationSet.Migrate(ctx, db, dir)
}

// MigrationStatus reports which migrations db has applied and which are
// pending. It creates bun's bookkeeping tables if they are missing, and
// waits for a Migrate in progress to finish.
func MigrationStatus(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	return migrationSet.Status(ctx, db)
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

// SchemaVersion returns the version of the newest applied migration ("" for
// none), for GET /health/db.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) {
	st, err := MigrationStatus(ctx, s.db)
	if err != nil {
		return "", err
	}
	return st.Version, nil
}
