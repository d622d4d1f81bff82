package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

func TestEmailScanStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed
	missing := uuid.New()
	before := e.snapshot(t)

	res := e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: userToken(t, "user-7"),
		body: jsonBody(t, map[string]any{
			"domain_ids":        []string{s.fresh.ID.String(), s.scanQueued.ID.String(), s.scanFailed.ID.String(), missing.String(), s.fresh.ID.String()},
			"email_scan_status": "Selected",
		})})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, float64(3), res.jsonObj["updated_count"])
	require.Equal(t, float64(2), res.jsonObj["queued_for_scan_count"], "the already queued domain is not queued again")
	require.Equal(t, float64(0), res.jsonObj["cancelled_count"])
	require.Equal(t, []any{missing.String()}, res.jsonObj["not_found_ids"])

	for _, d := range []core.Domain{s.fresh, s.scanQueued, s.scanFailed} {
		got := e.get(t, d.ID)
		require.Equal(t, core.CurationSelected, got.EmailScanStatus, d.Domain)
		require.Equal(t, core.TaskQueued, *got.PageScrapeStatus, d.Domain)
		require.Nil(t, got.PageScrapeError, d.Domain)
		require.Equal(t, testNow, got.UpdatedAt, d.Domain)
		require.Equal(t, d.SitemapCurationStatus, got.SitemapCurationStatus, "the other workflow is untouched")
	}
	require.Equal(t, before[s.analysisRun.ID], e.get(t, s.analysisRun.ID), "unlisted domains are untouched")

	// A status other than the trigger updates without queueing, and
	// cancels the queued scan.
	res = e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: userToken(t, "user-7"),
		body: jsonBody(t, map[string]any{"domain_ids": []string{s.analysisErr.ID.String(), s.scanQueued.ID.String()}, "email_scan_status": "Not a Fit"})})
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, map[string]any{"updated_count": float64(2), "queued_for_scan_count": float64(0), "cancelled_count": float64(1), "not_found_ids": []any{}}, res.jsonObj)
	got := e.get(t, s.analysisErr.ID)
	require.Equal(t, core.CurationNotAFit, got.EmailScanStatus)
	require.Nil(t, got.PageScrapeStatus)
	got = e.get(t, s.scanQueued.ID)
	require.Equal(t, core.TaskCancelled, *got.PageScrapeStatus)
}

func TestSitemapCurationStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed
	res := e.do(t, request{method: "PUT", path: "/api/v3/domains/sitemap-curation/status", token: userToken(t, "user-8"),
		body: jsonBody(t, map[string]any{
			"domain_ids":              []string{s.fresh.ID.String(), s.analysisRun.ID.String(), s.analysisErr.ID.String()},
			"sitemap_curation_status": "Selected",
		})})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, map[string]any{"updated_count": float64(3), "queued_count": float64(2), "cancelled_count": float64(0), "not_found_ids": []any{}}, res.jsonObj)

	run := e.get(t, s.analysisRun.ID)
	require.Equal(t, core.AnalysisProcessing, *run.SitemapAnalysisStatus, "a running analysis is not queued again")
	for _, id := range []uuid.UUID{s.fresh.ID, s.analysisErr.ID} {
		got := e.get(t, id)
		require.Equal(t, core.CurationSelected, got.SitemapCurationStatus)
		require.Equal(t, core.AnalysisQueued, *got.SitemapAnalysisStatus)
		require.Nil(t, got.SitemapAnalysisError)
		require.Equal(t, core.CurationNew, got.EmailScanStatus, "the other workflow is untouched")
	}

	// Maybe cancels the running analysis and the two just queued.
	res = e.do(t, request{method: "PUT", path: "/api/v3/domains/sitemap-curation/status", token: userToken(t, "user-8"),
		body: jsonBody(t, map[string]any{
			"domain_ids":              []string{s.fresh.ID.String(), s.analysisRun.ID.String(), s.analysisErr.ID.String()},
			"sitemap_curation_status": "Maybe",
		})})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, map[string]any{"updated_count": float64(3), "queued_count": float64(0), "cancelled_count": float64(3), "not_found_ids": []any{}}, res.jsonObj)
	require.Equal(t, core.AnalysisCancelled, *e.get(t, s.analysisRun.ID).SitemapAnalysisStatus)
}

// recordingUpdater records what reaches core and answers with res or err.
type recordingUpdater struct {
	mu       sync.Mutex
	in       curation.UpdateInput
	deadline time.Time
	hasDL    bool
	reqID    string
	userID   string
	res      curation.UpdateResult
	err      error
	block    bool // wait for the context to end
	panicVal any
}

func (u *recordingUpdater) Update(ctx context.Context, in curation.UpdateInput) (curation.UpdateResult, error) {
	u.mu.Lock()
	u.in = in
	u.deadline, u.hasDL = ctx.Deadline()
	u.reqID, u.userID = RequestID(ctx), UserID(ctx)
	u.mu.Unlock()
	if u.panicVal != nil {
		panic(u.panicVal)
	}
	if u.block {
		<-ctx.Done()
		return curation.UpdateResult{}, ctx.Err()
	}
	return u.res, u.err
}

func TestUserAndContextReachCore(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		token    func(t *testing.T) string
		wantUser string
	}{
		{"jwt", func(t *testing.T) string { return userToken(t, "0b7c-user") }, "0b7c-user"},
		{"dev token", func(*testing.T) string { return testDevToken }, DevUserID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingUpdater{res: curation.UpdateResult{Updated: 1}}
			e := newEnv(t, withDevToken(true), func(c *Config, d *Deps) { d.SitemapCuration = rec; c.RequestTimeout = 7 * time.Second })
			id := e.seed.fresh.ID
			start := time.Now()
			res := e.do(t, request{method: "PUT", path: "/api/v3/domains/sitemap-curation/status", token: tc.token(t),
				headers: map[string]string{"X-Request-ID": "trace-42"},
				body:    `{"domain_ids":["` + id.String() + `"],"sitemap_curation_status":"Maybe"}`})
			require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
			require.Equal(t, []any{}, res.jsonObj["not_found_ids"], "a nil NotFound is sent as []")

			rec.mu.Lock()
			defer rec.mu.Unlock()
			require.Equal(t, curation.UpdateInput{IDs: []uuid.UUID{id}, Status: core.CurationMaybe, UserID: tc.wantUser}, rec.in)
			require.Equal(t, tc.wantUser, rec.userID)
			require.Equal(t, "trace-42", rec.reqID)
			require.True(t, rec.hasDL, "core gets a context with a deadline")
			require.WithinDuration(t, start.Add(7*time.Second), rec.deadline, 2*time.Second)
		})
	}
}

func TestDirectSubmit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	known := e.seed.fresh
	res := e.do(t, request{method: "POST", path: "/api/v3/domains/direct-submit", token: userToken(t, "u"),
		body: `{"domains":["https://www.Example.com/about","b.io","HTTPS://FRESH.example.com/x","example.com"]}`})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, float64(3), res.jsonObj["submitted_count"])
	require.Equal(t, float64(2), res.jsonObj["created"])
	require.Equal(t, float64(1), res.jsonObj["existing"])
	require.Equal(t, []any{"example.com", "b.io", "fresh.example.com"}, res.jsonObj["normalized_domains"])
	ids := res.jsonObj["domain_ids"].([]any)
	require.Len(t, ids, 3)
	require.Equal(t, known.ID.String(), ids[2], "a known domain keeps its ID")

	for i, host := range []string{"example.com", "b.io"} {
		got := e.get(t, uuid.MustParse(ids[i].(string)))
		require.Equal(t, host, got.Domain)
		require.Equal(t, core.CurationNew, got.EmailScanStatus)
		require.Equal(t, core.CurationNew, got.SitemapCurationStatus)
		require.Equal(t, testNow, got.CreatedAt)
	}
	require.Equal(t, known, e.get(t, known.ID), "submitting a known domain changes nothing")
	require.Equal(t, "/api/v3/domains/"+ids[0].(string), res.header.Get("Location"), "201 names the first new domain")

	// Submitting known domains again creates nothing: 200, the same IDs,
	// the import's counts, no Location.
	again := e.do(t, request{method: "POST", path: "/api/v3/domains/direct-submit", token: userToken(t, "u"), body: `{"domains":["b.io","fresh.example.com"]}`})
	require.Equal(t, http.StatusOK, again.status)
	require.Equal(t, []any{ids[1], ids[2]}, again.jsonObj["domain_ids"])
	require.Equal(t, float64(0), again.jsonObj["created"])
	require.Equal(t, float64(2), again.jsonObj["existing"])
	require.Equal(t, float64(2), again.jsonObj["submitted_count"])
	require.Empty(t, again.header.Get("Location"))
}

func TestGetDomain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, d := range []core.Domain{e.seed.fresh, e.seed.scanFailed, e.seed.analysisErr} {
		res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + strings.ToUpper(d.ID.String()), token: userToken(t, "u")})
		require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
		var got core.Domain
		require.NoError(t, json.Unmarshal(res.raw, &got))
		require.Equal(t, d, got)
		// Every status and error field is present, null where unset.
		for _, k := range []string{"sitemap_analysis_status", "sitemap_analysis_error", "page_scrape_status", "page_scrape_error", "page_scrape_started_at", "page_scrape_finished_at"} {
			require.Contains(t, res.jsonObj, k)
		}
	}
	fresh := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: userToken(t, "u")})
	require.Nil(t, fresh.jsonObj["page_scrape_status"])
	require.Nil(t, fresh.jsonObj["sitemap_analysis_error"])
	failed := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.scanFailed.ID.String(), token: userToken(t, "u")})
	require.Equal(t, "Error", failed.jsonObj["page_scrape_status"])
	require.Equal(t, "timeout", failed.jsonObj["page_scrape_error"])
	require.Equal(t, float64(3), failed.jsonObj["page_scrape_attempts"])
}

func TestHealth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		path   string
		db     Pinger
		status int
		want   map[string]any
	}{
		{"liveness", "/health", fakePinger{err: errors.New("down")}, 200, map[string]any{"status": "ok"}},
		{"db up", "/health/db", fakePinger{}, 200, map[string]any{"status": "ok", "store": "memory"}},
		{"db down", "/health/db", fakePinger{err: errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")}, 503, map[string]any{"status": "unavailable"}},
		{"no pinger", "/health/db", nil, 200, map[string]any{"status": "ok", "store": "memory"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) { d.DB = tc.db })
			res := e.do(t, request{method: "GET", path: tc.path}) // no token: health is public
			require.Equal(t, tc.status, res.status)
			require.Equal(t, tc.want, res.jsonObj)
		})
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		incoming string
		path     string
		keep     bool
	}{
		{"kept", "req-1.a:b_C", "/health", true},
		{"kept on an error", "abc-123", "/nope", true},
		{"generated when absent", "", "/health", false},
		{"replaced when it has spaces", "a b", "/health", false},
		{"replaced when it has a newline escape", "a%0d%0aSet-Cookie:x", "/health", false},
		{"replaced when too long", strings.Repeat("x", 129), "/health", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			res := e.do(t, request{method: "GET", path: tc.path, headers: map[string]string{"X-Request-ID": tc.incoming}})
			got := res.header.Get("X-Request-ID")
			if tc.keep {
				require.Equal(t, tc.incoming, got)
				return
			}
			_, err := uuid.Parse(got)
			require.NoError(t, err, "a generated ID is a UUID: %q", got)
			require.NotEqual(t, tc.incoming, got)
		})
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: userToken(t, "log-user"),
		headers: map[string]string{"X-Request-ID": "log-req"}})
	require.Equal(t, http.StatusOK, res.status)

	var line map[string]any
	for _, rec := range e.logs.records(t) {
		if rec["msg"] == "http request" {
			line = rec
		}
	}
	require.NotNil(t, line, "logs: %s", e.logs.String())
	require.Equal(t, "GET", line["method"])
	require.Equal(t, "/api/v3/domains/"+e.seed.fresh.ID.String(), line["path"])
	require.Equal(t, float64(200), line["status"])
	require.Equal(t, "log-req", line["request_id"])
	require.Equal(t, "log-user", line["user_id"])
	require.IsType(t, float64(0), line["duration_ms"], "milliseconds, the unit in the key")
	require.NotContains(t, line, "duration")
	require.Equal(t, "DEBUG", line["level"], "a successful read is at debug")
}

// TestAccessLogLevels: reads that succeed (assets, polling) at debug,
// writes and refusals at info, server errors at warn.
func TestAccessLogLevels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	e.do(t, request{method: "GET", path: "/health"})
	e.do(t, request{method: "GET", path: "/api/v3/domains?page=1", token: tok})
	e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: tok,
		body: `{"domain_ids":["` + e.seed.fresh.ID.String() + `"],"email_scan_status":"Maybe"}`})
	e.do(t, request{method: "GET", path: "/api/v3/domains/nope", token: tok})
	levels := map[string]string{}
	for _, rec := range e.logs.records(t) {
		if rec["msg"] == "http request" {
			levels[rec["method"].(string)+" "+rec["path"].(string)] = rec["level"].(string)
		}
	}
	require.Equal(t, map[string]string{
		"GET /health":                           "DEBUG",
		"GET /api/v3/domains":                   "DEBUG",
		"PUT /api/v3/domains/email-scan/status": "INFO",
		"GET /api/v3/domains/nope":              "INFO",
	}, levels)
	require.Equal(t, slog.LevelWarn, accessLevel("GET", 503))
	require.Equal(t, slog.LevelInfo, accessLevel("DELETE", 200))
}

// TestInternalErrors checks that store failures, panics and timeouts are
// answered without their cause, which goes to the log instead.
func TestInternalErrors(t *testing.T) {
	t.Parallel()
	sqlErr := errors.New(`pq: relation "domains" does not exist`)
	cases := []struct {
		name    string
		rec     *recordingUpdater
		timeout time.Duration
		status  int
		body    string
		logged  string
	}{
		{"store error", &recordingUpdater{err: sqlErr}, 0, 500, `{"detail":"internal error"}`, `pq: relation \"domains\" does not exist`},
		{"panic", &recordingUpdater{panicVal: "boom: SELECT secret FROM users"}, 0, 500, `{"detail":"internal error"}`, "panic: boom: SELECT secret FROM users"},
		{"deadline", &recordingUpdater{block: true}, 50 * time.Millisecond, 503, `{"detail":"request timed out"}`, "context deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *Config, d *Deps) { d.EmailScan = tc.rec; c.RequestTimeout = tc.timeout })
			res := e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: userToken(t, "u"),
				body: `{"domain_ids":["` + e.seed.fresh.ID.String() + `"],"email_scan_status":"Selected"}`})
			require.Equal(t, tc.status, res.status)
			require.JSONEq(t, tc.body, string(res.raw))
			require.Equal(t, tc.body, string(res.raw), "the body is exactly the detail")

			var failure map[string]any
			for _, rec := range e.logs.records(t) {
				if rec["msg"] == "request failed" {
					failure = rec
				}
			}
			require.NotNil(t, failure, "the cause is logged: %s", e.logs.String())
			require.Equal(t, "ERROR", failure["level"])
			require.Contains(t, failure["error"], strings.ReplaceAll(tc.logged, `\"`, `"`))
			require.Equal(t, res.header.Get("X-Request-ID"), failure["request_id"])
		})
	}
}

func TestNewRefusesIncompleteSetup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	full := e.server.deps
	cases := []struct {
		name string
		cfg  Config
		deps Deps
		want string
	}{
		{"no updater", Config{JWTSecret: testSecret}, Deps{Submitter: full.Submitter, Domains: full.Domains}, "Deps needs"},
		{"no auth", Config{}, full, "nobody could authenticate"},
		{"dev token allowed but empty", Config{AllowDevToken: true}, full, "nobody could authenticate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.cfg, tc.deps)
			require.ErrorContains(t, err, tc.want)
		})
	}
	srv, err := New(Config{DevToken: "x", AllowDevToken: true}, full)
	require.NoError(t, err)
	require.Equal(t, DefaultRequestTimeout, srv.cfg.RequestTimeout)
	require.Equal(t, DefaultBodyLimit, srv.cfg.BodyLimit)
	require.Equal(t, "unknown", srv.cfg.StoreKind)
}

// TestDevTokenAccepted checks the dev token's user and that a JWT still works
// beside it.
func TestDevTokenAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDevToken(true))
	for _, tok := range []string{testDevToken, userToken(t, "u")} {
		res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: tok})
		require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	}
	res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(),
		headers: map[string]string{"Authorization": "bearer " + testDevToken}})
	require.Equal(t, http.StatusOK, res.status, "the scheme is case-insensitive")
}

// TestAccessLogOversizedBody checks the line for a request Fiber refuses
// before any middleware runs.
func TestAccessLogOversizedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) { c.BodyLimit = 1024 })
	res := e.do(t, request{method: "POST", path: "/api/v3/domains/direct-submit", network: true, headersOnly: true,
		headers: map[string]string{"X-Request-ID": "big-1"},
		body:    `{"domains":["` + strings.Repeat("a", 2048) + `"]}`})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status)
	require.Equal(t, "big-1", res.header.Get("X-Request-ID"))
	require.Contains(t, res.jsonObj["detail"], "1024 bytes")

	var line map[string]any
	for _, rec := range e.logs.records(t) {
		if rec["msg"] == "http request" {
			line = rec
		}
	}
	require.NotNil(t, line, "logs: %s", e.logs.String())
	require.Equal(t, float64(413), line["status"])
	require.Equal(t, "big-1", line["request_id"])
	require.Equal(t, "/api/v3/domains/direct-submit", line["path"])
}

// BenchmarkEmailScanStatusMaxBatch measures one full-size request through
// the whole stack (auth, decode, validation, memory store) via app.Test.
func BenchmarkEmailScanStatusMaxBatch(b *testing.B) {
	e := newEnv(b)
	ids := make([]string, curation.MaxBatch)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	ids[0] = e.seed.fresh.ID.String()
	body, err := json.Marshal(map[string]any{"domain_ids": ids, "email_scan_status": "Maybe"})
	require.NoError(b, err)
	tok := userToken(b, "bench")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPut, "/api/v3/domains/email-scan/status", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := e.server.App().Test(req, -1)
		require.NoError(b, err)
		require.Equal(b, http.StatusOK, res.StatusCode)
		res.Body.Close()
	}
}
