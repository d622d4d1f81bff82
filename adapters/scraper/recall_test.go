package scraper_test

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
)

// crawlRecall crawls a generated site as production does (the default page
// cap, concurrency and sitemap seeding; no rate limit, private networks
// allowed) and returns the addresses found among those present, and the
// visited paths in order.
func crawlRecall(t testing.TB, g *genSite, concurrency, maxPages int) (found map[string]bool, paths []string) {
	t.Helper()
	srv := g.serve(t)
	cfg := scraper.DefaultConfig()
	if maxPages > 0 {
		cfg.MaxPages = maxPages
	}
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 0
	cfg.Retries = 0
	cfg.RetryDelay = time.Millisecond
	cfg.Concurrency = concurrency
	c := scraper.New(cfg, scraper.WithSeeder(sitemap.NewSeeder(sitemap.DefaultSeedConfig())))
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	var mu sync.Mutex
	found = map[string]bool{}
	_, err = c.Crawl(context.Background(), u.Host, func(ctx context.Context, p scraper.Page) error {
		mu.Lock()
		defer mu.Unlock()
		pu, _ := url.Parse(p.URL)
		paths = append(paths, pu.RequestURI())
		for _, f := range scraper.Emails(ctx, p) {
			if _, ok := g.addrs[f.Email]; ok {
				found[f.Email] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	return found, paths
}

// orderCap is a page cap well below the generated sites' size, so that the
// order of the crawl decides what is found (it was the default cap).
const orderCap = 30

// TestCrawlRecall crawls each generated site with a page cap of 30
// (orderCap) and asserts the share of its addresses found. Breadth first with a
// yes/no contact flag spends the cap on the shop, the blog and its tags
// before the per-person and per-office pages.
func TestCrawlRecall(t *testing.T) {
	t.Parallel()
	floors := map[string]float64{"english": 0.85, "german": 0.85, "spanish": 0.85}
	for name, sp := range sites() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := generate(sp)
			require.GreaterOrEqual(t, len(g.pages), 60, "pages")
			require.GreaterOrEqual(t, len(g.addrs), 30, "addresses")
			var low float64 = 1
			for _, conc := range []int{1, 2} {
				found, paths := crawlRecall(t, g, conc, orderCap)
				var missed []string
				for _, a := range g.all() {
					if !found[a] {
						missed = append(missed, a+" "+strings.Join(g.addrs[a], ","))
					}
				}
				sort.Strings(missed)
				recall := float64(len(found)) / float64(len(g.addrs))
				t.Logf("%s, concurrency %d: %d pages, found %d of %d addresses (%.3f)\nvisited %v\nmissed %v",
					name, conc, len(g.pages), len(found), len(g.addrs), recall, paths, missed)
				low = min(low, recall)
			}
			require.GreaterOrEqual(t, low, floors[name])
		})
	}
}

// TestCrawlRecallDefaultCap: with the default page cap, larger than these
// sites, the crawl reaches every page a person could and finds every
// address.
func TestCrawlRecallDefaultCap(t *testing.T) {
	t.Parallel()
	for name, sp := range sites() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := generate(sp)
			require.Greater(t, scraper.DefaultConfig().MaxPages, len(g.pages), "the default cap exceeds the site")
			found, _ := crawlRecall(t, g, 2, 0)
			var missed []string
			for _, a := range g.all() {
				if !found[a] {
					missed = append(missed, a)
				}
			}
			require.Empty(t, missed, "%d of %d found", len(found), len(g.addrs))
		})
	}
}
