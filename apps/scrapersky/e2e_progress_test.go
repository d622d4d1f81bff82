package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestProgressWhileScanning: a slow 12-page site (150 ms a page) whose
// pages after /p5 wait until the test has seen the domain's figures
// advance while it is still InProgress; with SCRAPERSKY_MAX_PAGES=8 the
// scan then stops at the cap and the domain and its run say so.
func TestProgressWhileScanning(t *testing.T) {
	eachBackend(t, testProgressWhileScanning)
}

func testProgressWhileScanning(t *testing.T, b backend) {
	gate := make(chan struct{})
	var open sync.Once
	release := func() { open.Do(func() { close(gate) }) }
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		switch {
		case r.URL.Path == "/":
		case strings.HasPrefix(r.URL.Path, "/p"):
			if _, err := fmt.Sscanf(r.URL.Path, "/p%d", &i); err != nil || i < 1 || i > 11 {
				http.NotFound(w, r)
				return
			}
		default:
			http.NotFound(w, r) // robots.txt, sitemaps
			return
		}
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if i > 5 {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var body strings.Builder
		if i == 0 {
			for j := 1; j <= 11; j++ {
				fmt.Fprintf(&body, `<a href="/p%d">page %d</a> `, j, j)
			}
		}
		fmt.Fprintf(&body, `<p>person%d@acme-widgets.com</p>`, i)
		fmt.Fprint(w, body.String())
	})
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	t.Cleanup(release) // before the server closes: no handler waits forever

	p := startProc(t, workerEnv(b.dsn(t), "SCRAPERSKY_MAX_PAGES", "8", "SCRAPERSKY_WORKERS", "1"), "serve")
	id := submit(t, p.URL, web.URL).DomainIDs[0]
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, nil))

	type view struct {
		domainView
		PageCapReached bool `json:"page_cap_reached"`
	}
	get := func() view {
		var v view
		require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+id, nil, &v))
		return v
	}
	var mid view
	waitFor(t, 60*time.Second, "figures while the scan runs", func() bool {
		mid = get()
		return mid.PagesScanned > 0
	})
	require.Equal(t, "InProgress", *mid.Status, "the figures advanced before the scan finished")
	require.GreaterOrEqual(t, mid.PagesScanned, 5, "written every five pages")
	require.Less(t, mid.PagesScanned, 8)
	require.Equal(t, mid.PagesScanned, mid.ContactsFound, "one address a page")
	require.False(t, mid.PageCapReached, "not known while it runs")
	var scans struct {
		Items []struct {
			Outcome      string `json:"outcome"`
			PagesScanned int    `json:"pages_scanned"`
			PageCap      bool   `json:"page_cap_reached"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+id+"/scans", nil, &scans))
	require.Len(t, scans.Items, 1)
	require.Equal(t, "running", scans.Items[0].Outcome)
	require.Equal(t, mid.PagesScanned, scans.Items[0].PagesScanned, "the run advances with the domain")
	release()

	var end view
	waitFor(t, 60*time.Second, "the scan to finish", func() bool { end = get(); return settled(end.domainView) })
	require.Equal(t, "Completed", *end.Status, "error: %v", end.Error)
	require.Equal(t, 8, end.PagesScanned, "the cap")
	require.Equal(t, 8, end.ContactsFound)
	require.True(t, end.PageCapReached, "pages were left when the cap was hit")
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+id+"/scans", nil, &scans))
	require.Equal(t, "completed", scans.Items[0].Outcome)
	require.True(t, scans.Items[0].PageCap)
	p.stop(t)
}
