package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
)

// site is a local web site that counts the requests of every path.
type site struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	block chan struct{} // when not nil, /slow waits for it
	slow  chan struct{} // receives when /slow is requested
}

// newSite serves a home page linking to pages p1..pN and /contact; emails
// sit on a few of them.
func newSite(t *testing.T, pages int) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		block, slow := s.block, s.slow
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
			return
		case r.URL.Path == "/slow" && block != nil:
			// Signal the first arrival; a second request (a retry, a
			// rescue) must not block here forever, or the server's Close
			// in the test's cleanup waits for it.
			select {
			case slow <- struct{}{}:
			default:
			}
			select {
			case <-block:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<html><body><nav>")
		if r.URL.Path == "/" {
			for i := 1; i <= pages; i++ {
				fmt.Fprintf(&b, `<a href="/p%d">page %d</a> `, i, i)
			}
			b.WriteString(`<a href="/contact">Contact us</a> <a href="/private">private</a>`)
			if block != nil {
				b.WriteString(`<a href="/slow">Kontakt</a>`)
			}
		}
		b.WriteString("</nav><main>")
		switch r.URL.Path {
		case "/contact":
			b.WriteString(`<p>Write to <a href="mailto:info@acme-widgets.com?subject=hi">info@acme-widgets.com</a></p>
				<table><tr><td>sales@acme-widgets.com</td><td>Phone</td></tr></table>
				<p>Press: press [at] acme-widgets [dot] com</p>`)
		case "/p5":
			b.WriteString(`<p>Our founder: mara.lopez@gmail.com</p>`)
		case "/p7":
			b.WriteString(`<p>Partner: bob@partner-firm.org</p><img src="logo@2x.png">`)
		case "/slow":
			b.WriteString(`<p>slow page: help@acme-widgets.com</p>`)
		case "/private":
			b.WriteString(`<p>secret@acme-widgets.com</p>`)
		}
		b.WriteString("</main></body></html>")
		fmt.Fprint(w, b.String())
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *site) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

type contactRow struct {
	Email    string `bun:"email"`
	Type     string `bun:"email_type"`
	HasGmail bool   `bun:"has_gmail"`
	Source   string `bun:"source_url"`
}

func contactsOf(t *testing.T, db *bun.DB, id string) map[string]contactRow {
	t.Helper()
	var rows []contactRow
	require.NoError(t, db.NewRaw(`SELECT email, email_type, has_gmail, source_url FROM contacts WHERE domain_id = ?`, id).Scan(context.Background(), &rows))
	out := map[string]contactRow{}
	for _, r := range rows {
		_, dup := out[r.Email]
		require.False(t, dup, "duplicate contact %s", r.Email)
		out[r.Email] = r
	}
	return out
}

type domainView struct {
	Status        *string `json:"page_scrape_status"`
	Error         *string `json:"page_scrape_error"`
	Attempts      int     `json:"page_scrape_attempts"`
	PagesScanned  int     `json:"pages_scanned"`
	ContactsFound int     `json:"contacts_found"`
	FinishedAt    *string `json:"page_scrape_finished_at"`
}

func domainOf(t *testing.T, base, id string) domainView {
	t.Helper()
	var d domainView
	require.Equal(t, http.StatusOK, call(t, "GET", base+"/api/v3/domains/"+id, nil, &d))
	return d
}

func settled(d domainView) bool {
	return d.Status != nil && (*d.Status == "Completed" || *d.Status == "Error")
}

func workerEnv(dsn string, extra ...string) map[string]string {
	env := devEnv(dsn, "SCRAPERSKY_WORKERS", "2", "SCRAPERSKY_POLL_INTERVAL", "100ms",
		"SCRAPERSKY_ALLOW_PRIVATE_NETWORKS", "true", "SCRAPERSKY_RESCUE_INTERVAL", "200ms", "SCRAPERSKY_CRAWL_RATE", "200")
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// TestScanEndToEnd: a 23-page local site → direct-submit → PUT Selected →
// the in-process worker → classified contacts, domain Completed.
func TestScanEndToEnd(t *testing.T) {
	eachBackend(t, testScanEndToEnd)
}

func testScanEndToEnd(t *testing.T, b backend) {
	dsn := b.dsn(t)
	web := newSite(t, 20)
	p := startProc(t, workerEnv(dsn), "serve")
	db := b.open(t, dsn)

	id := submit(t, p.URL, web.URL).DomainIDs[0]
	var res map[string]any
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, &res))
	require.Equal(t, 1.0, res["queued_for_scan_count"])

	var d domainView
	waitFor(t, 60*time.Second, "the scan to finish", func() bool { d = domainOf(t, p.URL, id); return settled(d) })
	require.Equal(t, "Completed", *d.Status, "error: %v", d.Error)
	require.Nil(t, d.Error)
	require.Equal(t, 22, d.PagesScanned, "home, 20 pages and /contact; /private is disallowed")
	require.Equal(t, 1, d.Attempts)
	require.NotNil(t, d.FinishedAt)

	cs := contactsOf(t, db, id)
	want := map[string]string{
		"info@acme-widgets.com":  "service",
		"sales@acme-widgets.com": "service",
		"press@acme-widgets.com": "service",
		"mara.lopez@gmail.com":   "free",
		"bob@partner-firm.org":   "unknown",
	}
	require.Len(t, cs, len(want), "%v", cs)
	for email, typ := range want {
		require.Equal(t, typ, cs[email].Type, email)
	}
	require.True(t, cs["mara.lopez@gmail.com"].HasGmail)
	require.Equal(t, web.URL+"/contact", cs["info@acme-widgets.com"].Source)
	require.Equal(t, len(want), d.ContactsFound)
	require.Zero(t, web.hitsOf("/private"), "robots.txt is honoured")
	for i := 1; i <= 20; i++ {
		require.Equal(t, 1, web.hitsOf(fmt.Sprintf("/p%d", i)), "each page fetched once")
	}

	// The job's log line says what it did; /metrics times the scan.
	require.Regexp(t, `msg="job done" .*pages=22 contacts=5 duration_ms=\d+`, p.logs.String())
	metricsResp, err := http.Get(p.URL + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(metricsResp.Body)
	require.NoError(t, err)
	require.NoError(t, metricsResp.Body.Close())
	require.Contains(t, string(body), `scrapersky_scan_duration_seconds_count{result="completed"} 1`)
	require.Contains(t, string(body), `scrapersky_queue_oldest_age_seconds{workflow="email_scan"} 0`)
	require.Contains(t, string(body), `scrapersky_jobs_finished_total{outcome="done",workflow="email_scan"} 1`)
	require.Contains(t, string(body), `scrapersky_build_info{`)
	p.stop(t)
}

// TestSSRFGuardByDefault: without SCRAPERSKY_ALLOW_PRIVATE_NETWORKS the
// workers refuse loopback sites, by address and by name, and no request
// reaches them.
func TestSSRFGuardByDefault(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	web := newSite(t, 2)
	p := startProc(t, workerEnv(dsn, "SCRAPERSKY_ALLOW_PRIVATE_NETWORKS", "false"), "serve")
	port := web.URL[strings.LastIndex(web.URL, ":")+1:]
	ids := submit(t, p.URL, web.URL, "localhost:"+port).DomainIDs
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": ids, "email_scan_status": "Selected"}, nil))
	for _, id := range ids {
		var d domainView
		waitFor(t, 60*time.Second, "the scan to fail", func() bool { d = domainOf(t, p.URL, id); return settled(d) })
		require.Equal(t, "Error", *d.Status)
		require.NotNil(t, d.Error)
		require.Contains(t, *d.Error, "SSRF guard")
	}
	require.Zero(t, web.total(), "no request reached the loopback site")
}

// TestKilledWorkerIsRescued: a worker process is killed with SIGKILL in the
// middle of a scan; after its lease expires another worker process
// completes the domain, once, without duplicate contacts.
func TestKilledWorkerIsRescued(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db := pgtest.Open(t, dsn)
	web := newSite(t, 3)
	web.mu.Lock()
	web.block, web.slow = make(chan struct{}), make(chan struct{}, 4)
	web.mu.Unlock()

	api := startProc(t, devEnv(dsn), "serve")
	id := submit(t, api.URL, web.URL).DomainIDs[0]
	env := workerEnv(dsn, "SCRAPERSKY_WORKERS", "1", "SCRAPERSKY_LEASE", "3s", "SCRAPERSKY_SCAN_TIMEOUT", "2500ms")
	first := startProc(t, env, "worker")
	require.Equal(t, http.StatusOK, call(t, "PUT", api.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, nil))

	select {
	case <-web.slow:
	case <-time.After(30 * time.Second):
		t.Fatalf("the first worker never reached the slow page\n%s", first.logs.String())
	}
	first.kill(t)
	require.Equal(t, "InProgress", *domainOf(t, api.URL, id).Status, "the dead worker's claim is still there")
	close(web.block)

	second := startProc(t, env, "worker")
	var d domainView
	waitFor(t, 60*time.Second, "the rescued scan to finish", func() bool { d = domainOf(t, api.URL, id); return settled(d) })
	require.Equal(t, "Completed", *d.Status, "error: %v", d.Error)
	require.Equal(t, 2, d.Attempts, "the rescue cost one attempt")
	cs := contactsOf(t, db, id)
	require.Contains(t, cs, "help@acme-widgets.com")
	require.Contains(t, cs, "info@acme-widgets.com")
	second.stop(t)
	require.Contains(t, second.logs.String(), "rescued domains with expired leases")
}
