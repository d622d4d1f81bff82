package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// pageText is the trimmed text of the first element matching css.
func pageText(css string) string {
	return `(document.querySelector(` + jsString(css) + `)?.textContent ?? '').trim()`
}

// waitPageText waits until the first element matching css reads want.
func waitPageText(b *browsertest.Tab, timeout time.Duration, css, want string) {
	b.WaitFor(css+" to read "+jsString(want), timeout, pageText(css)+` === `+jsString(want), pageText(css))
}

// selectOption picks an option of a <select> as a user would: the value
// changes and a change event bubbles up.
func selectOption(b *browsertest.Tab, id, value string) {
	b.Do("choose "+value+" in #"+id, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById(`+jsString(id)+`);
		if (![...s.options].some((o) => o.value === `+jsString(value)+`)) throw new Error('no option ' + `+jsString(value)+`);
		s.value = `+jsString(value)+`;
		s.dispatchEvent(new Event('change', { bubbles: true }));
	})()`))
}

func domainRow(domain string) string {
	return `[data-testid=domain-row][data-domain=` + jsString(domain) + `]`
}

// requirePage checks that serve answers GET / with the curation page.
func requirePage(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET / of scrapersky serve: is web.Mount wired into serve?")
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
}

// signIn opens the page and signs in with the development token the page
// itself suggests.
func signIn(b *browsertest.Tab, base string) {
	b.Do("open the page", chromedp.Navigate(base+"/"))
	waitPageText(b, 10*time.Second, "#dev-token", devToken)
	b.Do("sign in with the suggested token",
		chromedp.Click(chromedp.ID("use-dev-token")),
		chromedp.Click(chromedp.ID("signin-submit")))
	b.WaitFor("the domains table", 10*time.Second,
		`!document.getElementById('app-view').hidden && document.getElementById('domains-table').getAttribute('aria-busy') === 'false' && document.getElementById('page-info').textContent !== ''`,
		`document.getElementById('signin-error').textContent`)
}

// addDomains pastes domains into the add form and waits for its report.
func addDomains(b *browsertest.Tab, domains ...string) {
	b.Do("open the add form", chromedp.Evaluate[chromedp.Void](`document.getElementById('add-panel').open || document.querySelector('#add-panel > summary').click()`))
	b.Do("paste the domains",
		chromedp.SendKeys(chromedp.ID("paste-input"), strings.Join(domains, "\n")),
		chromedp.Click(chromedp.CSS(`[data-testid=paste-submit]`)))
	waitPageText(b, 10*time.Second, "#add-report .report-title",
		fmt.Sprintf("%d domains added: %s", len(domains), strings.Join(domains, ", ")))
}

// selectAndApply ticks the rows of domains and applies an email scan status.
func selectAndApply(b *browsertest.Tab, status string, domains ...string) {
	for _, d := range domains {
		b.WaitFor("the row of "+d, 10*time.Second, `!!document.querySelector(`+jsString(domainRow(d))+`)`, "")
		b.Do("select "+d, chromedp.Click(chromedp.CSS(domainRow(d)+` [data-testid=row-select]`)))
	}
	waitPageText(b, 5*time.Second, "#selected-count", fmt.Sprintf("%d selected", len(domains)))
	selectOption(b, "email-scan-status", status)
	b.Do("apply", chromedp.Click(chromedp.ID("email-scan-apply")))
}

// TestBrowserCurationEndToEnd drives the curation page in headless Chromium
// against the real binary: sign in with the development token, add three
// local sites, select them for the email scan, read the API's counts, watch
// the live refresh carry them to Completed and find a site's contact in its
// detail. On failure browsertest leaves a screenshot and the console log
// under artifacts/ (or $SCRAPERSKY_ARTIFACTS).
func TestBrowserCurationEndToEnd(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	sites := []*site{newSite(t, 3), newSite(t, 3), newSite(t, 3)}
	p := startProc(t, workerEnv(dsn), "serve")
	requirePage(t, p.URL)
	b := browsertest.New(t, 1280, 800)

	signIn(b, p.URL)
	hosts := make([]string, len(sites))
	for i, s := range sites {
		hosts[i] = hostOf(s.URL)
	}
	addDomains(b, hosts...)
	selectAndApply(b, "Selected", hosts...)
	waitPageText(b, 10*time.Second, "#notice", "3 updated, 3 queued for scan")

	// No reload: the page refreshes itself while scans are queued or running.
	for _, h := range hosts {
		waitPageText(b, 45*time.Second, domainRow(h)+` [data-field=page_scrape_status]`, "Completed")
	}
	for _, s := range sites {
		require.Positive(t, s.hitsOf("/contact"), "the workers crawled %s", s.URL)
	}

	b.Do("open the second site", chromedp.Click(chromedp.CSS(domainRow(hosts[1])+` [data-testid=open-detail]`)))
	b.WaitFor("its contacts", 10*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 3`,
		`[...document.querySelectorAll('[data-testid=contact-row] td.email')].map((td) => td.textContent)`)
	require.Equal(t, hosts[1], browsertest.Eval[string](b, pageText("#detail-title")))
	contacts := browsertest.Eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('[data-testid=contact-row]')]
		.map((tr) => [tr.querySelector('td.email').textContent, tr.querySelector('a')?.href ?? '']))`)
	require.Equal(t, sites[1].URL+"/contact", contacts["info@acme-widgets.com"], "the contact and the page it was found on: %v", contacts)
	require.Equal(t, "3", browsertest.Eval[string](b, pageText("[data-testid=fact-contacts] dd")))
	require.Empty(t, b.Errors(), "console:\n%s", strings.Join(b.Console(), "\n"))
}

// TestCurationScreenshots renders the page with data at 1280×800 and
// 390×844 (and the detail dialog at 1280×800) and checks each picture's
// size and that it is not blank. It writes them into docs/ only with
// UPDATE_SCREENSHOTS=1, else into a temporary directory:
//
//	UPDATE_SCREENSHOTS=1 go test -run TestCurationScreenshots ./apps/scrapersky/
func TestCurationScreenshots(t *testing.T) {
	dsn := pgtest.DSN(t)
	p := startProc(t, workerEnv(dsn, "SCRAPERSKY_MAX_ATTEMPTS", "1"), "serve")
	requirePage(t, p.URL)

	// Three sites the workers crawl to the end, one that hangs on a page
	// (In progress), and a port nobody listens on (Error).
	done := []*site{newSite(t, 6), newSite(t, 9), newSite(t, 4)}
	hanging := newSite(t, 2)
	hanging.mu.Lock()
	hanging.block, hanging.slow = make(chan struct{}), make(chan struct{}, 1)
	hanging.mu.Unlock()
	t.Cleanup(func() { close(hanging.block) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())

	// Domains that only get curated: they are never queued, so nothing
	// outside this machine is ever fetched.
	curated := map[string]string{
		"northwind-traders.com": "Maybe",
		"contoso-pharma.com":    "Not a Fit",
		"fabrikam-design.io":    "New",
		"tailspin-toys.net":     "Archived",
		"wingtip-outdoor.co":    "Maybe",
	}
	var names []string
	for name := range curated {
		names = append(names, name)
	}
	ids := submit(t, p.URL, names...)
	for i, name := range ids.NormalizedDomains {
		if st := curated[name]; st != "New" {
			require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
				map[string]any{"domain_ids": []string{ids.DomainIDs[i]}, "email_scan_status": st}, nil))
		}
	}
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/sitemap-curation/status",
		map[string]any{"domain_ids": []string{ids.DomainIDs[0]}, "sitemap_curation_status": "Maybe"}, nil))

	scanned := []string{hostOf(hanging.URL), refused}
	for _, s := range done {
		scanned = append(scanned, hostOf(s.URL))
	}
	submit(t, p.URL, scanned...)

	docs := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		docs = filepath.Join(moduleRoot(t), "docs")
		require.NoError(t, os.MkdirAll(docs, 0o755))
	}
	shot := func(width, height int, name string, detail bool) {
		b := browsertest.New(t, width, height)
		signIn(b, p.URL)
		if width > 600 {
			selectAndApply(b, "Selected", scanned...)
			waitPageText(b, 10*time.Second, "#notice", fmt.Sprintf("%d updated, %d queued for scan", len(scanned), len(scanned)))
			for _, s := range done {
				waitPageText(b, 45*time.Second, domainRow(hostOf(s.URL))+` [data-field=page_scrape_status]`, "Completed")
			}
			waitPageText(b, 45*time.Second, domainRow(refused)+` [data-field=page_scrape_status]`, "Error")
			waitPageText(b, 45*time.Second, domainRow(hostOf(hanging.URL))+` [data-field=page_scrape_status]`, "In progress")
		}
		b.Do("settle", chromedp.Sleep(300*time.Millisecond))
		path := filepath.Join(docs, name)
		require.NoError(t, b.Screenshot(path, false))
		requireScreenshot(t, path, width, height)
		t.Logf("wrote %s", path)
		if detail {
			b.Do("open a scanned site", chromedp.Click(chromedp.CSS(domainRow(hostOf(done[1].URL))+` [data-testid=open-detail]`)))
			b.WaitFor("its contacts", 10*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length > 0`, "")
			b.Do("settle", chromedp.Sleep(300*time.Millisecond))
			path := filepath.Join(docs, "curation-detail-1280.png")
			require.NoError(t, b.Screenshot(path, false))
			requireScreenshot(t, path, width, height)
			t.Logf("wrote %s", path)
		}
	}
	shot(1280, 800, "curation-1280.png", true)
	shot(390, 844, "curation-390.png", false)
}

// moduleRoot is the nearest directory above the working directory that
// holds a go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		require.NotEqual(t, d, filepath.Dir(d), "no go.mod above %s", dir)
	}
}
