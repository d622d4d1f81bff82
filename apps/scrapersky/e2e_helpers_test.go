package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
)

// binary is the scrapersky binary built once for the tests that run it as
// a child process, as an operator would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scrapersky-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "scrapersky")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building scrapersky:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a child's log output safely.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running scrapersky child process.
type proc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	URL  string
	done chan error
}

// listenRE finds the listening address in text (development) or JSON
// (production) logs.
var listenRE = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// startProc runs `scrapersky args...` with env (plus PATH and HOME) and, for
// serve, waits until it listens. It is stopped (SIGTERM) when t ends.
func startProc(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &proc{cmd: cmd, logs: logs, done: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case listening <- m[1] + m[2]:
				default:
				}
			}
		}
	}()
	require.NoError(t, cmd.Start())
	go func() { err := cmd.Wait(); pw.Close(); p.done <- err }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("logs of %v:\n%s", args, logs.String())
		}
	})
	if args[0] == "serve" {
		select {
		case addr := <-listening:
			p.URL = "http://" + addr
		case err := <-p.done:
			t.Fatalf("scrapersky exited before listening: %v\n%s", err, logs.String())
		case <-time.After(30 * time.Second):
			t.Fatalf("scrapersky did not listen\n%s", logs.String())
		}
	}
	return p
}

// kill ends the process with SIGKILL, as a crash would.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Kill())
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		require.NoError(t, err, p.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("no clean exit after SIGTERM")
	}
}

const devToken = "scraper_sky_2024"

// call sends a JSON request with the development token and decodes the
// JSON answer into out (when not nil); it returns the status.
func call(t *testing.T, method, url string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+devToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "%s %s → %d %s", method, url, resp.StatusCode, data)
	}
	return resp.StatusCode
}

type submitted struct {
	Created           int      `json:"created"`
	Existing          int      `json:"existing"`
	SubmittedCount    int      `json:"submitted_count"`
	DomainIDs         []string `json:"domain_ids"`
	NormalizedDomains []string `json:"normalized_domains"`
}

func submit(t *testing.T, base string, domains ...string) submitted {
	t.Helper()
	var s submitted
	status := call(t, "POST", base+"/api/v3/domains/direct-submit", map[string]any{"domains": domains}, &s)
	require.Len(t, s.DomainIDs, len(domains))
	if s.Created > 0 {
		require.Equal(t, http.StatusCreated, status, "a submission that stores a domain is a 201")
	} else {
		require.Equal(t, http.StatusOK, status, "a submission of known domains is a 200")
	}
	return s
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

func devEnv(dsn string, extra ...string) map[string]string {
	env := map[string]string{
		"DATABASE_URL":               dsn,
		"SCRAPERSKY_ENV":             "development",
		"SCRAPERSKY_ADDR":            "127.0.0.1:0",
		"SCRAPERSKY_WORKERS":         "0",
		"SCRAPERSKY_SITEMAP_WORKERS": "0",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

// backend is a database the e2e tests run the binary on.
type backend struct {
	name string
	// dsn returns a DATABASE_URL of a fresh database for t.
	dsn func(t *testing.T) string
	// open connects the test itself to it, once the service has migrated it.
	open func(t *testing.T, dsn string) *bun.DB
}

var backends = []backend{
	{
		name: "postgres",
		dsn:  func(t *testing.T) string { return pgtest.DSN(t) },
		open: func(t *testing.T, dsn string) *bun.DB { return pgtest.Open(t, dsn) },
	},
	{
		name: "sqlite",
		dsn:  func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "e2e.db") },
		open: func(t *testing.T, dsn string) *bun.DB {
			db, err := sqlite.Open(strings.TrimPrefix(dsn, "sqlite://"))
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		},
	},
}

// eachBackend runs f as a parallel subtest on every backend.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}
