package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

// TestBrowserDocsTryIt uses the "Try it" forms of /docs against the real
// binary: a POST with a JSON body, then a GET with a query parameter.
func TestBrowserDocsTryIt(t *testing.T) {
	t.Parallel()
	p := startProc(t, devEnv("sqlite://"+t.TempDir()+"/docs.db"), "serve")
	b := browsertest.New(t, 1280, 900)
	b.Do("open the docs", chromedp.Navigate(p.URL+"/docs"))
	b.WaitFor("the operations", 10*time.Second, `!!document.querySelector('form.try[data-op=directSubmit]')`, "")
	b.Do("enter the token and a body, and send",
		chromedp.SendKeys(chromedp.ID("try-token"), devToken),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.querySelector('form.try[data-op=directSubmit]');
			f.closest('details').open = true;
			f.querySelector('textarea').value = '{"domains": ["try-it.example.org"]}';
			f.querySelector('button[type=submit]').click();
		})()`))
	b.WaitFor("the 201 and its Location", 10*time.Second,
		`(() => { const r = document.querySelector('form.try[data-op=directSubmit] .try-result');
			return r.dataset.status === '201' && r.textContent.includes('location: /api/v3/domains/') && r.textContent.includes('"created": 1'); })()`,
		`document.querySelector('form.try[data-op=directSubmit] .try-result').textContent`)
	b.Do("search the listing",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.querySelector('form.try[data-op=listDomains]');
			f.closest('details').open = true;
			f.querySelector('input[name=q]').value = 'try-it';
			f.querySelector('button[type=submit]').click();
		})()`))
	b.WaitFor("the listing with the domain", 10*time.Second,
		`(() => { const r = document.querySelector('form.try[data-op=listDomains] .try-result');
			return r.dataset.status === '200' && r.textContent.includes('GET /api/v3/domains?q=try-it') && r.textContent.includes('"domain": "try-it.example.org"'); })()`,
		`document.querySelector('form.try[data-op=listDomains] .try-result').textContent`)
}
