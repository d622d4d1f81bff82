package scraper

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkExtractLinks reads the links of a 60 KB page with navigation,
// a footer, 150 links and some prose, and reports MB/s.
func BenchmarkExtractLinks(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<!doctype html><html><head><title>Shop</title><link rel="canonical" href="/shop"></head><body><nav>`)
	for i := range 20 {
		fmt.Fprintf(&sb, `<a href="/section/%d" title="Section %d">Section <b>%d</b></a>`, i, i, i)
	}
	sb.WriteString(`</nav><main>`)
	for i := range 120 {
		fmt.Fprintf(&sb, `<div class="card"><img src="/img/%d.jpg" alt="Item %d"><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam.</p><a href="/products/item-%d">Item %d</a></div>`+"\n", i, i, i, i)
	}
	sb.WriteString(`</main><footer>`)
	for _, p := range []string{"contact", "imprint", "privacy", "terms", "careers", "press", "support", "about", "team", "offices"} {
		fmt.Fprintf(&sb, `<a href="/%s">%s</a> `, p, p)
	}
	sb.WriteString(`</footer></body></html>`)
	body := []byte(sb.String())
	page, _ := url.Parse("https://acme.com/shop")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if n := len(extractLinks(page, body)); n < 150 {
			b.Fatalf("%d links", n)
		}
	}
}
