//go:build !unix

package postgres

import (
	"context"

	"github.com/uptrace/bun/driver/pgdriver"
)

// checkAlive cannot peek at a socket on this platform; a dead connection
// then fails its first statement with an error wrapping core.ErrUnavailable.
func checkAlive(context.Context, *pgdriver.Conn) error { return nil }
