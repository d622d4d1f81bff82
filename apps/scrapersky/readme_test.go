package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readmeTryIt returns the shell block of the README's "Try it" section.
func readmeTryIt(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(raw), "\n## Try it\n")
	require.True(t, ok, "README has a Try it section")
	_, rest, ok = strings.Cut(rest, "```sh\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	return block
}

// TestReadmeTryIt runs the README's "Try it" commands, as printed but for
// the server's address, the example site's port and the temporary files,
// against `scrapersky serve` in development mode with workers: every step
// must succeed quietly (curl -s), select both domains, and stop the example
// server at the end.
func TestReadmeTryIt(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"curl", "python3", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (a README prerequisite)", tool)
		}
	}
	block := readmeTryIt(t)
	require.Contains(t, block, "curl -s -X PUT", "step 3 is quiet")
	require.NotContains(t, block, "section 6")
	require.Contains(t, block, "kill $ACME_PID", "the example server is stopped")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	dir := t.TempDir()
	p := startProc(t, workerEnv("sqlite://"+filepath.Join(dir, "readme.db")), "serve")
	script := strings.NewReplacer(
		"http://127.0.0.1:8000", p.URL,
		"8765", port,
		"/tmp/acme", filepath.Join(dir, "acme"),
		"/tmp/submitted.json", filepath.Join(dir, "submitted.json"),
	).Replace(block)
	// The site must answer before step 2's domains are scanned.
	script = strings.Replace(script, "ACME_PID=$!\n", "ACME_PID=$!\nfor i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:"+port+"/ && break; sleep 0.1; done\n", 1)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	// A version manager's python3 (pyenv's shim) is a script that keeps the
	// interpreter as its child, so $! would not be the server: put the real
	// interpreter first in PATH.
	real, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	require.NoError(t, err)
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.Symlink(strings.TrimSpace(string(real)), filepath.Join(bin, "python3")))
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	text := string(out)
	require.Contains(t, text, `"created":2`)
	require.Contains(t, text, `"updated_count":2,"queued_for_scan_count":2,"cancelled_count":0,"not_found_ids":[]`)
	require.NotContains(t, text, "% Total", "no progress meter")
	waitFor(t, 10*time.Second, "the example server to stop", func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
}
