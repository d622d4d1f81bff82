//go:build unix

package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"
)

// checkAlive is the pool's check before it reuses an idle connection: an
// idle connection has nothing to read, so a closed socket (the server
// restarted) or pending bytes (its FATAL goodbye) mean the connection is
// dead and database/sql takes another. The read does not block: Go's sockets
// are non-blocking, and an empty one answers EAGAIN.
func checkAlive(_ context.Context, cn *pgdriver.Conn) error {
	sc, ok := cn.Conn().(syscall.Conn)
	if !ok {
		return nil // TLS or a custom dialer: nothing to peek at
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return driver.ErrBadConn
	}
	var n int
	var readErr error
	var buf [1]byte
	if err := raw.Read(func(fd uintptr) bool {
		n, readErr = syscall.Read(int(fd), buf[:])
		return true
	}); err != nil {
		return driver.ErrBadConn
	}
	switch {
	case n == 0 && readErr == nil: // end of file: the server closed it
		return driver.ErrBadConn
	case n > 0: // unexpected bytes on an idle connection
		return driver.ErrBadConn
	case errors.Is(readErr, syscall.EAGAIN) || errors.Is(readErr, syscall.EWOULDBLOCK):
		return nil
	default:
		return driver.ErrBadConn
	}
}
