package scraper

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCrawl crawls a local 50-page site (each page ~8 KB, linking to
// five others) without a rate limit and reports pages per second.
func BenchmarkCrawl(b *testing.B) {
	filler := strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n", 130)
	site := newTestSite(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		var links []string
		for k := 1; k <= 5; k++ {
			href := "/p/" + strconv.Itoa((n*5+k)%50)
			if href == "/p/0" {
				href = "/"
			}
			links = append(links, href, "page")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, strings.Replace(html("Page", links...), "</body>", filler+"</body>", 1))
	}))
	cfg := testConfig()
	cfg.MaxPages = 100
	c := New(cfg)
	pages := 0
	b.ResetTimer()
	for b.Loop() {
		st, err := c.Crawl(context.Background(), site.host(), func(context.Context, Page) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if st.PagesFetched != 50 {
			b.Fatalf("fetched %d pages, want 50", st.PagesFetched)
		}
		pages += st.PagesFetched
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
