//go:build faults

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
)

// driverWords are fragments of what the driver and the network say; none
// may reach a field users read.
var driverWords = []string{"SQLSTATE", "FATAL", "pgdriver", "dial tcp", "connection refused", "connection reset", "EOF", "administrator command"}

// TestScansSurviveDatabaseRestarts restarts a throwaway PostgreSQL cluster
// (never the shared server) several times while a `scrapersky serve` with
// four workers crawls slow local sites. Every scan ends Completed, no site
// is crawled more than twice, no driver text reaches a user-visible field,
// and the API answers 503 (never 500) while the database is down and 200
// at once after it is back.
func TestScansSurviveDatabaseRestarts(t *testing.T) {
	const sites, restarts = 24, 4
	cluster := pgtest.NewCluster(t)

	homeHits := make([]atomic.Int32, sites)
	var crawling atomic.Int32 // site requests being answered right now
	var hosts []string
	for i := range sites {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			crawling.Add(1)
			defer crawling.Add(-1)
			switch r.URL.Path {
			case "/":
				homeHits[i].Add(1)
				time.Sleep(400 * time.Millisecond)
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, `<a href="/contact">Contact</a>`)
			case "/contact":
				time.Sleep(400 * time.Millisecond)
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprintf(w, `<p>info@site%d-widgets.com</p>`, i)
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		hosts = append(hosts, strings.TrimPrefix(srv.URL, "http://"))
	}

	p := startProc(t, devEnv(cluster.URL("postgres"),
		"SCRAPERSKY_WORKERS", "4", "SCRAPERSKY_POLL_INTERVAL", "50ms",
		"SCRAPERSKY_ALLOW_PRIVATE_NETWORKS", "true", "SCRAPERSKY_CRAWL_RATE", "1000",
		"SCRAPERSKY_LEASE", "30s", "SCRAPERSKY_SCAN_TIMEOUT", "25s", "SCRAPERSKY_RESCUE_INTERVAL", "1s",
		"SCRAPERSKY_REQUEST_TIMEOUT", "5s"), "serve")
	ids := submit(t, p.URL, hosts...).DomainIDs
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": ids, "email_scan_status": "Selected"}, nil))

	probe := p.URL + "/api/v3/domains/" + ids[0]
	var inFlight int32
	for r := range restarts {
		time.Sleep(1200 * time.Millisecond)
		inFlight += crawling.Load()
		cluster.Stop()
		status, body := authGet(t, probe)
		require.Equal(t, http.StatusServiceUnavailable, status, "restart %d, database down: %s", r, body)
		status, _ = authGet(t, p.URL+"/health/db")
		require.Equal(t, http.StatusServiceUnavailable, status, "restart %d: /health/db while down", r)
		time.Sleep(500 * time.Millisecond)
		cluster.Start()
		status, body = authGet(t, probe)
		require.Equal(t, http.StatusOK, status, "restart %d, database back: %s", r, body)
	}

	type domain struct {
		Status   *string `json:"page_scrape_status"`
		Error    *string `json:"page_scrape_error"`
		Attempts int     `json:"page_scrape_attempts"`
	}
	byID := map[string]domain{}
	waitFor(t, 120*time.Second, "every scan to end", func() bool {
		for _, id := range ids {
			var d domain
			if call(t, "GET", p.URL+"/api/v3/domains/"+id, nil, &d) != http.StatusOK {
				return false
			}
			byID[id] = d
			if d.Status == nil || (*d.Status != "Completed" && *d.Status != "Error") {
				return false
			}
		}
		return true
	})
	for i, id := range ids {
		d := byID[id]
		require.Equal(t, "Completed", *d.Status, "domain %s: error %v", hosts[i], d.Error)
		// The whole JSON users see, not only the error field.
		_, body := authGet(t, p.URL+"/api/v3/domains/"+id)
		for _, w := range driverWords {
			require.NotContains(t, body, w, hosts[i])
		}
	}
	var twice int
	for i := range homeHits {
		n := homeHits[i].Load()
		require.LessOrEqual(t, n, int32(2), "site %s crawled %d times", hosts[i], n)
		if n == 2 {
			twice++
		}
	}
	require.Positive(t, inFlight, "no crawl was in flight at any restart")
	// Results are stored by retrying in place, so a restart costs no
	// crawl; without that, 15 of 24 sites were crawled twice in this test.
	require.LessOrEqual(t, twice, restarts, "sites crawled twice")
	t.Logf("%d restarts, %d sites, %d crawls in flight at the restarts, %d sites crawled twice", restarts, sites, inFlight, twice)
}

// authGet sends a GET with the development token and returns the status
// and the body.
func authGet(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+devToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
