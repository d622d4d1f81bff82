package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// renderSite is a site whose contact page builds its address from data the
// page fetches from its own site after load: the jsrun sandbox has no
// network, so only a full browser finds it.
func renderSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<p>Plain: desk@render-widgets.com</p><a href="/contact">Contact</a>`)
		case "/contact":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<div id="c"></div><script>
fetch('/team.json').then(r => r.json()).then(p => {
  document.getElementById('c').innerHTML = '<a href="mailto:' + p.u + '@' + p.d + '">' + p.u + '@' + p.d + '</a>';
});</script>`)
		case "/team.json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"u": "team", "d": "render-widgets.com"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func skipWithoutBrowser(t *testing.T) {
	t.Helper()
	if os.Getenv("SCRAPERSKY_SKIP_BROWSER") == "1" {
		t.Skip("SCRAPERSKY_SKIP_BROWSER=1")
	}
}

// TestCrawlRenderFindsWhatOnlyABrowserBuilds: `crawl` without --render
// finds the plain address only; with --render also the fetched one.
func TestCrawlRenderFindsWhatOnlyABrowserBuilds(t *testing.T) {
	skipWithoutBrowser(t)
	t.Parallel()
	srv := renderSite(t)
	emails := func(args ...string) []string {
		var out []string
		for _, r := range jsonLines(t, runOK(t, append([]string{"crawl", "--allow-private", "--json"}, args...)...)) {
			out = append(out, r.Email)
		}
		return out
	}
	require.ElementsMatch(t, []string{"desk@render-widgets.com"}, emails(hostOf(srv.URL)))
	require.ElementsMatch(t, []string{"desk@render-widgets.com", "team@render-widgets.com"}, emails("--render", hostOf(srv.URL)))
}

// TestScanRendersWithChromium: SCRAPERSKY_RENDER=chromium makes the
// workers store what only a browser builds.
func TestScanRendersWithChromium(t *testing.T) {
	skipWithoutBrowser(t)
	srv := renderSite(t)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "render.db")
	p := startProc(t, workerEnv(dsn, "SCRAPERSKY_RENDER", "chromium", "PATH", os.Getenv("PATH")), "serve")
	id := submit(t, p.URL, srv.URL).DomainIDs[0]
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, nil))
	var d domainView
	waitFor(t, 90*time.Second, "the scan to finish", func() bool { d = domainOf(t, p.URL, id); return settled(d) })
	require.Equal(t, "Completed", *d.Status, "error: %v", d.Error)
	p.stop(t)
	sqliteBackend := backends[1]
	require.Equal(t, "sqlite", sqliteBackend.name)
	cs := contactsOf(t, sqliteBackend.open(t, dsn), id)
	require.Contains(t, cs, "team@render-widgets.com")
	require.Contains(t, cs, "desk@render-widgets.com")
}
