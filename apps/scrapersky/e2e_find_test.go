package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// form is one way a site writes an address, on a page of its own; typ is
// the address's type against the local site (127.0.0.1, so a personal
// address on acme-widgets.com is "unknown", a role address "service").
type form struct {
	path  string
	body  string
	email string
	typ   string
}

// forms are the ways of writing an address the scan must find: plain,
// mailto, bracketed and spelled out, in data attributes, built by a script
// (run in the jsrun sandbox), reversed by a script, internationalised. Every
// page is listed only in the site's sitemap, so the crawl must read it to
// find them.
var forms = []form{
	{"/hidden/plain", `<p>Write to plain.person@acme-widgets.com</p>`, "plain.person@acme-widgets.com", "unknown"},
	{"/hidden/contact-mailto", `<p><a href="mailto:info@acme-widgets.com?subject=Hello">Mail us</a></p>`, "info@acme-widgets.com", "service"},
	{"/hidden/bracketed", `<p>Press: press [at] acme-widgets [dot] com</p>`, "press@acme-widgets.com", "service"},
	{"/hidden/spelled", `<p>Email us: support at acme-widgets dot com</p>`, "support@acme-widgets.com", "service"},
	{"/hidden/attribute", `<button class="reveal" data-user="jo.bloggs" data-domain="acme-widgets.com">Email Jo</button>`, "jo.bloggs@acme-widgets.com", "unknown"},
	{"/hidden/script", `<p id="c"></p><script>var u = 'sales', d = 'acme-widgets';
document.getElementById('c').innerHTML = '<a href="mailto:' + u + '&#64;' + d + '.com">Sales</a>';</script>`, "sales@acme-widgets.com", "service"},
	{"/hidden/script-reversed", `<script>document.write('moc.stegdiw-emca@seiriuqne'.split('').reverse().join(''));</script>`, "enquiries@acme-widgets.com", "service"},
	{"/hidden/idn", `<p>Schreiben Sie an jürgen.weiß@münchen-bäckerei.de</p>`, "jürgen.weiß@münchen-bäckerei.de", "unknown"},
}

// formsSite serves a home page linking only to /about, the form pages,
// listed in a sitemap reached through robots.txt and an index, a page
// robots.txt disallows (listed too) and, in the sitemap, a page of another
// site that must not be requested.
func formsSite(t *testing.T) *httptest.Server {
	t.Helper()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("another site was requested: %s", r.URL)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request's own host, not srv.URL: the handler may run before
		// the assignment to srv is visible to its goroutine (a data race).
		base := "http://" + r.Host
		page := func(title, body string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>%s</body></html>", title, title, body)
		}
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n\nSitemap: /maps/index.xml\n")
			return
		case "/maps/index.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s/maps/pages.xml</loc></sitemap></sitemapindex>`, base)
			return
		case "/maps/pages.xml":
			w.Header().Set("Content-Type", "application/xml")
			var b strings.Builder
			b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for _, f := range forms {
				fmt.Fprintf(&b, "<url><loc>%s%s</loc></url>", base, f.path)
			}
			fmt.Fprintf(&b, "<url><loc>%s/private/staff</loc></url><url><loc>%s/elsewhere</loc></url></urlset>", base, other.URL)
			fmt.Fprint(w, b.String())
			return
		case "/":
			page("Home", `<a href="/about">About us</a>`)
			return
		case "/about":
			page("About", "<p>We make widgets.</p>")
			return
		case "/private/staff":
			page("Staff", "<p>secret.staff@acme-widgets.com</p>")
			return
		}
		for _, f := range forms {
			if r.URL.Path == f.path {
				page(f.path, f.body)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runOK runs the built scrapersky with args and returns its stdout.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	return string(out)
}

// TestCrawlAndExtractCommandsFindEveryForm runs `scrapersky crawl` on the
// site, as an operator would: it finds every form's address on its
// sitemap-only page, classified, and nothing from the disallowed page or
// the other site. `scrapersky extract` on each page's URL finds the same.
func TestCrawlAndExtractCommandsFindEveryForm(t *testing.T) {
	t.Parallel()
	srv := formsSite(t)
	type found struct{ typ, source string }
	want := map[string]found{}
	var urls []string
	for _, f := range forms {
		want[f.email] = found{f.typ, srv.URL + f.path}
		urls = append(urls, srv.URL+f.path)
	}

	got := map[string]found{}
	for _, r := range jsonLines(t, runOK(t, "crawl", "--allow-private", "--json", hostOf(srv.URL))) {
		got[r.Email] = found{r.EmailType, r.SourceURL}
	}
	require.Equal(t, want, got)

	got = map[string]found{}
	args := append([]string{"extract", "--allow-private", "--json"}, urls...)
	for _, r := range jsonLines(t, runOK(t, args...)) {
		got[r.Email] = found{r.EmailType, r.SourceURL}
	}
	require.Equal(t, want, got)
}

// TestScanFindsEveryForm: the workers store every form's address as a
// contact of the right type, with the sitemap-only page as its source.
func TestScanFindsEveryForm(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		dsn := b.dsn(t)
		srv := formsSite(t)
		p := startProc(t, workerEnv(dsn), "serve")
		db := b.open(t, dsn)
		id := submit(t, p.URL, srv.URL).DomainIDs[0]
		require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
			map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, nil))
		var d domainView
		waitFor(t, 60*time.Second, "the scan to finish", func() bool { d = domainOf(t, p.URL, id); return settled(d) })
		require.Equal(t, "Completed", *d.Status, "error: %v", d.Error)
		require.Equal(t, 2+len(forms), d.PagesScanned, "home, /about and the sitemap-only pages")

		cs := contactsOf(t, db, id)
		require.Len(t, cs, len(forms), "%v", cs)
		for _, f := range forms {
			require.Equal(t, f.typ, cs[f.email].Type, f.email)
			require.Equal(t, srv.URL+f.path, cs[f.email].Source, f.email)
		}
		p.stop(t)
	})
}
