package scraper

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"
)

func TestPacing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		rps       float64
		burst     int
		delay     time.Duration
		wantLimit rate.Limit
		wantBurst int
	}{
		{"no delay keeps the configured rate", 2, 2, 0, 2, 2},
		{"a slower delay wins, without burst", 2, 2, time.Second, 1, 1},
		{"a delay slows an unlimited crawl", 0, 1, 2 * time.Second, 0.5, 1},
		{"unlimited without a delay", 0, 3, 0, rate.Inf, 3},
		{"a faster delay does not speed up", 10, 4, 50 * time.Millisecond, 10, 4},
		{"an equal delay keeps the burst", 2, 2, 500 * time.Millisecond, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lim, burst := pacing(tt.rps, tt.burst, tt.delay)
			require.InDelta(t, float64(tt.wantLimit), float64(lim), 1e-9)
			require.Equal(t, tt.wantBurst, burst)
		})
	}
}

func TestCrawlDelayFromRobots(t *testing.T) {
	t.Parallel()
	const agent = "ScraperSkyBot/1.0 (+https://scrapersky.com/bot)"
	tests := []struct {
		name   string
		robots string
		want   time.Duration
	}{
		{"none", "User-agent: *\nDisallow: /private\n", 0},
		{"seconds", "User-agent: *\nCrawl-delay: 3\n", 3 * time.Second},
		{"fraction", "User-agent: *\nCrawl-delay: 0.5\n", 500 * time.Millisecond},
		{"capped", "User-agent: *\nCrawl-delay: 3600\n", 10 * time.Second},
		{"too large for a Duration", "User-agent: *\nCrawl-delay: 1e300\n", 10 * time.Second},
		{"our group wins", "User-agent: ScraperSkyBot\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 7\n", 2 * time.Second},
		{"another bot's group", "User-agent: OtherBot\nCrawl-delay: 7\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := robotstxt.FromStatusAndBytes(200, []byte(tt.robots))
			require.NoError(t, err)
			require.Equal(t, tt.want, crawlDelay(data, agent, 10*time.Second))
		})
	}
	require.Zero(t, crawlDelay(nil, agent, time.Second))
}

// delaySite serves a home page linking to n pages, and a robots.txt with
// the given body.
func delaySite(t *testing.T, robots string, n int) *testSite {
	t.Helper()
	m := map[string]string{"/robots.txt": robots}
	var links []string
	for i := range n {
		p := "/p/" + strconv.Itoa(i)
		links = append(links, p, "Page")
		m[p] = html("Page " + p)
	}
	m["/"] = html("Home", links...)
	return newTestSite(t, pages(m))
}

// TestCrawlHonoursCrawlDelay counts the requests a crawl of 21 pages sends
// in a window of 2.5 s when robots.txt asks for a second between requests
// and the configuration sets no rate at all: robots.txt, the home page and
// one more page fit, and the crawl ends by itself when the next request
// would fall after the deadline. Without the delay all 21 pages are
// fetched in that time.
func TestCrawlHonoursCrawlDelay(t *testing.T) {
	t.Parallel()
	site := delaySite(t, "User-agent: *\nCrawl-delay: 1\n", 20)
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	st, err := New(testConfig()).Crawl(ctx, site.host(), (&recorder{}).visit)
	require.NoError(t, err, "the crawl ends with what it has, not with the deadline")
	require.Equal(t, time.Second, st.CrawlDelay)
	require.GreaterOrEqual(t, st.PagesFetched, 1)
	require.LessOrEqual(t, site.pageRequests(), 4, "page requests in 2.5 s at one per second")
	require.Zero(t, st.PagesFailed, "pages left for lack of time are not failures")

	fast := delaySite(t, "User-agent: *\nDisallow: /nothing\n", 20)
	ctx, cancel = context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	st, err = New(testConfig()).Crawl(ctx, fast.host(), (&recorder{}).visit)
	require.NoError(t, err)
	require.Zero(t, st.CrawlDelay)
	require.Equal(t, 21, st.PagesFetched, "the same crawl without a Crawl-delay")
}

// TestCrawlAbsurdCrawlDelayCapped: a robots.txt asking for a day between
// requests is capped at MaxCrawlDelay, and a crawl whose deadline comes
// before that returns at once with a retryable timeout instead of holding
// the worker.
func TestCrawlAbsurdCrawlDelayCapped(t *testing.T) {
	t.Parallel()
	site := delaySite(t, "User-agent: *\nCrawl-delay: 86400\n", 3)
	cfg := testConfig()
	cfg.MaxCrawlDelay = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := New(cfg).Crawl(ctx, site.host(), (&recorder{}).visit)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.True(t, e.Retryable)
	require.Contains(t, e.Msg, "timeout")
	require.ErrorIs(t, err, errNoTime)
	require.Equal(t, time.Hour, st.CrawlDelay)
	require.NoError(t, ctx.Err(), "the crawl returned before its deadline")
	require.Zero(t, site.pageRequests())
}

// TestOpenSitePacedByCrawlDelay: the sitemap analysis's requests are
// spaced by Crawl-delay too.
func TestOpenSitePacedByCrawlDelay(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, pages(map[string]string{"/robots.txt": "User-agent: *\nCrawl-delay: 4\n"}))
	cfg := testConfig()
	cfg.RequestsPerSecond, cfg.Burst = 2, 2
	s, err := New(cfg).OpenSite(context.Background(), site.host())
	require.NoError(t, err)
	require.InDelta(t, 0.25, float64(s.cr.limiter.Limit()), 1e-9)
	require.Equal(t, 1, s.cr.limiter.Burst())
	require.Equal(t, 4*time.Second, s.cr.delay)

	plain := newTestSite(t, http.NotFoundHandler())
	s, err = New(cfg).OpenSite(context.Background(), plain.host())
	require.NoError(t, err)
	require.InDelta(t, 2, float64(s.cr.limiter.Limit()), 1e-9)
	require.Equal(t, 2, s.cr.limiter.Burst())
}
