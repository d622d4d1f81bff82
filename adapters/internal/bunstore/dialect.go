package bunstore

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Dialect is what the shared statements need to know about the database
// they run on.
type Dialect struct {
	// DB is the connection pool.
	DB *bun.DB
	// InTx runs fn in one write transaction that commits if fn returns nil
	// and rolls back otherwise: READ COMMITTED on PostgreSQL, an IMMEDIATE
	// transaction in the writer slot on SQLite.
	InTx func(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error
	// Exclusive runs fn, a write of one statement outside a transaction:
	// at once on PostgreSQL, in the writer slot on SQLite.
	Exclusive func(ctx context.Context, fn func() error) error
	// OneOf renders the right-hand side of "x is one of values": "= ANY(array)"
	// on PostgreSQL, "IN (list)" on SQLite. values is a slice.
	OneOf func(values any) schema.QueryAppender
	// Contains renders the right-hand side of "x contains s, ignoring
	// case": ILIKE on PostgreSQL, LIKE with a lowercased pattern on SQLite,
	// each with ESCAPE '\' for ContainsPattern's escapes.
	Contains func(s string) schema.QueryAppender
	// ByteOrder follows a text column in ORDER BY and in comparisons to
	// sort it in byte order: `COLLATE "C"` on PostgreSQL, nothing on SQLite,
	// whose BINARY collation already does. It is SQL, never user input.
	ByteOrder string
}

// Direct is a Dialect.Exclusive that just runs fn, for a database whose
// writers need no turns.
func Direct(_ context.Context, fn func() error) error { return fn() }

// OrderBytes returns the ORDER BY expression that sorts column in byte order.
func (d Dialect) OrderBytes(column string) string {
	if d.ByteOrder == "" {
		return column
	}
	return column + " " + d.ByteOrder
}
