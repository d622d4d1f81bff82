package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

type statsBody struct {
	Total                int            `json:"total"`
	EmailScanStatus      map[string]int `json:"email_scan_status"`
	PageScrapeStatus     map[string]int `json:"page_scrape_status"`
	SitemapCurationState map[string]int `json:"sitemap_curation_status"`
	SitemapAnalysis      map[string]int `json:"sitemap_analysis_status"`
}

// statButtons reads the overview's count buttons as param → value → count.
const statButtons = `(() => { const out = {}; for (const b of document.querySelectorAll('[data-testid=stat]')) {
	(out[b.dataset.param] ||= {})[b.dataset.value] = Number(b.querySelector('.stat-n').textContent); } return out; })()`

func statButton(param, value string) string {
	return `[data-testid=stat][data-param=` + jsString(param) + `][data-value=` + jsString(value) + `]`
}

func rowCount(b *browsertest.Tab, n int) {
	b.WaitFor(fmt.Sprintf("%d rows", n), 15*time.Second,
		fmt.Sprintf(`document.querySelectorAll('[data-testid=domain-row]').length === %d`, n),
		`[...document.querySelectorAll('[data-testid=domain-row]')].map((r) => r.dataset.domain)`)
}

// TestBrowserOverviewAndSuppressions runs the real binary on SQLite with
// workers: three local sites are scanned while the page's overview counts
// them (checked against GET /api/v3/domains/stats), a click on a count
// filters the list, and the do-not-contact panel deletes the stored
// contacts of a suppressed domain and keeps them out of the next scan. It
// runs at 1280 and at 390 px.
func TestBrowserOverviewAndSuppressions(t *testing.T) {
	t.Parallel()
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "control.db")
	sites := []*site{newSite(t, 2), newSite(t, 2), newSite(t, 2)}
	p := startProc(t, workerEnv(dsn), "serve")
	requirePage(t, p.URL)

	hosts := make([]string, len(sites))
	for i, s := range sites {
		hosts[i] = hostOf(s.URL)
	}
	scanned := submit(t, p.URL, hosts...)
	submit(t, p.URL, "northwind-traders.com", "contoso-pharma.com") // curated only, never fetched

	b := browsertest.New(t, 1280, 800)
	signIn(b, p.URL)
	b.WaitFor("the overview", 10*time.Second, `!document.getElementById('stats-panel').hidden`, "")
	waitPageText(b, 10*time.Second, "[data-testid=progress-scan-label]", "Email scans: none queued yet")

	selectAndApply(b, "Selected", hosts...)
	waitPageText(b, 10*time.Second, "#notice", "3 updated, 3 queued for scan")
	waitPageText(b, 60*time.Second, "[data-testid=progress-scan-label]", "Email scans: 3 of 3 finished · 0 queued · 0 running")

	require.Equal(t, []float64{3, 3}, browsertest.Eval[[]float64](b, `[document.getElementById('progress-scan').value, document.getElementById('progress-scan').max]`),
		"the progress bar is full")

	var ref statsBody
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/stats", nil, &ref))
	require.Equal(t, 5, ref.Total)
	require.Equal(t, 3, ref.PageScrapeStatus["Completed"])
	require.Equal(t, 2, ref.PageScrapeStatus["null"])
	waitPageText(b, 10*time.Second, "[data-testid=stats-total]", "(5 domains)")
	got := browsertest.Eval[map[string]map[string]int](b, statButtons)
	require.Equal(t, ref.EmailScanStatus, got["email_scan_status"])
	require.Equal(t, ref.PageScrapeStatus, got["page_scrape_status"])
	require.Equal(t, ref.SitemapCurationState, got["sitemap_curation_status"])
	require.Equal(t, ref.SitemapAnalysis, got["sitemap_analysis_status"])

	// A click on a count filters the list; a second click clears it.
	rowCount(b, 5)
	b.Do("click the Completed count", chromedp.Click(chromedp.CSS(statButton("page_scrape_status", "Completed"))))
	rowCount(b, 3)
	require.Equal(t, "Completed", browsertest.Eval[string](b, `document.getElementById('filter-page-scrape').value`))
	b.WaitFor("the count pressed", 5*time.Second, `document.querySelector(`+jsString(statButton("page_scrape_status", "Completed"))+`).getAttribute('aria-pressed') === 'true'`, "")
	b.Do("click the Not started count", chromedp.Click(chromedp.CSS(statButton("page_scrape_status", "null"))))
	rowCount(b, 2)
	b.Do("click it again", chromedp.Click(chromedp.CSS(statButton("page_scrape_status", "null"))))
	rowCount(b, 5)

	// Suppress the sites' email domain: their stored contacts go.
	var contacts struct {
		Total int `json:"total"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/contacts?q=acme-widgets.com", nil, &contacts))
	require.Equal(t, 9, contacts.Total, "three addresses on each of the three sites")
	b.Do("open the do-not-contact panel", chromedp.Click(chromedp.CSS(`#suppress-panel > summary`)))
	b.Do("suppress the domain",
		chromedp.SendKeys(chromedp.ID("suppress-input"), "@Acme-Widgets.com"),
		chromedp.Click(chromedp.CSS(`[data-testid=suppress-submit]`)))
	waitPageText(b, 10*time.Second, "#suppress-report .report-title", "1 entry added, 9 stored contacts deleted")
	waitPageText(b, 10*time.Second, "[data-testid=suppress-item] .suppress-value", "acme-widgets.com")
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/contacts?q=acme-widgets.com", nil, &contacts))
	require.Zero(t, contacts.Total)

	// The next scan finds the addresses again and stores none of them.
	hits := sites[0].hitsOf("/contact")
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": scanned.DomainIDs[:1], "email_scan_status": "Selected"}, nil))
	waitFor(t, 60*time.Second, "the rescan", func() bool { return sites[0].hitsOf("/contact") > hits })
	waitFor(t, 60*time.Second, "the rescan's results", func() bool {
		var d struct {
			Status string `json:"page_scrape_status"`
		}
		require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+scanned.DomainIDs[0], nil, &d))
		return d.Status == "Completed"
	})
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/contacts?q=acme-widgets.com", nil, &contacts))
	require.Zero(t, contacts.Total, "a suppressed domain is never stored again")

	// Removing the entry empties the list.
	b.Do("remove the entry", chromedp.Click(chromedp.CSS(`[data-testid=suppress-remove]`)))
	b.WaitFor("an empty list", 10*time.Second, `document.querySelectorAll('[data-testid=suppress-item]').length === 0`, "")
	require.Empty(t, b.Errors(), "console:\n%s", strings.Join(b.Console(), "\n"))

	// The narrow layout: the overview fits and its counts still filter.
	n := browsertest.New(t, 390, 844)
	signIn(n, p.URL)
	n.WaitFor("the overview", 10*time.Second, `!document.getElementById('stats-panel').hidden`, "")
	waitPageText(n, 10*time.Second, "[data-testid=stats-total]", "(5 domains)")
	require.LessOrEqual(t, browsertest.Eval[int](n, `document.documentElement.scrollWidth`), 390, "no sideways scrolling")
	n.Do("click the Selected count", chromedp.Click(chromedp.CSS(statButton("email_scan_status", "Selected"))))
	rowCount(n, 3)
	require.LessOrEqual(t, browsertest.Eval[int](n, `document.documentElement.scrollWidth`), 390)
	require.Empty(t, n.Errors(), "console:\n%s", strings.Join(n.Console(), "\n"))
}
