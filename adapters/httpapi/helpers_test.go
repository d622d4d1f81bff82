package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

var (
	testSecret = []byte("test-secret-0123456789-abcdefghijklmnop")
	testNow    = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	seedTime   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

const testDevToken = "dev-token-for-tests"

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// spyStore is the memory store with a count of every write it is asked for,
// so a test can tell that a refused request reached no store at all.
type spyStore struct {
	*memory.Store
	writes atomic.Int64
}

func (s *spyStore) Within(ctx context.Context, fn func(ctx context.Context, repo curation.Repository) error) error {
	s.writes.Add(1)
	return s.Store.Within(ctx, fn)
}

func (s *spyStore) AddDomains(ctx context.Context, ds []core.Domain) ([]core.Domain, error) {
	s.writes.Add(1)
	return s.Store.AddDomains(ctx, ds)
}

// syncBuffer collects log output written from handler goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records written so far.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var rec map[string]any
		require.NoError(t, dec.Decode(&rec))
		out = append(out, rec)
	}
	return out
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fakePinger struct{ err error }

func (p fakePinger) Ping(context.Context) error { return p.err }

// seeded names the domains every env starts with, in various states.
type seeded struct {
	fresh       core.Domain // both primaries New, secondaries null
	scanQueued  core.Domain // page_scrape_status Queued: not queued again
	scanFailed  core.Domain // page_scrape_status Error with a message
	analysisRun core.Domain // sitemap_analysis_status Processing
	analysisErr core.Domain // sitemap_analysis_status Error with a message
}

func (s seeded) all() []core.Domain {
	return []core.Domain{s.fresh, s.scanQueued, s.scanFailed, s.analysisRun, s.analysisErr}
}

func ptr[T any](v T) *T { return &v }

type env struct {
	store  *spyStore
	server *Server
	logs   *syncBuffer
	seed   seeded
}

type option func(*Config, *Deps)

func withDevToken(allow bool) option {
	return func(c *Config, _ *Deps) { c.DevToken, c.AllowDevToken = testDevToken, allow }
}

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	store := &spyStore{Store: memory.NewStore()}
	logs := &syncBuffer{}
	clock := fixedClock{testNow}
	cfg := Config{
		JWTSecret: testSecret,
		Logger:    slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		StoreKind: "memory",
	}
	deps := Deps{
		EmailScan:       curation.NewSecondaryStateUpdater(store, core.EmailScan, clock, nil),
		SitemapCuration: curation.NewSecondaryStateUpdater(store, core.SitemapCuration, clock, nil),
		Submitter:       curation.NewSubmitter(store, clock),
		Domains:         store,
		DB:              fakePinger{},
		Catalog:         catalog.NewLister(store),
		Sitemaps:        store,
		Scans:           store,
		Importer:        catalog.NewImporter(store, clock),
		Deleter:         curation.NewDeleter(store),
		Suppressions:    suppression.NewManager(store, clock),
		// Its clock stands still: only the API's writes renew the count.
		Stats:   catalog.NewStatsCache(store, time.Hour, clock),
		APIKeys: apikey.NewService(memory.NewAPIKeys(), clock),
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	srv, err := New(cfg, deps)
	require.NoError(t, err)

	mk := func(host string, f func(*core.Domain)) core.Domain {
		d := core.NewDomain(host, seedTime)
		if f != nil {
			f(&d)
		}
		return d
	}
	sd := seeded{
		fresh:      mk("fresh.example.com", nil),
		scanQueued: mk("scan-queued.example.com", func(d *core.Domain) { d.PageScrapeStatus = ptr(core.TaskQueued) }),
		scanFailed: mk("scan-failed.example.com", func(d *core.Domain) {
			d.PageScrapeStatus, d.PageScrapeError = ptr(core.TaskError), ptr("timeout")
			d.PageScrapeAttempts = 3
		}),
		analysisRun: mk("analysis-run.example.com", func(d *core.Domain) { d.SitemapAnalysisStatus = ptr(core.AnalysisProcessing) }),
		analysisErr: mk("analysis-err.example.com", func(d *core.Domain) {
			d.SitemapAnalysisStatus, d.SitemapAnalysisError = ptr(core.AnalysisError), ptr("no sitemap")
		}),
	}
	_, err = store.Store.AddDomains(context.Background(), sd.all())
	require.NoError(t, err)
	return &env{store: store, server: srv, logs: logs, seed: sd}
}

// snapshot reads every seeded domain back.
func (e *env) snapshot(t *testing.T) map[uuid.UUID]core.Domain {
	t.Helper()
	out := map[uuid.UUID]core.Domain{}
	for _, d := range e.seed.all() {
		got, err := e.store.GetDomain(context.Background(), d.ID)
		require.NoError(t, err)
		out[d.ID] = got
	}
	return out
}

func (e *env) get(t *testing.T, id uuid.UUID) core.Domain {
	t.Helper()
	d, err := e.store.GetDomain(context.Background(), id)
	require.NoError(t, err)
	return d
}

// listen serves the app on a loopback port for the rest of the test and
// returns its address.
func (e *env) listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- e.server.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, e.server.Shutdown(ctx))
		require.NoError(t, <-done)
	})
	return ln.Addr().String()
}

// request describes one call to the app.
type request struct {
	method, path string
	body         string
	headers      map[string]string // "" values delete the default
	token        string            // Authorization: Bearer token; "" for none
	// network sends the request over a real loopback connection instead of
	// app.Test, which turns fasthttp's oversized-body error into a Go error
	// rather than letting the server answer it.
	network bool
	// headersOnly, with network, sends the request line and headers
	// (Content-Length included) but holds the body back: the server refuses
	// an oversized body from its headers, and a body already in flight would
	// turn that answer into a connection reset.
	headersOnly bool
}

type response struct {
	status  int
	header  http.Header
	raw     []byte
	jsonObj map[string]any
}

// do sends r through app.Test and checks the answer against the OpenAPI
// document: the status must be documented for the operation and the body
// must match its schema.
func (e *env) do(t *testing.T, r request) response {
	t.Helper()
	var body io.Reader = http.NoBody
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	var res *http.Response
	var err error
	if r.network && r.headersOnly {
		res, err = sendHeadersOnly(t, e.listen(t), req, int64(len(r.body)))
	} else if r.network {
		req.RequestURI = ""
		req.URL.Scheme, req.URL.Host = "http", e.listen(t)
		// Like a careful client, ask before sending a body: the server
		// answers an oversized one from its headers and closes, and a body
		// already in flight would turn that answer into a connection reset.
		req.Header.Set("Expect", "100-continue")
		tr := &http.Transport{ExpectContinueTimeout: 10 * time.Second}
		defer tr.CloseIdleConnections()
		res, err = (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	} else {
		res, err = e.server.App().Test(req, -1)
	}
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &out.jsonObj)
	}
	require.NotEmpty(t, res.Header.Get("X-Request-ID"), "every response carries a request ID")
	checkResponse(t, r.method, r.path, res.StatusCode, res.Header, raw)
	return out
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// makeToken signs claims with method and key.
func makeToken(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

func validClaims(sub string) jwt.MapClaims {
	return jwt.MapClaims{"sub": sub, "aud": Audience, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
}

func userToken(t testing.TB, sub string) string {
	t.Helper()
	return makeToken(t, jwt.SigningMethodHS256, testSecret, validClaims(sub))
}

// ---- the OpenAPI document as plain JSON, for tests that read it ----

var (
	specOnce sync.Once
	spec     map[string]any
	specErr  error
)

func loadSpec(t *testing.T) map[string]any {
	t.Helper()
	specOnce.Do(func() { specErr = json.Unmarshal(openAPI, &spec) })
	require.NoError(t, specErr)
	return spec
}

// resolve follows a local $ref.
func resolve(t *testing.T, node map[string]any) map[string]any {
	t.Helper()
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		require.True(t, strings.HasPrefix(ref, "#/"), "only local refs: %s", ref)
		var cur any = loadSpec(t)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := cur.(map[string]any)
			require.True(t, ok, "ref %s", ref)
			cur, ok = m[part]
			require.True(t, ok, "ref %s does not resolve", ref)
		}
		node = cur.(map[string]any)
	}
}

// sendHeadersOnly writes req's request line and headers, announcing a body
// of size bytes without sending it, and reads the answer.
func sendHeadersOnly(t *testing.T, addr string, req *http.Request, size int64) (*http.Response, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.Method, req.URL.RequestURI(), addr, size)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return nil, err
	}
	return http.ReadResponse(bufio.NewReader(conn), req)
}
