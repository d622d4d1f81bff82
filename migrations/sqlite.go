package migrations

import "embed"

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

// Sqlite holds the SQLite migrations, discovered from the embedded sqlite/
// folder. They mirror the Postgres ones version for version, with the same
// table, column, constraint and index names, in SQLite's types: UUIDs and
// times are TEXT. Each file carries ".tx." in its name, so bun runs it in
// one transaction: SQLite's DDL is transactional, and a file that fails
// half-way leaves nothing behind. Run them with migrate.NewMigrator and
// migrate.WithMarkAppliedOnSuccess(true) so that a failed migration is not
// recorded as applied.
var Sqlite = mustDiscover(sqliteFiles, "sqlite")
