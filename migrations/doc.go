// Package migrations embeds the SQL schema migrations and exposes them as
// bun/migrate collections, one per database engine. Files are named
// <version>_<name>.up.sql and <version>_<name>.down.sql; the version is a
// 14-digit timestamp and orders the migrations.
//
// Each engine has its own folder (postgres/ and sqlite/) because the
// dialects differ in types and constraints; the versions, table, column,
// constraint and index names are the same in both, and the stores map a
// core.Workflow to those columns (adapters/internal/bunstore).
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun/migrate"
)

//go:embed postgres/*.sql
var postgresFiles embed.FS

// Postgres holds the PostgreSQL migrations, discovered from the embedded
// postgres/ folder. Run them with migrate.NewMigrator and
// migrate.WithMarkAppliedOnSuccess(true) so that a failed migration is not
// recorded as applied.
var Postgres = mustDiscover(postgresFiles, "postgres")

// mustDiscover builds a collection from one folder of fsys. It panics
// because the files are embedded at build time: a bad name is a bug that
// the package's tests catch, not a runtime condition.
func mustDiscover(fsys fs.FS, dir string) *migrate.Migrations {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("migrations: open %s: %v", dir, err))
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		panic(fmt.Sprintf("migrations: discover %s: %v", dir, err))
	}
	return ms
}
