package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

// TestBrowserShowsIDNAsUnicode: a domain stored with A-labels is shown in
// Unicode, its A-label kept as the row's data and title; labels that are not
// valid Punycode are shown as they are.
func TestBrowserShowsIDNAsUnicode(t *testing.T) {
	t.Parallel()
	f, page := startFake(t, testToken)
	f.add("xn--mnchen-bckerei-dib09a.de", time.Hour, func(*fakeDomain) {})
	f.add("shop.xn--e1afmkfd.xn--p1ai", 2*time.Hour, func(*fakeDomain) {})
	f.add("xn--zz!.com", 3*time.Hour, func(*fakeDomain) {})
	b := browsertest.New(t, 1280, 800)
	b.Do("open the page", chromedp.Navigate(page))
	b.WaitFor("the sign-in form", 5*time.Second, `!document.getElementById('signin-view').hidden`, "")
	b.Do("sign in", chromedp.Click(chromedp.ID("use-dev-token")), chromedp.Click(chromedp.ID("signin-submit")))
	waitRows(b, 3)
	names := `[...document.querySelectorAll('[data-testid=domain-row] .domain-name')].map((n) => n.textContent + '|' + n.title)`
	require.Equal(t, []string{
		"münchen-bäckerei.de|xn--mnchen-bckerei-dib09a.de",
		"shop.пример.рф|shop.xn--e1afmkfd.xn--p1ai",
		"xn--zz!.com|",
	}, browsertest.Eval[[]string](b, names))
	require.Equal(t, []string{"xn--mnchen-bckerei-dib09a.de", "shop.xn--e1afmkfd.xn--p1ai", "xn--zz!.com"}, rowDomains(b))
}
