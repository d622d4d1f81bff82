package postgres

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNewConnectorPrecedence(t *testing.T) {
	t.Parallel()
	const base = "postgres://app:s3cret@db.internal:6543/scrapersky?sslmode=disable"
	cases := []struct {
		name               string
		dsn                string
		opts               []Option
		read, write, dial  time.Duration
		pool               int
		appName, addr, usr string
	}{
		{
			name: "defaults", dsn: base,
			read: DefaultReadTimeout, write: DefaultWriteTimeout, dial: DefaultDialTimeout,
			pool: max(4*runtime.GOMAXPROCS(0), 8), appName: "scrapersky", addr: "db.internal:6543", usr: "app",
		},
		{
			name: "dsn overrides defaults", dsn: base + "&read_timeout=5s&write_timeout=2s&dial_timeout=1s&application_name=worker",
			read: 5 * time.Second, write: 2 * time.Second, dial: time.Second,
			pool: max(4*runtime.GOMAXPROCS(0), 8), appName: "worker", addr: "db.internal:6543", usr: "app",
		},
		{
			name: "options override the dsn", dsn: base + "&read_timeout=5s&application_name=worker",
			opts: []Option{WithReadTimeout(2 * time.Minute), WithWriteTimeout(3 * time.Second), WithDialTimeout(0),
				WithPoolSize(3), WithApplicationName("api")},
			read: 2 * time.Minute, write: 3 * time.Second, dial: 0,
			pool: 3, appName: "api", addr: "db.internal:6543", usr: "app",
		},
		{
			name: "pool size has a floor", dsn: "postgres://postgres@127.0.0.1/x?sslmode=disable",
			opts: []Option{WithPoolSize(1), WithReadTimeout(0)},
			read: 0, write: DefaultWriteTimeout, dial: DefaultDialTimeout,
			pool: minPoolSize, appName: "scrapersky", addr: "127.0.0.1:5432", usr: "postgres",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conn, pool, err := newConnector(c.dsn, c.opts...)
			require.NoError(t, err)
			cfg := conn.Config()
			require.Equal(t, c.read, cfg.ReadTimeout)
			require.Equal(t, c.write, cfg.WriteTimeout)
			require.Equal(t, c.dial, cfg.DialTimeout)
			require.Equal(t, c.pool, pool)
			require.Equal(t, c.appName, cfg.AppName)
			require.Equal(t, c.addr, cfg.Addr)
			require.Equal(t, c.usr, cfg.User)
			require.Nil(t, cfg.TLSConfig, "sslmode=disable")
		})
	}
}

func TestOpenRejectsBadDSN(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, dsn, want string }{
		{"scheme", "mysql://root:hunter2@localhost/db", "invalid scheme"},
		{"port", "postgres://app:hunter2@localhost:54x32/db", "invalid port"},
		{"control character", "postgres://app:hunter2@localhost/db\x7f", "invalid control character"},
		{"sslmode", "postgres://app:hunter2@localhost/db?sslmode=sometimes", "sslmode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db, err := Open(c.dsn)
			require.Error(t, err)
			require.Nil(t, db)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), "hunter2", "the password must not reach the logs")
		})
	}
}
