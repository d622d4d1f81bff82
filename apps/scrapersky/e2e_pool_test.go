package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDefaultPoolWakesOnPut: with the default slots and a poll interval
// of an hour, a PUT that queues domains is picked up at once by the same
// process's worker (the updater's OnQueued hook wakes it), and all sites
// are scanned at the same time.
func TestDefaultPoolWakesOnPut(t *testing.T) {
	const sites = 6
	var urls []string
	for i := range sites {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<p>hello@pool%d-widgets.com</p>`, i)
		}))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	env := devEnv("sqlite://"+filepath.Join(t.TempDir(), "pool.db"),
		"SCRAPERSKY_POLL_INTERVAL", "1h", "SCRAPERSKY_ALLOW_PRIVATE_NETWORKS", "true")
	delete(env, "SCRAPERSKY_WORKERS") // the defaults
	delete(env, "SCRAPERSKY_SITEMAP_WORKERS")
	p := startProc(t, env, "serve")
	waitFor(t, 10*time.Second, "the workers to start", func() bool {
		return strings.Contains(p.logs.String(), "workers started")
	})
	require.Contains(t, p.logs.String(), "email_scan=1000", "the default slots")
	require.Contains(t, p.logs.String(), "sitemap_analysis=20")

	ids := submit(t, p.URL, urls...).DomainIDs
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": ids, "email_scan_status": "Selected"}, nil))
	waitFor(t, 60*time.Second, "every site to be scanned long before the next poll", func() bool {
		for _, id := range ids {
			if d := domainOf(t, p.URL, id); d.Status == nil || *d.Status != "Completed" {
				return false
			}
		}
		return true
	})
	p.stop(t)
}
