package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
)

// put sends a status update with the development token and returns the
// status, the Retry-After header and the body.
func put(t *testing.T, url, body string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "PUT", url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+devToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// TestRowLockedElsewhereIs503AndLeavesNoLocks: a PUT waits for a row that
// another connection holds locked. It answers 503 with Retry-After before
// its deadline, and its statement does not run on holding the rows it did
// lock: a next PUT on one of those rows succeeds while the other lock is
// still held.
func TestRowLockedElsewhereIs503AndLeavesNoLocks(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	p := startProc(t, devEnv(dsn, "SCRAPERSKY_REQUEST_TIMEOUT", "2s"), "serve")
	ids := submit(t, p.URL, "first.example.org", "second.example.org").DomainIDs
	// The update locks rows in ID order: lock the later one elsewhere so
	// that the PUT takes the earlier one and then waits.
	first, second := ids[0], ids[1]
	if second < first {
		first, second = second, first
	}

	db := pgtest.Open(t, dsn)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SELECT id FROM domains WHERE id = ? FOR UPDATE", second)
	require.NoError(t, err)

	url := p.URL + "/api/v3/domains/email-scan/status"
	status, retryAfter, body := put(t, url, fmt.Sprintf(`{"domain_ids":["%s","%s"],"email_scan_status":"Selected"}`, first, second))
	require.Equal(t, http.StatusServiceUnavailable, status, body)
	require.Equal(t, "5", retryAfter)
	require.NotContains(t, body, "SQLSTATE")

	// The lock on second is still held; first must be free at once.
	status, _, body = put(t, url, fmt.Sprintf(`{"domain_ids":["%s"],"email_scan_status":"Selected"}`, first))
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, tx.Rollback())
}

var metricsListenRE = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)

// metricsURL waits for p's metrics listener and returns its base URL.
func metricsURL(t *testing.T, p *proc) string {
	t.Helper()
	var addr string
	waitFor(t, 30*time.Second, "the metrics listener", func() bool {
		m := metricsListenRE.FindStringSubmatch(p.logs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return "http://" + addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestMetricsListener: with SCRAPERSKY_METRICS_ADDR a worker process serves
// /metrics and the health checks there, and serve moves /metrics off the
// API listener.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	api := startProc(t, devEnv(dsn, "SCRAPERSKY_METRICS_ADDR", "127.0.0.1:0"), "serve")
	submit(t, api.URL, "counted.example.org")
	status, _ := get(t, api.URL+"/metrics")
	require.Equal(t, http.StatusNotFound, status, "/metrics is not on the API listener")
	status, body := get(t, metricsURL(t, api)+"/metrics")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "scrapersky_http_request_duration_seconds")

	worker := startProc(t, devEnv(dsn, "SCRAPERSKY_WORKERS", "1", "SCRAPERSKY_METRICS_ADDR", "127.0.0.1:0"), "worker")
	base := metricsURL(t, worker)
	status, body = get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "scrapersky_domains{")
	status, body = get(t, base+"/health")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"status":"ok"}`, body)
	status, _ = get(t, base+"/health/db")
	require.Equal(t, http.StatusOK, status)
}
