package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

// These tests cover the curation page's bulk selection, its confirmation
// before a re-scan, its state in the URL, the contacts across domains and
// the detail's sitemap files and previous-run figures, each at a desktop
// and a phone width.

// widths runs test once per screen size, in parallel.
func widths(t *testing.T, test func(t *testing.T, b func() *browsertest.Tab, narrow bool)) {
	t.Helper()
	for _, size := range [][2]int{{1280, 800}, {390, 844}} {
		t.Run(fmt.Sprintf("%dpx", size[0]), func(t *testing.T) {
			t.Parallel()
			test(t, func() *browsertest.Tab { return browsertest.New(t, size[0], size[1]) }, size[0] < 600)
		})
	}
}

func signInTab(b *browsertest.Tab, page string) {
	b.Do("open the page", chromedp.Navigate(page))
	b.WaitFor("the sign-in form", 5*time.Second, `!document.getElementById('signin-view').hidden`, "")
	b.Do("sign in", chromedp.Click(chromedp.ID("use-dev-token")), chromedp.Click(chromedp.ID("signin-submit")))
	b.WaitFor("the domains", 10*time.Second, `document.getElementById('page-info').textContent !== ''`, `document.getElementById('signin-error').textContent`)
}

// click clicks an element by script: on a phone the table's header (and
// its select-all box) is folded into a label.
func click(b *browsertest.Tab, css string) {
	b.Do("click "+css, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(css)+`).click()`))
}

func (f *fakeAPI) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.step = 24 * time.Hour
}

func (f *fakeAPI) allPuts() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.puts...)
}

func allowDownloads(t *testing.T, b *browsertest.Tab) string {
	dir := t.TempDir()
	b.Do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		})
		return err
	}))
	return dir
}

func waitFile(t *testing.T, path string) string {
	t.Helper()
	var data []byte
	require.Eventually(t, func() bool {
		var err error
		data, err = os.ReadFile(path)
		return err == nil && len(data) > 0
	}, 10*time.Second, 50*time.Millisecond, "no download at %s", path)
	return string(data)
}

// TestBrowserSelectAllMatching: with the whole page selected, the page
// offers every domain matching the filter, collects their IDs through the
// listing and sends the update in batches of at most 10,000 IDs.
func TestBrowserSelectAllMatching(t *testing.T) {
	widths(t, func(t *testing.T, tab func() *browsertest.Tab, narrow bool) {
		f, page := startFake(t, testToken)
		f.stop()
		matching := 10_050
		if narrow {
			matching = 45
		}
		for i := range matching {
			f.add(fmt.Sprintf("match-%05d.example", i), time.Duration(i)*time.Second, nil)
		}
		for i := range 3 {
			f.add(fmt.Sprintf("other-%d.example", i), time.Minute, nil)
		}
		b := tab()
		signInTab(b, page)
		if narrow {
			b.Do("open the filters", chromedp.Click(chromedp.CSS(`#filters-panel > summary`)))
		}
		// By name: the fake sorts cheaply by it, even under the race detector.
		choose(b, "sort-select", "domain:asc")
		b.Do("search", chromedp.SendKeys(chromedp.ID("filter-domain"), "match-"))
		b.WaitFor("the filtered list", 10*time.Second, `document.getElementById('page-info').textContent.endsWith(`+js(fmt.Sprintf("· %d domains", matching))+`)`, `document.getElementById('page-info').textContent`)
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('select-matching').hidden`))

		click(b, "#select-all")
		require.Equal(t, "20 selected", textOf(b, "#selected-count"))
		label := fmt.Sprintf("Select all %s matching", map[bool]string{false: "10,050", true: "45"}[narrow])
		waitText(b, "#select-matching", label)
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('select-matching').checkVisibility()`))
		b.Do("select all matching", chromedp.Click(chromedp.ID("select-matching")))
		want := fmt.Sprintf("%d selected (%d not shown)", matching, matching-20)
		b.WaitFor(want, 60*time.Second, `document.getElementById('selected-count').textContent === `+js(want), `document.getElementById('selected-count').textContent`)
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('select-matching').hidden`))

		choose(b, "email-scan-status", "Maybe")
		b.Do("apply", chromedp.Click(chromedp.ID("email-scan-apply")))
		waitText(b, "#notice", fmt.Sprintf("%d updated, 0 queued for scan", matching))
		puts := f.allPuts()
		seen := map[any]bool{}
		var sizes []int
		for _, p := range puts {
			ids := p["domain_ids"].([]any)
			sizes = append(sizes, len(ids))
			for _, id := range ids {
				seen[id] = true
			}
			require.Equal(t, "Maybe", p["email_scan_status"])
		}
		if narrow {
			require.Equal(t, []int{45}, sizes)
		} else {
			require.Equal(t, []int{10_000, 50}, sizes, "batches of at most 10,000")
		}
		require.Len(t, seen, matching, "every matching domain once")
		f.mu.Lock()
		for _, d := range f.domains {
			require.Equal(t, strings.HasPrefix(d.Domain, "match-"), d.EmailScanStatus == "Maybe", d.Domain)
		}
		f.mu.Unlock()
		require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
	})
}

// TestBrowserConfirmRescan: selecting Completed domains asks first, naming
// how many; cancelling sends nothing.
func TestBrowserConfirmRescan(t *testing.T) {
	widths(t, func(t *testing.T, tab func() *browsertest.Tab, _ bool) {
		f, page := startFake(t, testToken)
		seed(f)
		f.stop()
		b := tab()
		signInTab(b, page)
		waitRows(b, 6)
		click(b, string(rowSel("acme-widgets.com", "row-select")))
		click(b, string(rowSel("fabrikam.org", "row-select")))
		choose(b, "email-scan-status", "Selected")
		b.Do("apply", chromedp.Click(chromedp.ID("email-scan-apply")))
		b.WaitFor("the confirmation", 5*time.Second, `document.getElementById('confirm-rescan').open`, "")
		require.Equal(t, "1 of the 2 selected domains was already scanned (Completed). Selecting it scans it again.", textOf(b, "#confirm-rescan-text"))
		require.LessOrEqual(t, browsertest.Eval[float64](b, `document.getElementById('confirm-rescan').getBoundingClientRect().right`),
			browsertest.Eval[float64](b, `window.innerWidth`))
		b.Do("cancel", chromedp.Click(chromedp.CSS(`[data-testid=confirm-rescan-cancel]`)))
		waitText(b, "#notice", "Nothing changed.")
		require.False(t, browsertest.Eval[bool](b, `document.getElementById('confirm-rescan').open`))
		require.Nil(t, f.lastPut(), "cancel sends nothing")
		require.Equal(t, "Completed", textOf(b, `[data-domain="acme-widgets.com"] [data-field=page_scrape_status]`))
		require.Equal(t, "2 selected", textOf(b, "#selected-count"), "the selection stays")

		// A status other than Selected queues nothing and asks nothing.
		choose(b, "email-scan-status", "Maybe")
		b.Do("apply Maybe", chromedp.Click(chromedp.ID("email-scan-apply")))
		waitText(b, "#notice", "2 updated, 0 queued for scan")
		require.False(t, browsertest.Eval[bool](b, `document.getElementById('confirm-rescan').open`))

		choose(b, "email-scan-status", "Selected")
		b.Do("apply again", chromedp.Click(chromedp.ID("email-scan-apply")))
		b.WaitFor("the confirmation", 5*time.Second, `document.getElementById('confirm-rescan').open`, "")
		b.Do("confirm", chromedp.Click(chromedp.CSS(`[data-testid=confirm-rescan-ok]`)))
		waitText(b, "#notice", "2 updated, 2 queued for scan")
		require.Equal(t, "Selected", f.lastPut()["email_scan_status"])
		require.Len(t, f.lastPut()["domain_ids"], 2)

		// Moving them away from Selected cancels their scans.
		choose(b, "email-scan-status", "Not a Fit")
		b.Do("apply Not a Fit", chromedp.Click(chromedp.ID("email-scan-apply")))
		waitText(b, "#notice", "2 updated, 0 queued for scan, 2 cancelled")
		waitText(b, `[data-domain="acme-widgets.com"] [data-field=page_scrape_status]`, "Cancelled")
		require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
	})
}

// TestBrowserStateInURL: filters, order, page and the open domain are in
// the URL; a reload and the same link in another tab restore them.
func TestBrowserStateInURL(t *testing.T) {
	widths(t, func(t *testing.T, tab func() *browsertest.Tab, narrow bool) {
		f, page := startFake(t, testToken)
		seed(f)
		f.stop()
		for i := range 25 {
			f.add(fmt.Sprintf("bulk-%02d.example", i), time.Duration(i)*time.Minute, func(d *fakeDomain) { d.EmailScanStatus = "Selected" })
		}
		b := tab()
		signInTab(b, page)
		require.Equal(t, page, browsertest.Eval[string](b, `location.href`), "defaults leave the URL alone")
		if narrow {
			b.Do("open the filters", chromedp.Click(chromedp.CSS(`#filters-panel > summary`)))
		}
		choose(b, "filter-email-scan", "Selected")
		choose(b, "sort-select", "domain:desc")
		waitText(b, "#page-info", "Page 1 of 2 · 27 domains")
		b.Do("next page", chromedp.Click(chromedp.ID("next-page")))
		waitText(b, "#page-info", "Page 2 of 2 · 27 domains")
		require.Equal(t, "acme-widgets.com", rowDomains(b)[6])
		id := browsertest.Eval[string](b, `document.querySelector('[data-domain="acme-widgets.com"]').dataset.id`)
		b.Do("open acme", chromedp.Click(rowSel("acme-widgets.com", "open-detail")))
		b.WaitFor("contacts", 5*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 2`, "")
		link := browsertest.Eval[string](b, `location.href`)
		u, err := url.Parse(link)
		require.NoError(t, err)
		frag, err := url.ParseQuery(u.Fragment)
		require.NoError(t, err)
		require.Equal(t, url.Values{"email_scan_status": {"Selected"}, "sort": {"domain:desc"}, "page": {"2"}, "domain": {id}}, frag)
		require.NotContains(t, link, testToken)

		check := func(b *browsertest.Tab) {
			b.WaitFor("the open domain", 10*time.Second, `document.getElementById('detail').open && document.querySelectorAll('[data-testid=contact-row]').length === 2`, "")
			require.Equal(t, "acme-widgets.com", textOf(b, "#detail-title"))
			waitText(b, "#page-info", "Page 2 of 2 · 27 domains")
			require.Equal(t, "Selected", browsertest.Eval[string](b, `document.getElementById('filter-email-scan').value`))
			require.Equal(t, "domain:desc", browsertest.Eval[string](b, `document.getElementById('sort-select').value`))
			require.Equal(t, []string{"domain:descending"}, browsertest.Eval[[]string](b, `[...document.querySelectorAll('th[aria-sort]')].map((th) => th.dataset.sort + ':' + th.getAttribute('aria-sort'))`))
			q := lastQuery(t, f)
			require.Equal(t, "2", q.Get("page"))
			require.Equal(t, "Selected", q.Get("email_scan_status"))
			require.Equal(t, "domain", q.Get("sort_by"))
			require.Equal(t, "true", q.Get("sort_desc"))
		}
		b.Do("reload", chromedp.Reload())
		check(b)

		// Closing the domain takes it out of the URL.
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))
		b.WaitFor("no domain in the URL", 5*time.Second, `!location.hash.includes('domain=')`, `location.hash`)
		require.Contains(t, browsertest.Eval[string](b, `location.hash`), "page=2")

		// A link followed in the same tab changes the view too.
		b.Do("follow a link", chromedp.Evaluate[chromedp.Void](`location.hash = 'email_scan_status=Maybe'`))
		waitRows(b, 1)
		require.Equal(t, []string{"northwind-traders.com"}, rowDomains(b))
		require.Equal(t, "Maybe", browsertest.Eval[string](b, `document.getElementById('filter-email-scan').value`))
		require.Equal(t, "updated_at:desc", browsertest.Eval[string](b, `document.getElementById('sort-select').value`))

		// The link in a new tab (a new session: sign in first).
		other := tab()
		other.Do("open the link", chromedp.Navigate(link))
		other.WaitFor("the sign-in form", 5*time.Second, `!document.getElementById('signin-view').hidden`, "")
		other.Do("sign in", chromedp.Click(chromedp.ID("use-dev-token")), chromedp.Click(chromedp.ID("signin-submit")))
		check(other)
		require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
		require.Empty(t, unexpectedErrors(other), "console:\n%s", strings.Join(other.Console(), "\n"))
	})
}

// TestBrowserAllContacts: the contacts across domains with a search, a
// type filter, paging, the state in the URL and the CSV export of the
// filtered set, fetched with the token in a header.
func TestBrowserAllContacts(t *testing.T) {
	widths(t, func(t *testing.T, tab func() *browsertest.Tab, _ bool) {
		f, page := startFake(t, testToken)
		seed(f)
		f.stop()
		f.add("globex.example", time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("Completed")
			for i := range 55 {
				ct := f.contact(d, fmt.Sprintf("staff%02d@globex.example", i), "corporate", "/people")
				ct.Context = fmt.Sprintf("Write to staff%02d about sales", i)
				d.contacts = append(d.contacts, ct)
			}
			d.contacts = append(d.contacts, f.contact(d, "globex.owner@gmail.com", "free", "/about"))
			d.ContactsFound = len(d.contacts)
		})
		b := tab()
		signInTab(b, page)
		dir := allowDownloads(t, b)
		b.Do("open the contacts", chromedp.Click(chromedp.CSS(`#all-contacts-panel > summary`)))
		waitText(b, "#all-contacts-total", "(58)")
		require.Equal(t, 50, browsertest.Eval[int](b, `document.querySelectorAll('[data-testid=all-contact-row]').length`))
		waitText(b, "#all-contacts-page-info", "Page 1 of 2")
		b.Do("next page", chromedp.Click(chromedp.ID("all-contacts-next")))
		waitText(b, "#all-contacts-page-info", "Page 2 of 2")
		require.Contains(t, browsertest.Eval[string](b, `location.hash`), "cpage=2")

		choose(b, "all-contacts-type", "free")
		waitText(b, "#all-contacts-total", "(2)")
		require.Equal(t, []string{"globex.owner@gmail.com", "mara.lopez@gmail.com"}, browsertest.Eval[[]string](b,
			`[...document.querySelectorAll('[data-testid=all-contact-row]')].map((r) => r.dataset.email)`))
		b.Do("search", chromedp.SendKeys(chromedp.ID("all-contacts-q"), "globex"))
		waitText(b, "#all-contacts-total", "(1)")
		f.mu.Lock()
		q := f.contactQueries[len(f.contactQueries)-1]
		f.mu.Unlock()
		require.Equal(t, url.Values{"q": {"globex"}, "email_type": {"free"}, "page": {"1"}, "size": {"50"}}, q)
		require.Equal(t, "globex.example", textOf(b, `[data-testid=all-contact-domain]`))

		b.Do("download", chromedp.Click(chromedp.ID("all-contacts-csv")))
		csv := waitFile(t, filepath.Join(dir, "contacts.csv"))
		require.Equal(t, "email,email_type,domain,context\nglobex.owner@gmail.com,free,globex.example,\"\"\n", csv)
		f.mu.Lock()
		require.Equal(t, url.Values{"q": {"globex"}, "email_type": {"free"}}, f.csvQueries[len(f.csvQueries)-1])
		f.mu.Unlock()

		frag, err := url.ParseQuery(strings.TrimPrefix(browsertest.Eval[string](b, `location.hash`), "#"))
		require.NoError(t, err)
		require.Equal(t, url.Values{"contacts": {"1"}, "cq": {"globex"}, "ctype": {"free"}}, frag)
		b.Do("reload", chromedp.Reload())
		waitText(b, "#all-contacts-total", "(1)")
		require.Equal(t, "globex", browsertest.Eval[string](b, `document.getElementById('all-contacts-q').value`))

		// A filter that matches nothing says so; the domain opens the detail.
		choose(b, "all-contacts-type", "service")
		waitText(b, "#all-contacts-empty", "No contacts match these filters.")
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('all-contacts-csv').disabled`))
		choose(b, "all-contacts-type", "")
		waitText(b, "#all-contacts-total", "(56)")
		b.Do("clear the search", chromedp.Evaluate[chromedp.Void](`document.getElementById('all-contacts-q').value = ''`),
			chromedp.SendKeys(chromedp.ID("all-contacts-q"), "staff07"))
		waitText(b, "#all-contacts-total", "(1)")
		require.Equal(t, "Write to staff07 about sales", textOf(b, `[data-testid=all-contact-row] [data-testid=contact-context]`))
		b.Do("open its domain", chromedp.Click(chromedp.CSS(`[data-testid=all-contact-domain]`)))
		b.WaitFor("the detail", 5*time.Second, `document.getElementById('detail').open`, "")
		waitText(b, "#detail-title", "globex.example")
		require.LessOrEqual(t, browsertest.Eval[int](b, `document.documentElement.scrollWidth`), browsertest.Eval[int](b, `window.innerWidth`), "no sideways scrolling")
		require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
	})
}

// TestBrowserDetailRunsAndSitemaps: the detail shows each contact's context
// and last seen, the sitemap files, the whole error text, marks a previous
// run's figures while a re-scan is queued and a running scan's figures as
// so far, shows the page cap and the next attempt's time, and says "no
// contacts" only after a completed scan.
func TestBrowserDetailRunsAndSitemaps(t *testing.T) {
	widths(t, func(t *testing.T, tab func() *browsertest.Tab, _ bool) {
		f, page := startFake(t, testToken)
		f.stop()
		seen := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
		longErr := "fetch https://rescan.example/: " + strings.Repeat("tls: handshake failure; ", 12) + "\nretry 3 of 3 gave up: the end of the error"
		f.add("rescan.example", time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("Queued")
			finished := time.Now().Add(-48 * time.Hour).UTC()
			d.PageScrapeFinishedAt = &finished
			d.PagesScanned, d.ContactsFound = 12, 1
			ct := f.contact(d, "sales@rescan.example", "service", "/contact")
			ct.Context = "Questions? Write to sales@rescan.example or call us."
			ct.LastSeenAt = seen
			d.contacts = []fakeContact{ct}
			lastmod := "2026-02-01T00:00:00Z"
			d.sitemaps = []fakeSitemap{
				{ID: "s1", DomainID: d.ID, URL: "http://rescan.example/sitemap.xml", Type: "index", Discovery: "robots", URLCount: 2, LastModified: &lastmod},
				{ID: "s2", DomainID: d.ID, URL: "http://rescan.example/sitemap-posts.xml", Type: "urlset", Discovery: "index", URLCount: 1234, Error: "cut short: more than 50,000 URLs"},
			}
		})
		f.add("failed.example", 2*time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("Error")
			d.PageScrapeError = &longErr
		})
		f.add("empty.example", 3*time.Hour, func(d *fakeDomain) { d.PageScrapeStatus = ptr("Completed") })
		f.add("fresh.example", 4*time.Hour, nil)
		f.add("first-run.example", 5*time.Hour, func(d *fakeDomain) { d.PageScrapeStatus = ptr("Queued") })
		f.add("scanning.example", 6*time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("InProgress")
			d.PagesScanned, d.ContactsFound = 7, 2
			d.scans = []map[string]any{{"id": "r1", "outcome": "running", "attempts": 1, "started_at": seen, "finished_at": nil,
				"duration_ms": nil, "next_attempt_at": nil, "pages_scanned": 7, "contacts_found": 2, "new_contacts": 0,
				"page_cap_reached": false, "error": nil}}
		})
		f.add("capped.example", 7*time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("Completed")
			d.PagesScanned, d.PageCapReached = 30, true
			d.scans = []map[string]any{{"id": "r2", "outcome": "completed", "attempts": 1, "started_at": seen, "finished_at": seen.Add(time.Minute),
				"duration_ms": 60000, "next_attempt_at": nil, "pages_scanned": 30, "contacts_found": 0, "new_contacts": 0,
				"page_cap_reached": true, "error": nil}}
		})
		retryAt := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
		f.add("retry.example", 8*time.Hour, func(d *fakeDomain) {
			d.PageScrapeStatus = ptr("Queued")
			d.PageScrapeError = ptr("HTTP 503; will retry")
			d.PageScrapeNextAttemptAt = &retryAt
			d.PagesScanned = 3
		})
		b := tab()
		signInTab(b, page)
		waitRows(b, 8)

		require.Equal(t, "This scan so far; it is still running",
			browsertest.Eval[string](b, `document.querySelector('[data-domain="scanning.example"] [data-testid=contacts-found]').title`))
		require.Equal(t, "From the previous run; a new scan is queued",
			browsertest.Eval[string](b, `document.querySelector('[data-domain="rescan.example"] [data-testid=contacts-found]').title`))
		require.Empty(t, browsertest.Eval[string](b, `document.querySelector('[data-domain="empty.example"] [data-testid=contacts-found]').title`))
		b.Do("open the re-scanned domain", chromedp.Click(rowSel("rescan.example", "open-detail")))
		b.WaitFor("its contact", 5*time.Second, `document.querySelectorAll('[data-testid=contact-row]').length === 1`, "")
		waitText(b, "#detail-previous", "A new scan is queued: the figures and contacts below are from the previous run.")
		require.Equal(t, "12 (previous run)", textOf(b, `[data-testid=fact-pages] dd`))
		require.Equal(t, "1 (previous run)", textOf(b, `[data-testid=fact-contacts] dd`))
		require.Equal(t, "Questions? Write to sales@rescan.example or call us.", textOf(b, `[data-testid=contact-row] [data-testid=contact-context]`))
		require.Equal(t, seen.Format(time.RFC3339), browsertest.Eval[string](b, `document.querySelector('[data-testid=contact-last-seen] time').getAttribute('datetime')`))
		b.WaitFor("the sitemap files", 5*time.Second, `document.querySelectorAll('[data-testid=sitemap-row]').length === 2`, "")
		require.Equal(t, []string{"/sitemap.xml", "index", "robots", "2"}, browsertest.Eval[[]string](b,
			`[...document.querySelectorAll('[data-testid=sitemap-row]')[0].cells].slice(0, 4).map((c) => c.textContent)`))
		require.Equal(t, "1,234", browsertest.Eval[string](b, `document.querySelectorAll('[data-testid=sitemap-row]')[1].cells[3].textContent`))
		require.Equal(t, "Error: cut short: more than 50,000 URLs", textOf(b, `[data-testid=sitemap-file-error]`))
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('sitemaps-wrap').checkVisibility()`))
		require.LessOrEqual(t, browsertest.Eval[int](b, `document.getElementById('detail').scrollWidth`),
			browsertest.Eval[int](b, `document.getElementById('detail').clientWidth`), "the dialog does not scroll sideways")
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

		b.Do("open the failed domain", chromedp.Click(rowSel("failed.example", "open-detail")))
		waitText(b, "#detail-scan-error", "Error: "+longErr)
		require.True(t, browsertest.Eval[bool](b, `(() => { const e = document.getElementById('detail-scan-error');
			return e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight && e.checkVisibility(); })()`), "the whole error shows")
		require.Equal(t, "The scan failed before any contact was stored.", textOf(b, "#contacts-empty"))
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('detail-previous').hidden`))
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

		b.Do("open the running scan", chromedp.Click(rowSel("scanning.example", "open-detail")))
		waitText(b, "#detail-previous", "Scanning: the figures below are this scan's so far.")
		require.Equal(t, "7 so far", textOf(b, `[data-testid=fact-pages] dd`))
		require.Equal(t, "2 so far", textOf(b, `[data-testid=fact-contacts] dd`))
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('detail-page-cap').hidden`))
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

		b.Do("open the capped domain", chromedp.Click(rowSel("capped.example", "open-detail")))
		waitText(b, "#detail-page-cap", "Stopped at the page cap: 30 pages scanned, the site has more.")
		b.WaitFor("its run", 5*time.Second, `document.querySelectorAll('[data-testid=scan-row]').length === 1`, "")
		require.Equal(t, "30 (cap)", textOf(b, `[data-testid=scan-pages]`))
		require.True(t, browsertest.Eval[bool](b, `document.getElementById('detail-previous').hidden`))
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

		b.Do("open the domain waiting for a retry", chromedp.Click(rowSel("retry.example", "open-detail")))
		waitText(b, "#detail-previous", "Waiting for the next attempt: the figures and contacts below are from before it.")
		b.WaitFor("the next attempt", 5*time.Second, `!!document.querySelector('[data-testid=fact-next-attempt] time')`, "")
		require.Equal(t, retryAt.Format(time.RFC3339), browsertest.Eval[string](b, `document.querySelector('[data-testid=fact-next-attempt] time').getAttribute('datetime')`))
		b.Do("close", chromedp.Click(chromedp.ID("detail-close")))

		for domain, want := range map[string]string{
			"empty.example":     "No contacts found.",
			"fresh.example":     "Not scanned yet.",
			"first-run.example": "Scanning: no contacts yet.",
		} {
			b.Do("open "+domain, chromedp.Click(rowSel(domain, "open-detail")))
			waitText(b, "#detail-title", domain)
			b.WaitFor(domain+" loaded", 5*time.Second, `document.getElementById('contacts-empty').checkVisibility()`, "")
			require.Equal(t, want, textOf(b, "#contacts-empty"), domain)
			b.WaitFor("the sitemap files of "+domain, 5*time.Second, `document.getElementById('sitemaps-empty').checkVisibility()`, "")
			require.False(t, browsertest.Eval[bool](b, `document.getElementById('sitemaps-table').checkVisibility()`))
			if domain == "first-run.example" {
				require.Equal(t, "The first scan is queued: no figures yet.", textOf(b, "#detail-previous"))
				require.Equal(t, "—", textOf(b, `[data-testid=fact-pages] dd`))
			}
			b.Do("close", chromedp.Click(chromedp.ID("detail-close")))
			b.WaitFor("closed", 5*time.Second, `!document.getElementById('detail').open`, "")
		}
		require.Empty(t, unexpectedErrors(b), "console:\n%s", strings.Join(b.Console(), "\n"))
	})
}
