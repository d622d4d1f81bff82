package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

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

// migrateMu makes concurrent Migrate and MigrationStatus calls of this
// process take turns. SQLite has no advisory lock to do the same across
// processes, and cannot hold its write lock for the migrator, which writes
// through connections of its own. Each migration file runs in one
// transaction, though, so two processes migrating the same file at the
// same moment cannot leave it half migrated: the second one's migration
// fails (the table it creates exists), rolls back, and a rerun finds
// nothing left to do.
var migrateMu sync.Mutex

// migrationSet is the SQLite migration set, serialized within the process
// by migrateMu.
var migrationSet = bunstore.Migrations{
	Set:     migrations.Sqlite,
	Options: []migrate.MigratorOption{migrate.WithTableName(migrationsTable)},
	Lock: func(_ context.Context, _ *bun.DB, fn func() error) error {
		migrateMu.Lock()
		defer migrateMu.Unlock()
		return fn()
	},
}

// Migrate moves db's schema in dir and returns the migrations it ran
// (version_name), in the order it ran them; nothing to do is not an error.
// Concurrent callers of one process take turns.
func Migrate(ctx context.Context, db *bun.DB, dir Direction) ([]string, error) {
	return migrationSet.Migrate(ctx, db, dir)
}

// MigrationStatus reports which migrations db has applied and which are
// pending. It creates bun's bookkeeping tables if they are missing, and
// waits for a Migrate of this process in progress to finish.
func MigrationStatus(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	return migrationSet.Status(ctx, db)
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
