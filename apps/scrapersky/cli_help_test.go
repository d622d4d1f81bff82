package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// result is what one run of the binary left behind.
type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs `scrapersky args...` in dir with env (plus PATH and HOME)
// and waits for it, at most 20 s.
func runBinary(t *testing.T, dir string, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Stdin = strings.NewReader(stdin)
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// TestHelpHasNoSideEffects asks every command for its help, with -h and
// --help, before and after arguments, in an empty directory where the
// default SQLite file would be created, with the listen address taken by
// the test: help must print on stdout and exit 0, create no file, open no
// listener (which would fail on the taken port) and claim nothing.
func TestHelpHasNoSideEffects(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	// A queued domain that a started worker would claim within 10 ms.
	dbPath := filepath.Join(t.TempDir(), "queued.db")
	db, err := sqlite.Open(dbPath)
	require.NoError(t, err)
	_, err = sqlite.Migrate(context.Background(), db, sqlite.Up)
	require.NoError(t, err)
	store := sqlite.NewStore(db)
	ds, err := curation.NewSubmitter(store, core.SystemClock{}).Submit(context.Background(), []string{"queued.example"})
	require.NoError(t, err)
	_, err = curation.NewSecondaryStateUpdater(store, core.EmailScan, core.SystemClock{}, nil).
		Update(context.Background(), curation.UpdateInput{IDs: []uuid.UUID{ds[0].ID}, Status: core.CurationSelected})
	require.NoError(t, err)
	require.NoError(t, db.Close())

	cases := [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"serve", "--help"}, {"serve", "-h"},
		{"worker", "--help"}, {"worker", "-h"},
		{"migrate", "--help"}, {"migrate", "up", "--help"}, {"migrate", "down", "-h"},
		{"extract", "--help"}, {"extract", "page.html", "-h"},
		{"crawl", "--help"}, {"crawl", "example.com", "--allow-private", "--help"},
		{"token", "--help"}, {"token", "--sub", "x", "-h"},
		{"apikey", "--help"}, {"apikey", "create", "--help"}, {"apikey", "list", "-h"}, {"apikey", "revoke", "x", "--help"},
		{"version", "--help"}, {"help", "crawl"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, dsn := range []string{"", "sqlite://" + dbPath} {
				env := map[string]string{
					"SCRAPERSKY_ENV":           "development",
					"SCRAPERSKY_ADDR":          ln.Addr().String(),
					"SCRAPERSKY_POLL_INTERVAL": "10ms",
					"SCRAPERSKY_JWT_SECRET":    "secret-for-help-tests-0123456789",
				}
				if dsn != "" {
					env["DATABASE_URL"] = dsn
				}
				r := runBinary(t, dir, env, "", args...)
				require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
				require.Empty(t, r.stderr)
				require.Contains(t, r.stdout, "usage: scrapersky")
				if len(args) > 1 && args[0] != "help" {
					require.Contains(t, r.stdout, "usage: scrapersky "+args[0], "the command's own help")
				}
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				require.Empty(t, entries, "help created files")
			}
		})
	}
	t.Cleanup(func() {
		db, err := sqlite.Open(dbPath)
		require.NoError(t, err)
		defer db.Close()
		d, err := sqlite.NewStore(db).GetDomain(context.Background(), ds[0].ID)
		require.NoError(t, err)
		require.Equal(t, core.TaskQueued, *d.PageScrapeStatus, "help claimed the queued domain")
		require.Zero(t, d.PageScrapeAttempts)
	})
}

// TestMisuseExits2 checks that a command line the program cannot run names
// the problem on stderr, points at the help and exits 2 without output.
func TestMisuseExits2(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"crawl", "--bogus", "example.com"}, "crawl: unknown flag --bogus"},
		{[]string{"crawl", "example.com", "--max-pages"}, "crawl: flag --max-pages needs a value"},
		{[]string{"crawl", "--max-pages", "x", "example.com"}, `invalid value "x" for flag --max-pages`},
		{[]string{"crawl"}, "crawl: give at least one domain or URL"},
		{[]string{"crawl", "example.com", "--output", "xml"}, `crawl: --output "xml": want table, json or csv`},
		{[]string{"crawl", "--depth", "-1", "example.com"}, "crawl: --depth -1"},
		{[]string{"crawl", "--rate", "0", "example.com"}, "crawl: --rate 0"},
		{[]string{"crawl", "--concurrency", "0", "example.com"}, "crawl: --concurrency 0"},
		{[]string{"crawl", "not a domain!"}, "is not a domain or URL"},
		{[]string{"extract"}, "extract: give at least one file"},
		{[]string{"migrate"}, "migrate: want exactly one of up, down or status"},
		{[]string{"migrate", "sideways"}, `migrate: unknown action "sideways"`},
		{[]string{"serve", "extra"}, `serve: takes no arguments, got "extra"`},
		{[]string{"worker", "--workers", "3"}, "worker: unknown flag --workers"},
		{[]string{"token"}, "token: --sub USER is required"},
		{[]string{"token", "--sub", "a", "--ttl", "-1h"}, "token: --ttl -1h0m0s"},
		{[]string{"apikey"}, "apikey: want create NAME, list or revoke ID"},
		{[]string{"apikey", "create"}, "apikey create: give the key's NAME"},
		{[]string{"apikey", "revoke", "not-a-uuid"}, `apikey revoke: "not-a-uuid" is not a key ID`},
		{[]string{"help", "nope"}, `unknown command "nope"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			r := runBinary(t, dir, map[string]string{"SCRAPERSKY_JWT_SECRET": "s"}, "", tc.args...)
			require.Equal(t, 2, r.code, "stdout %s stderr %s", r.stdout, r.stderr)
			require.Empty(t, r.stdout)
			require.Contains(t, r.stderr, tc.want)
			require.Contains(t, r.stderr, "--help' for usage.")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Empty(t, entries, "misuse created files")
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := runBinary(t, t.TempDir(), nil, "", args...)
		require.Equal(t, 0, r.code, r.stderr)
		require.Regexp(t, `^scrapersky \S+\nrevision: \S+\n(committed: \S+\n)?go: go1\.\d+`, r.stdout)
	}

	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	require.Equal(t, "scrapersky v1.2.3\nrevision: abc123-dirty\ncommitted: 2026-01-02T03:04:05Z\ngo: go1.26.8\n", versionOf(info))
	require.Equal(t, "scrapersky (devel)\nrevision: unknown\ngo: go1.26.8\n", versionOf(&debug.BuildInfo{GoVersion: "go1.26.8"}))
}
