package sitemap_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
)

// pageset renders a urlset listing locs as they are.
func pageset(locs ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset ` + xmlns + ">\n")
	for _, l := range locs {
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", l)
	}
	b.WriteString("</urlset>")
	return b.String()
}

func page(title, body string) string {
	return "<!doctype html><html><head><title>" + title + "</title></head><body><h1>" + title + "</h1>" + body + "</body></html>"
}

// crawled is what a crawl visited: URLs in visit order and the emails of
// each page.
type crawled struct {
	mu     sync.Mutex
	urls   []string
	emails map[string][]string
}

func (c *crawled) visit(_ context.Context, p scraper.Page) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.emails == nil {
		c.emails = map[string][]string{}
	}
	c.urls = append(c.urls, p.URL)
	for _, f := range scraper.Emails(context.Background(), p) {
		c.emails[p.URL] = append(c.emails[p.URL], f.Email)
	}
	return nil
}

func seededCrawler(cfg scraper.Config, sc sitemap.SeedConfig) *scraper.Crawler {
	return scraper.New(cfg, scraper.WithSeeder(sitemap.NewSeeder(sc)))
}

// hiddenSite serves a home page linking only to /about, a page no link
// leads to (/hidden/reach-us) holding an address, a disallowed page
// (/private/staff) holding another, and the robots.txt given.
func hiddenSite(t *testing.T, robots string) *testSite {
	t.Helper()
	s := newTestSite(t)
	s.serve("/robots.txt", "text/plain", robots)
	s.serve("/", "text/html", page("Home", `<a href="/about">About</a>`))
	s.serve("/about", "text/html", page("About", "<p>We make things.</p>"))
	s.serve("/hidden/reach-us", "text/html", page("Reach us", "<p>Write to hidden.desk@acme-widgets.com</p>"))
	s.serve("/private/staff", "text/html", page("Staff", "<p>secret.staff@acme-widgets.com</p>"))
	return s
}

// TestCrawlFindsSitemapOnlyPages: a page linked from nowhere but listed in
// a sitemap is crawled and its address found, whether the sitemap is
// /sitemap.xml, a robots.txt Sitemap line, or an entry of an index; a
// disallowed page in the same sitemap is not requested, and entries on
// another site are ignored.
func TestCrawlFindsSitemapOnlyPages(t *testing.T) {
	t.Parallel()
	const disallow = "User-agent: *\nDisallow: /private/\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, s, other *testSite, entries string)
		files []string // the sitemap files the crawl must have read
	}{
		{
			name: "/sitemap.xml",
			setup: func(_ *testing.T, s, _ *testSite, entries string) {
				s.serve("/robots.txt", "text/plain", disallow)
				s.serve("/sitemap.xml", "application/xml", entries)
			},
			files: []string{"/sitemap.xml"},
		},
		{
			name: "robots.txt Sitemap line",
			setup: func(_ *testing.T, s, other *testSite, entries string) {
				// A sitemap on another site is not read, even listed here.
				s.serve("/robots.txt", "text/plain", disallow+"Sitemap: "+other.url("/foreign.xml")+"\nSitemap: /maps/pages.xml\n")
				s.serve("/maps/pages.xml", "application/xml", entries)
			},
			files: []string{"/maps/pages.xml"},
		},
		{
			name: "gzipped index from robots.txt",
			setup: func(t *testing.T, s, _ *testSite, entries string) {
				s.serve("/robots.txt", "text/plain", disallow+"Sitemap: "+s.url("/maps/index.xml")+"\n")
				s.serve("/maps/index.xml", "application/xml", index(indexEntry(s.url("/maps/pages.xml.gz"), "")))
				s.serve("/maps/pages.xml.gz", "application/gzip", gzipped(t, entries))
			},
			files: []string{"/maps/index.xml", "/maps/pages.xml.gz"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := newTestSite(t)
			other.serve("/elsewhere", "text/html", page("Elsewhere", "<p>other.site@acme-widgets.com</p>"))
			other.serve("/foreign.xml", "application/xml", pageset(other.url("/elsewhere")))
			s := hiddenSite(t, disallow)
			tt.setup(t, s, other, pageset(s.url("/hidden/reach-us"), s.url("/private/staff"), other.url("/elsewhere"), s.url("/about")))

			c := &crawled{}
			st, err := seededCrawler(crawlerConfig(), sitemap.SeedConfig{}).Crawl(context.Background(), s.host(), c.visit)
			require.NoError(t, err)
			require.Equal(t, []string{"hidden.desk@acme-widgets.com"}, c.emails[s.url("/hidden/reach-us")], "visited %v", c.urls)
			require.Len(t, c.urls, 3, "home, /about and the sitemap-only page: %v", c.urls)
			require.Equal(t, 2, st.SitemapURLs, "the hidden and the disallowed page: /about was a link already, the other site's page is dropped")
			require.Equal(t, 1, st.RobotsDisallowed)
			require.Zero(t, s.hitsOf("/private/staff"), "robots.txt disallows it")
			require.Zero(t, other.hitsOf("/elsewhere"), "another site's URL in the sitemap")
			require.Zero(t, other.hitsOf("/foreign.xml"), "another site's sitemap")
			for _, f := range tt.files {
				require.Equal(t, 1, s.hitsOf(f), f)
			}

			// The same site without the Seeder: the page stays unknown.
			c = &crawled{}
			_, err = scraper.New(crawlerConfig()).Crawl(context.Background(), s.host(), c.visit)
			require.NoError(t, err)
			require.Len(t, c.urls, 2)
			require.NotContains(t, c.urls, s.url("/hidden/reach-us"))
		})
	}
}

// TestCrawlSitemapPageCapAndContactFirst lists 400 pages in a sitemap, the
// contact page last, and caps the crawl at 5 pages: the contact page comes
// right after the home page, and the cap holds for the sitemap's pages.
func TestCrawlSitemapPageCapAndContactFirst(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	s.serve("/robots.txt", "text/plain", "User-agent: *\nAllow: /\n")
	s.serve("/", "text/html", page("Home", `<a href="/news">News</a>`))
	var locs []string
	for i := range 399 {
		p := fmt.Sprintf("/item/%d", i)
		locs = append(locs, s.url(p))
		s.serve(p, "text/html", page("Item", ""))
	}
	locs = append(locs, s.url("/company/kontakt"))
	s.serve("/company/kontakt", "text/html", page("Kontakt", "<p>buero@acme-widgets.com</p>"))
	s.serve("/news", "text/html", page("News", ""))
	s.serve("/sitemap.xml", "application/xml", pageset(locs...))

	cfg := crawlerConfig()
	cfg.MaxPages = 5
	cfg.Concurrency = 1
	c := &crawled{}
	st, err := seededCrawler(cfg, sitemap.SeedConfig{}).Crawl(context.Background(), s.host(), c.visit)
	require.NoError(t, err)
	require.Equal(t, 5, st.PagesFetched)
	require.Len(t, c.urls, 5)
	require.Equal(t, s.url("/company/kontakt"), c.urls[1], "contact-like first: %v", c.urls)
	require.Equal(t, 400, st.SitemapURLs, "queued, not fetched")
	items := 0
	for i := range 399 {
		items += s.hitsOf(fmt.Sprintf("/item/%d", i))
	}
	require.Equal(t, 2, items, "5 pages: home, contact, /news and two items")
}

// TestSeederBounds: the sitemap work of a crawl is bounded by files and
// URLs read, so a huge sitemap cannot eat the crawl.
func TestSeederBounds(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	s.serve("/robots.txt", "text/plain", "User-agent: *\nAllow: /\n")
	s.serve("/", "text/html", page("Home", ""))
	var entries []string
	for i := range 20 {
		p := fmt.Sprintf("/maps/%d.xml", i)
		entries = append(entries, indexEntry(s.url(p), ""))
		var locs []string
		for j := range 100 {
			locs = append(locs, s.url(fmt.Sprintf("/p/%d/%d", i, j)))
		}
		if i == 0 {
			locs = append(locs[:50], s.url("/p/0/contact"))
		}
		s.serve(p, "application/xml", pageset(locs...))
	}
	s.serve("/sitemap.xml", "application/xml", index(entries...))

	cfg := crawlerConfig()
	cfg.MaxPages = 2 // the home page and one more: only the seeding is looked at
	st, err := seededCrawler(cfg, sitemap.SeedConfig{MaxFiles: 3, MaxURLs: 120}).Crawl(context.Background(), s.host(), (&crawled{}).visit)
	require.NoError(t, err)
	read := 0
	for i := range 20 {
		read += s.hitsOf(fmt.Sprintf("/maps/%d.xml", i))
	}
	require.Equal(t, 2, read, "3 files: the index and two of its sitemaps")
	require.Equal(t, 120, st.SitemapURLs, "51 from the first file, 69 from the second")

	st, err = seededCrawler(cfg, sitemap.SeedConfig{MaxFiles: 50, MaxURLs: 40}).Crawl(context.Background(), s.host(), (&crawled{}).visit)
	require.NoError(t, err)
	require.Equal(t, 40, st.SitemapURLs, "the URL cap stops reading mid-file")
}

// TestCrawlSeedingWithinTheDeadline: a sitemap that never answers costs
// the crawl at most a quarter of the time left before its deadline; the
// linked pages are crawled and the crawl succeeds.
func TestCrawlSeedingWithinTheDeadline(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	s.serve("/robots.txt", "text/plain", "User-agent: *\nAllow: /\n")
	s.serve("/", "text/html", page("Home", `<a href="/about">About</a>`))
	s.serve("/about", "text/html", page("About", ""))
	s.handle("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><urlset ` + xmlns + ">"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	cfg := crawlerConfig()
	cfg.RequestTimeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	c := &crawled{}
	st, err := seededCrawler(cfg, sitemap.SeedConfig{}).Crawl(ctx, s.host(), c.visit)
	require.NoError(t, err)
	require.Equal(t, 2, st.PagesFetched)
	require.Zero(t, st.SitemapURLs)
	require.Equal(t, 1, s.hitsOf("/sitemap.xml"))
}
