package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

// These tests drive the page in headless Chromium against fakeAPI, an
// in-memory implementation of the API contract: every control of the page,
// the exact wording of its messages, its keyboard behaviour, its layouts and
// its handling of hostile data. apps/scrapersky runs the same page against
// the real binary and PostgreSQL.

const testToken = "tok-0123"

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func rowDomains(b *browsertest.Tab) []string {
	return browsertest.Eval[[]string](b, `[...document.querySelectorAll('[data-testid=domain-row]')].map((r) => r.dataset.domain)`)
}

func textOf(b *browsertest.Tab, css string) string {
	return browsertest.Eval[string](b, `(document.querySelector(`+js(css)+`)?.textContent ?? '').trim()`)
}

// choose picks an option of a <select> as a user would: the value changes,
// then a change event bubbles up.
func choose(b *browsertest.Tab, id, value string) {
	b.Do("choose "+value+" in #"+id, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById(`+js(id)+`);
		if (![...s.options].some((o) => o.value === `+js(value)+`)) throw new Error('no option ' + `+js(value)+`);
		s.value = `+js(value)+`;
		s.dispatchEvent(new Event('change', { bubbles: true }));
	})()`))
}

func waitText(b *browsertest.Tab, css, want string) {
	b.WaitFor(css+" to read "+want, 10*time.Second,
		`(document.querySelector(`+js(css)+`)?.textContent ?? '').trim() === `+js(want),
		`(document.querySelector(`+js(css)+`)?.textContent ?? '').trim()`)
}

func waitRows(b *browsertest.Tab, n int) {
	b.WaitFor(fmt.Sprintf("%d rows", n), 10*time.Second,
		fmt.Sprintf(`document.querySelectorAll('[data-testid=domain-row]').length === %d`, n),
		`[...document.querySelectorAll('[data-testid=domain-row]')].map((r) => r.dataset.domain)`)
}

func rowSel(domain, testid string) chromedp.CSS {
	return chromedp.CSS(`[data-testid=domain-row][data-domain=` + js(domain) + `] [data-testid=` + testid + `]`)
}

func lastQuery(t *testing.T, f *fakeAPI) url.Values {
	t.Helper()
	qs := f.domainQueries()
	require.NotEmpty(t, qs)
	return qs[len(qs)-1]
}

// unexpectedErrors drops the console errors a test provoked on purpose: the
// browser logs every failed request (401, 422) as an error.
func unexpectedErrors(b *browsertest.Tab) []string {
	var out []string
	for _, e := range b.Errors() {
		if strings.Contains(e, "Failed to load resource: the server responded with a status of 4") {
			continue
		}
		out = append(out, e)
	}
	return out
}

func TestBrowserCurationPage(t *testing.T) {
	t.Parallel()
	f, page := startFake(t, testToken)
	seed(f)
	b := browsertest.New(t, 1280, 800)
	b.Do("open the page", chromedp.Navigate(page))

	// Sign-in: the development hint, a refused token, then the hinted one.
	b.WaitFor("the sign-in form", 5*time.Second, `!document.getElementById('signin-view').hidden`, "")
	require.Equal(t, testToken, textOf(b, "#dev-token"))
	b.Do("sign in with a bad token",
		chromedp.SendKeys(chromedp.ID("token-input"), "nope"),
		chromedp.Click(chromedp.ID("signin-submit")))
	waitText(b, "#signin-error", "Sign-in failed: invalid token: signature is invalid")
	require.True(t, browsertest.Eval[bool](b, `document.getElementById('app-view').hidden`))
	require.Nil(t, browsertest.Eval[*string](b, `sessionStorage.getItem('scrapersky.token')`))

	b.Do("sign in with the hinted token",
		chromedp.Click(chromedp.ID("use-dev-token")),
		chromedp.Click(chromedp.ID("signin-submit")))
	waitRows(b, 6)
	require.Equal(t, testToken, browsertest.Eval[string](b, `sessionStorage.getItem('scrapersky.token')`))
	require.Equal(t, page, browsertest.Eval[string](b, `location.href`), "the token never reaches the URL")

	// The default order and its query.
	q := lastQuery(t, f)
	require.Equal(t, url.Values{"page": {"1"}, "size": {"20"}, "sort_by": {"updated_at"}, "sort_desc": {"true"}}, q)
	require.Equal(t, []string{"tailspin-toys.net", "fabrikam.org", "contoso.example", "northwind-traders.com", "broken-site.io", "acme-widgets.com"}, rowDomains(b))
	sorted := `[...document.querySelectorAll('th[aria-sort]')].map((th) => th.dataset.sort + ':' + th.getAttribute('aria-sort'))`
	require.Equal(t, []string{"updated_at:descending"}, browsertest.Eval[[]string](b, sorted))

	// Sorting by a header: ascending first for text, then descending.
	b.Do("sort by domain", chromedp.Click(chromedp.CSS(`th[data-sort=domain] button`)))
	b.WaitFor("domain order", 5*time.Second, `document.querySelector('[data-testid=domain-row]').dataset.domain === 'acme-widgets.com'`, "")
	require.Equal(t, []string{"domain:ascending"}, browsertest.Eval[[]string](b, sorted))
	require.Equal(t, "domain", lastQuery(t, f).Get("sort_by"))
	require.Equal(t, "false", lastQuery(t, f).Get("sort_desc"))
	b.Do("reverse the order", chromedp.Click(chromedp.CSS(`th[data-sort=domain] button`)))
	b.WaitFor("reverse order", 5*time.Second, `document.querySelector('[data-testid=domain-row]').dataset.domain === 'tailspin-toys.net'`, "")
	require.Equal(t, []string{"domain:descending"}, browsertest.Eval[[]string](b, sorted))

	// Filters map to query parameters; the search is debounced.
	choose(b, "filter-email-scan", "Selected")
	waitRows(b, 2)
	require.Equal(t, "Selected", lastQuery(t, f).Get("email_scan_status"))
	choose(b, "filter-page-scrape", "null")
	waitRows(b, 0)
	require.Equal(t, "null", lastQuery(t, f).Get("page_scrape_status"))
	require.Equal(t, "No domains match these filters.", textOf(b, "#domains-empty"))
	require.True(t, browsertest.Eval[bool](b, `document.getElementById('domains-empty').checkVisibility()`))
	b.Do("clear the filters", chromedp.Click(chromedp.CSS(`#filters button[type=reset]`)))
	waitRows(b, 6)
	before := len(f.domainQueries())
	b.Do("search", chromedp.SendKeys(chromedp.ID("filter-domain"), "acme"))
	waitRows(b, 1)
	var searches []string
	for _, q := range f.domainQueries()[before:] {
		searches = append(searches, q.Get("domain_filter"))
	}
	require.Equal(t, "acme", searches[len(searches)-1])
	require.Less(t, len(searches), 4, "debounced: not a request per keystroke: %q", searches)
	b.Do("clear the search", chromedp.Click(chromedp.CSS(`#filters button[type=reset]`)))
	waitRows(b, 6)
	require.Empty(t, lastQuery(t, f).Get("domain_filter"))

	// Selection, then an update whose answer names a vanished domain.
	require.Equal(t, "0 selected", textOf(b, "#selected-count"))
	require.True(t, browsertest.Eval[bool](b, `document.getElementById('email-scan-apply').disabled`))
	b.Do("select two rows", chromedp.Click(rowSel("fabrikam.org", "row-select")), chromedp.Click(rowSel("contoso.example", "row-select")))
	require.Equal(t, "2 selected", textOf(b, "#selected-count"))
	ids := browsertest.Eval[[]string](b, `['fabrikam.org', 'contoso.example'].map((d) => document.querySelector('[data-domain="' + d + '"]').dataset.id)`)
	f.remove(ids[1])
	choose(b, "email-scan-status", "Selected")
	b.Do("apply", chromedp.Click(chromedp.ID("email-scan-apply")))
	waitText(b, "#notice", "1 updated, 1 queued for scan, 1 not found")
	put := f.lastPut()
	require.Equal(t, "Selected", put["email_scan_status"])
	require.ElementsMatch(t, []any{ids[0], ids[1]}, put["domain_ids"])
	require.True(t, browsertest.Eval[bool](b, `document.getElementById('notice').getAttribute('aria-live') === 'polite'`))

	// Live refresh carries the row through the fake worker to Completed.
	waitRows(b, 5)
	b.WaitFor("the live indicator", 5*time.Second, `!document.getElementById('live-indicator').hidden`, "")
	waitText(b, `[data-domain="fabrikam.org"] [data-field=page_scrape_status]`, "Completed")
	require.Equal(t, "2", textOf(b, `[data-domain="fabrikam.org"] [data-testid=contacts-found]`))
	b.WaitFor("the live indicator to go", 5*time.Second, `document.getElementById('live-indicator').hidden`, "")

	// Select all on the page, clear, and the sitemap action's wording.
	b.Do("select all", chromedp.Click(chromedp.ID("select-all")))
	require.Equal(t, "5 selected", textOf(b, "#selected-count"))
	b.Do("unselect all", chromedp.Click(chromedp.ID("select-all")))
	require.Equal(t, "0 selected", textOf(b, "#selected-count"))
	b.Do("select one", chromedp.Click(rowSel("tailspin-toys.net", "row-select")))
	b.Do("apply without a status", chromedp.Click(chromedp.ID("sitemap-curation-apply")))
	waitText(b, "#error", "Choose a status to apply first.")
	choose(b, "sitemap-curation-status", "Selected")
	b.Do("apply the sitemap status", chromedp.Click(chromedp.ID("sitemap-curation-apply")))
	waitText(b, "#notice", "1 updated, 1 queued for analysis")
	waitText(b, `[data-domain="tailspin-toys.net"] [data-field=sitemap_analysis_status]`, "Completed")
	b.Do("clear the selection", chromedp.Click(chromedp.ID("clear-selection")))

	// The detail dialog with the keyboard: Enter opens, Escape closes and
	// gives the focus back.
	b.Do("focus a domain", chromedp.Focus(rowSel("broken-site.io", "open-detail")))
	b.Do("open with Enter", chromedp.KeyEvent(kb.Enter))
	b.WaitFor("the dialog", 5*time.Second, `document.getElementById('detail').open`, "")
	require.Equal(t, "detail-close", browsertest.Eval[string](b, `document.activeElement.id`))
	waitText(b, "#detail-scan-error", "Error: fetch https://broken-site.io/: dial tcp: connection refused")
	require.Equal(t, "broken-site.io", textOf(b, "#detail-title"))
	require.Equal(t, "fetch https://broken-site.io/: dial tcp: connection refused",
		browsertest.Eval[string](b, `document.querySelector('[data-domain="broken-site.io"] [data-testid=row-error]').textContent`))
	require.Equal(t, "Error: fetch https://broken-site.io/: dial tcp: connection refused",
		browsertest.Eval[string](b, `document.querySelector('[data-domain="broken-site.io"] [data-field=page_scrape_status]').title`))
	b.Do("close with Escape", chromedp.KeyEvent(kb.Escape))
	b.WaitFor("the dialog to close", 5*time.Second, `!document.getElementById('detail').open`, "")
	require.Equal(t, "broken-site.io", browsertest.Eval[string](b, `document.activeElement.textContent`))
	require.Equal(t, "solid", browsertest.Eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`), "focus is visible")

	// Contacts, the source link and the CSV download.
	downloads := t.TempDir()
	b.Do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
		})
		return err
	}))
	b.Do("open acme", chromedp.Click(rowSel("acme-widgets.com", "open-detail")))
	b.WaitFor("contacts", 5*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 2`, "")
	link := browsertest.Eval[map[string]string](b, `(() => { const a = document.querySelector('[data-testid=contact-row] a');
		return { href: a.href, rel: a.rel, target: a.target, text: a.textContent }; })()`)
	require.Equal(t, map[string]string{"href": "http://acme-widgets.com/contact", "rel": "noopener noreferrer", "target": "_blank", "text": "/contact"}, link)
	require.Equal(t, "22", textOf(b, `[data-testid=fact-pages] dd`))
	b.WaitFor("scan history", 5*time.Second, `document.querySelectorAll('[data-testid=scan-row]').length === 2`, "")
	require.Equal(t, []string{"completed", "90.0 s", "22", "2 (+1)"}, browsertest.Eval[[]string](b,
		`[...document.querySelectorAll('[data-testid=scan-row]')[0].cells].slice(1).map((c) => c.textContent)`))
	require.Equal(t, "failed: HTTP 503", browsertest.Eval[string](b,
		`document.querySelectorAll('[data-testid=scan-row]')[1].cells[1].textContent`))
	b.Do("download", chromedp.Click(chromedp.ID("download-csv")))
	file := filepath.Join(downloads, "acme-widgets.com-contacts.csv")
	var csv []byte
	require.Eventually(t, func() bool {
		var err error
		csv, err = os.ReadFile(file)
		return err == nil && len(csv) > 0
	}, 10*time.Second, 50*time.Millisecond, "no download at %s", file)
	require.Contains(t, string(csv), "acme-widgets.com,info@acme-widgets.com,service,http://acme-widgets.com/contact")
	b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

	// Hostile data stays text.
	evil := `<img src=x onerror="window.__xss=1">.example`
	d := f.add(evil, 0, func(d *fakeDomain) {
		d.contacts = []fakeContact{f.contact(d, `"><script>window.__xss=3</script>@x.example`, "unknown", "/x")}
		d.contacts[0].SourceURL = "javascript:window.__xss=2"
	})
	b.Do("sort by newest", chromedp.Click(chromedp.CSS(`th[data-sort=updated_at] button`)))
	b.WaitFor("the hostile row", 5*time.Second, `document.querySelector('[data-testid=domain-row]').dataset.id === `+js(d.ID), "")
	require.Equal(t, evil, textOf(b, `[data-testid=domain-row] [data-testid=open-detail]`))
	b.Do("open it", chromedp.Click(chromedp.CSS(`[data-testid=domain-row] [data-testid=open-detail]`)))
	b.WaitFor("its contact", 5*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 1`, "")
	require.Equal(t, 0, browsertest.Eval[int](b, `document.querySelectorAll('img, script:not([src]), [data-testid=contact-row] a').length`))
	require.Equal(t, "javascript:window.__xss=2", textOf(b, `[data-testid=contact-row] td[data-label="Source page"]`))
	require.True(t, browsertest.Eval[bool](b, `window.__xss === undefined`))
	b.Do("close", chromedp.KeyEvent(kb.Escape))

	// Adding domains: a refused paste stores nothing and lists why; a good
	// one reports what was added.
	b.Do("open the add panel", chromedp.Click(chromedp.CSS(`#add-panel > summary`)))
	b.Do("paste", chromedp.SendKeys(chromedp.ID("paste-input"), "good.example, bad domain"), chromedp.Click(chromedp.CSS(`[data-testid=paste-submit]`)))
	waitText(b, "#add-report .report-title", "Nothing was added: 1 submitted domain(s) are invalid; nothing was stored")
	require.Equal(t, `bad domain — "bad domain" is not a valid host name`, textOf(b, "#add-report li"))
	b.Do("paste again", chromedp.Evaluate[chromedp.Void](`document.getElementById('paste-input').value = ''`),
		chromedp.SendKeys(chromedp.ID("paste-input"), "https://www.New-One.example/about\nsecond.example"),
		chromedp.Click(chromedp.CSS(`[data-testid=paste-submit]`)))
	waitText(b, "#add-report .report-title", "2 domains added: new-one.example, second.example")
	b.WaitFor("the new rows", 5*time.Second, `!!document.querySelector('[data-domain="new-one.example"]')`, "")
	require.Empty(t, browsertest.Eval[string](b, `document.getElementById('paste-input').value`))

	// Import: created, existing and rejected rows with their reasons.
	csvFile := filepath.Join(t.TempDir(), "domains.csv")
	require.NoError(t, os.WriteFile(csvFile, []byte("domain\nimported.example\nacme-widgets.com\nnot valid\n"), 0o600))
	b.Do("choose the file", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{csvFile}))
	b.Do("import", chromedp.Click(chromedp.CSS(`[data-testid=import-submit]`)))
	waitText(b, "#add-report .report-title", "domains.csv: 1 created, 1 existing, 1 rejected")
	require.Equal(t, `Row 4: not valid — "not valid" is not a valid host name`, textOf(b, "#add-report li"))

	// A token that stops working sends the user back to sign-in.
	f.setToken("rotated")
	choose(b, "page-size", "50")
	b.WaitFor("the sign-in form", 5*time.Second, `!document.getElementById('signin-view').hidden`, "")
	require.Equal(t, "Signed out: invalid token: signature is invalid", textOf(b, "#signin-error"))
	require.Nil(t, browsertest.Eval[*string](b, `sessionStorage.getItem('scrapersky.token')`))
	require.Equal(t, "token-input", browsertest.Eval[string](b, `document.activeElement.id`))

	require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
}

func TestBrowserNarrowScreen(t *testing.T) {
	t.Parallel()
	f, page := startFake(t, testToken)
	seed(f)
	b := browsertest.New(t, 390, 844)
	b.Do("open the page", chromedp.Navigate(page))

	// Keyboard-only sign-in: the token field has the focus.
	b.WaitFor("the focused token field", 5*time.Second, `document.activeElement && document.activeElement.id === 'token-input'`, "")
	b.Do("type the token and Enter", chromedp.KeyEvent(testToken), chromedp.KeyEvent(kb.Enter))
	waitRows(b, 6)

	require.LessOrEqual(t, browsertest.Eval[int](b, `document.documentElement.scrollWidth`), 390, "no sideways scrolling")
	require.Equal(t, "grid", browsertest.Eval[string](b, `getComputedStyle(document.querySelector('[data-testid=domain-row]')).display`), "rows are cards")
	require.Equal(t, "none", browsertest.Eval[string](b, `getComputedStyle(document.querySelector('th[data-sort=domain]')).display`))
	require.False(t, browsertest.Eval[bool](b, `document.getElementById('filters-panel').open`), "filters fold away")

	b.Do("open the filters", chromedp.Click(chromedp.CSS(`#filters-panel > summary`)))
	require.True(t, browsertest.Eval[bool](b, `document.getElementById('sort-select').checkVisibility()`))
	choose(b, "sort-select", "domain:asc")
	b.WaitFor("domain order", 5*time.Second, `document.querySelector('[data-testid=domain-row]').dataset.domain === 'acme-widgets.com'`, "")
	require.Equal(t, "domain", lastQuery(t, f).Get("sort_by"))
	require.Equal(t, "false", lastQuery(t, f).Get("sort_desc"))
	choose(b, "filter-email-scan", "Selected")
	waitRows(b, 2)
	require.Equal(t, "(1 active)", textOf(b, "#filters-active"))

	b.Do("open a domain", chromedp.Click(rowSel("acme-widgets.com", "open-detail")))
	b.WaitFor("contacts", 5*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 2`, "")
	width := browsertest.Eval[float64](b, `document.getElementById('detail').getBoundingClientRect().width`)
	require.LessOrEqual(t, width, 390.0)
	require.LessOrEqual(t, browsertest.Eval[int](b, `document.getElementById('detail').scrollWidth`),
		browsertest.Eval[int](b, `document.getElementById('detail').clientWidth`), "the dialog does not scroll sideways")
	require.LessOrEqual(t, browsertest.Eval[int](b, `document.documentElement.scrollWidth`), 390)
	require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
}
