package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newSitemapSite serves robots.txt pointing at a gzip sitemap index with two
// children (3 standard URLs, 2 image URLs), and a contact page.
func newSitemapSite(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := srv.URL
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap_index.xml.gz\n", base)
		case "/sitemap_index.xml.gz":
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			fmt.Fprintf(zw, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%s/pages.xml</loc><lastmod>2026-10-01</lastmod></sitemap>
  <sitemap><loc>%s/images.xml</loc></sitemap>
</sitemapindex>`, base, base)
			require.NoError(t, zw.Close())
			w.Header().Set("Content-Type", "application/gzip")
			_, _ = w.Write(buf.Bytes())
		case "/pages.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/</loc></url><url><loc>%[1]s/about</loc></url><url><loc>%[1]s/contact</loc></url></urlset>`, base)
		case "/images.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>%[1]s/gallery</loc><image:image><image:loc>%[1]s/a.png</image:loc></image:image></url>
<url><loc>%[1]s/shop</loc><image:image><image:loc>%[1]s/b.png</image:loc></image:image></url></urlset>`, base)
		case "/", "/about", "/contact":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/contact">Contact</a><p>hello@acme-widgets.com</p>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestBothWorkflowsSideBySide: five sites are selected for the email scan
// and the sitemap analysis at once; one process runs both workflows'
// workers and every domain completes in both, with the sitemap files and
// counts stored.
func TestBothWorkflowsSideBySide(t *testing.T) {
	eachBackend(t, testBothWorkflows)
}

func testBothWorkflows(t *testing.T, b backend) {
	dsn := b.dsn(t)
	var sites []string
	for range 5 {
		sites = append(sites, newSitemapSite(t).URL)
	}
	p := startProc(t, workerEnv(dsn, "SCRAPERSKY_WORKERS", "1", "SCRAPERSKY_SITEMAP_WORKERS", "1"), "serve")
	db := b.open(t, dsn)
	ids := submit(t, p.URL, sites...).DomainIDs
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/sitemap-curation/status",
		map[string]any{"domain_ids": ids, "sitemap_curation_status": "Selected"}, nil))
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": ids, "email_scan_status": "Selected"}, nil))

	ctx := context.Background()
	waitFor(t, 90*time.Second, "both workflows to finish", func() bool {
		var n int
		require.NoError(t, db.NewRaw(`SELECT count(*) FROM domains
			WHERE page_scrape_status IN ('Completed','Error') AND sitemap_analysis_status IN ('Completed','Error')`).Scan(ctx, &n))
		return n == len(ids)
	})
	type row struct {
		Domain   string  `bun:"domain"`
		Scan     string  `bun:"page_scrape_status"`
		Analysis string  `bun:"sitemap_analysis_status"`
		AErr     *string `bun:"sitemap_analysis_error"`
		Files    int     `bun:"sitemap_count"`
		URLs     int     `bun:"sitemap_url_count"`
		Contacts int     `bun:"contacts_found"`
	}
	var rows []row
	require.NoError(t, db.NewRaw(`SELECT domain, page_scrape_status, sitemap_analysis_status, sitemap_analysis_error,
		sitemap_count, sitemap_url_count, contacts_found FROM domains`).Scan(ctx, &rows))
	for _, r := range rows {
		require.Equal(t, "Completed", r.Scan, r.Domain)
		require.Equal(t, "Completed", r.Analysis, "%s: %v", r.Domain, r.AErr)
		require.Equal(t, 3, r.Files, "index and two children")
		require.Equal(t, 5, r.URLs)
		require.Equal(t, 1, r.Contacts)
	}
	type file struct {
		URL       string `bun:"url"`
		Type      string `bun:"type"`
		Discovery string `bun:"discovery"`
		Count     int    `bun:"url_count"`
	}
	var files []file
	require.NoError(t, db.NewRaw(`SELECT url, type, discovery, url_count FROM sitemap_files f JOIN domains d ON d.id = f.domain_id
		WHERE d.id = ? ORDER BY url`, ids[0]).Scan(ctx, &files))
	require.Len(t, files, 3)
	want := map[string]file{
		"/images.xml":           {Type: "image", Discovery: "sitemap_index", Count: 2},
		"/pages.xml":            {Type: "standard", Discovery: "sitemap_index", Count: 3},
		"/sitemap_index.xml.gz": {Type: "index", Discovery: "robots_txt", Count: 2},
	}
	for _, f := range files {
		path := f.URL[strings.LastIndex(f.URL, "/"):]
		w, ok := want[path]
		require.True(t, ok, f.URL)
		require.Equal(t, w.Type, f.Type, f.URL)
		require.Equal(t, w.Discovery, f.Discovery, f.URL)
		require.Equal(t, w.Count, f.Count, f.URL)
	}

	var listed struct {
		Items []map[string]any `json:"items"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+ids[0]+"/sitemaps", nil, &listed))
	require.Len(t, listed.Items, 3)

	// Metrics show both workflows' work.
	resp, err := http.Get(p.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	require.NoError(t, err)
	require.Contains(t, body.String(), `scrapersky_jobs_finished_total{outcome="done",workflow="email_scan"} 5`)
	require.Contains(t, body.String(), `scrapersky_jobs_finished_total{outcome="done",workflow="sitemap_analysis"} 5`)
	require.Contains(t, body.String(), `scrapersky_domains{column="sitemap_analysis_status",status="Completed"} 5`)
	require.Contains(t, body.String(), `scrapersky_http_request_duration_seconds_count{method="PUT",route="/api/v3/domains/email-scan/status",status="200"} 1`)
}
