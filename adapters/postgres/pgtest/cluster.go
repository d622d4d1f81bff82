package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// DefaultPGBin is where Debian installs the PostgreSQL 15 server programs;
// SCRAPERSKY_PG_BIN overrides it.
const DefaultPGBin = "/usr/lib/postgresql/15/bin"

// Cluster is a throwaway PostgreSQL server of a test's own, in a temporary
// directory on a free loopback port, for fault tests that stop and restart
// the server. Never point them at the shared server: other tests use it.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string
	data string
	// Port is the loopback port the server listens on.
	Port int
}

// NewCluster creates and starts a cluster (trust authentication, user
// postgres, fsync off), and stops and removes it when t ends. It skips t
// when the server programs are missing. Run as root, it runs them as the
// postgres OS user, since the server refuses to run as root.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := os.Getenv("SCRAPERSKY_PG_BIN")
	if bin == "" {
		bin = DefaultPGBin
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		t.Skipf("pgtest: no PostgreSQL server programs in %s (set SCRAPERSKY_PG_BIN): %v", bin, err)
	}
	dir, err := os.MkdirTemp("", "scrapersky-cluster-")
	if err != nil {
		t.Fatalf("pgtest: temp dir: %v", err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, data: filepath.Join(dir, "data"), Port: freePort(t)}
	t.Cleanup(func() {
		_ = c.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("pgtest: running as root and there is no postgres OS user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("pgtest: chown %s: %v", dir, err)
		}
	}
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	c.Start()
	return c
}

// URL returns the URL of database name on the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", c.Port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		c.t.Fatalf("pgtest: start the cluster: %v\n%s\n%s", err, out, c.serverLog())
	}
}

// Stop stops the server in fast mode: sessions are ended with
// "terminating connection due to administrator command" (57P01), as in a
// restart.
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.ctl("stop", "-m", "fast"); err != nil {
		c.t.Fatalf("pgtest: stop the cluster: %v", err)
	}
}

func (c *Cluster) ctl(args ...string) error {
	out, err := c.run("pg_ctl", append([]string{"-D", c.data, "-w", "-t", "60"}, args...)...)
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

// run runs one of the server programs, as the postgres OS user when the
// test runs as root.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

func (c *Cluster) serverLog() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
