package scraper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// shopHandler serves a 44-page site: a home page linking to 20 product pages
// (each with a detail page and a link to the next product), a contact page
// three links deep (home, /p/1, /p/1/a, /impressum), binary files, a PNG
// without extension, a robots.txt that disallows /private, and links off
// the site: to offsite, and to the same server under the name localhost.
func shopHandler(offsite string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(r.Host)
		self := "http://" + r.Host
		p := r.URL.Path
		var body string
		switch {
		case p == "/robots.txt":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
			return
		case p == "/":
			var links []string
			for i := 1; i <= 20; i++ {
				links = append(links, "/p/"+strconv.Itoa(i), "Product "+strconv.Itoa(i))
			}
			links = append(links,
				"/file.pdf", "Brochure", "/img/logo.PNG", "Logo", "/pkg.tar.gz?v=2", "Download",
				"/style.css", "Style", offsite+"/x", "Partner", "http://localhost:"+port+"/via-localhost", "Mirror",
				"/p/1#top", "Product 1 again", self+"/p/1", "Absolute", "/p/../p/1", "Dot segments",
				"/p/2?ref=home", "Featured", "/private/secret", "Private", "/image", "Photo",
				"mailto:sales@example.com", "Mail", "javascript:void(0)", "Script")
			body = html("Home", links...)
		case p == "/p/1/a":
			body = html("Sales", "/impressum", "Legal notice")
		case p == "/impressum":
			body = html("Impressum", "/", "Home")
		case p == "/image":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
			return
		case strings.HasPrefix(p, "/p/"):
			rest := strings.TrimPrefix(p, "/p/")
			n, err := strconv.Atoi(strings.TrimSuffix(rest, "/detail"))
			if err != nil || n < 1 || n > 20 {
				http.NotFound(w, r)
				return
			}
			if strings.HasSuffix(rest, "/detail") {
				body = html("Detail "+rest, "/", "Home")
				break
			}
			links := []string{"/p/" + rest + "/detail", "Details", "/", "Home"}
			if n < 20 {
				links = append(links, "/p/"+strconv.Itoa(n+1), "Next")
			}
			if n == 1 {
				links = append(links, "/p/1/a", "Contact our sales team")
			}
			body = html("Product "+rest, links...)
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, body)
	})
}

func TestCrawlSite(t *testing.T) {
	t.Parallel()
	other := newTestSite(t, pages(map[string]string{"/x": html("Partner")}))
	shop := newTestSite(t, shopHandler(other.url("")))

	rec := &recorder{}
	cfg := testConfig()
	cfg.MaxPages = 100
	st, err := New(cfg).Crawl(context.Background(), shop.host(), rec.visit)
	require.NoError(t, err)

	require.Equal(t, "http", st.Scheme, "the https attempt on a plain server falls back to http")
	require.Equal(t, shop.url("/"), st.Home)
	require.Equal(t, 44, st.PagesFetched)
	require.Len(t, rec.pages, 44)
	require.Equal(t, 1, st.PagesSkipped, "the PNG")
	require.Equal(t, 1, st.RobotsDisallowed)
	require.Zero(t, st.PagesFailed)
	require.GreaterOrEqual(t, st.LinksIgnored, 6)

	hits := shop.requests()
	for uri, n := range hits {
		require.Equal(t, 1, n, "%s requested %d times", uri, n)
	}
	require.Equal(t, 46, len(hits), "44 pages, the PNG and robots.txt")
	for _, never := range []string{"/private/secret", "/file.pdf", "/img/logo.PNG", "/pkg.tar.gz?v=2", "/style.css", "/via-localhost"} {
		require.Zero(t, hits[never], never)
	}
	require.Equal(t, 1, hits["/p/2?ref=home"], "the query is part of the URL")
	require.Zero(t, other.conns.Load(), "no connection reaches the off-site server")
	require.Equal(t, len(hits)+1, st.Requests, "every request reached the server but the failed https probe")

	for _, p := range rec.pages {
		require.True(t, p.IsHTML)
		require.Equal(t, http.StatusOK, p.Status)
		require.Contains(t, string(p.Body), "<h1>")
	}
}

func TestCrawlContactPagesFirst(t *testing.T) {
	t.Parallel()
	shop := newTestSite(t, shopHandler("http://192.0.2.1"))
	rec := &recorder{}
	cfg := testConfig()
	cfg.MaxPages = 8
	// One fetch at a time makes the order exact; with more, timing decides
	// which of the pages in flight finishes first.
	cfg.Concurrency = 1
	st, err := New(cfg).Crawl(context.Background(), shop.host(), rec.visit)
	require.NoError(t, err)

	require.Equal(t, 8, shop.pageRequests(), "MaxPages bounds the page requests")
	require.Equal(t, 8, st.PagesFetched)
	// Breadth first alone would spend all 8 pages on the home page and
	// products 1-7; the contact links (by text, then by path) jump the queue
	// although they are two and three links deep.
	require.Equal(t, []string{"/", "/p/1", "/p/1/a", "/impressum", "/p/2", "/p/3", "/p/4", "/p/5"}, rec.paths(t))
}

func TestCrawlRobotsUserAgentGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		userAgent string
		wantErr   string
		want      []string
	}{
		{name: "our group allows", userAgent: "ScraperSkyBot/1.0", want: []string{"/", "/ok"}},
		{name: "others fall under *", userAgent: "OtherBot/2.0", wantErr: "robots.txt disallows /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			site := newTestSite(t, pages(map[string]string{
				"/robots.txt": "User-agent: *\nDisallow: /\n\nUser-agent: scraperskybot\nAllow: /\nDisallow: /no-bots\n",
				"/":           html("Home", "/ok", "OK", "/no-bots/page", "Hidden"),
				"/ok":         html("OK"),
			}))
			cfg := testConfig()
			cfg.UserAgent = tt.userAgent
			rec := &recorder{}
			st, err := New(cfg).Crawl(context.Background(), site.host(), rec.visit)
			require.Zero(t, site.hitsOf("/no-bots/page"))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				var e *Error
				require.ErrorAs(t, err, &e)
				require.False(t, e.Transient())
				require.Equal(t, 0, site.pageRequests(), "nothing but robots.txt is requested")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, rec.paths(t))
			require.Equal(t, 1, st.RobotsDisallowed)
		})
	}
}

func TestCrawlSiteFailures(t *testing.T) {
	t.Parallel()
	closed := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		return addr
	}
	status := func(robots, home int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code := home
			if r.URL.Path == "/robots.txt" {
				code = robots
			}
			if code == http.StatusOK {
				_, _ = fmt.Fprint(w, html("fine"))
				return
			}
			http.Error(w, "no", code)
		})
	}
	tests := []struct {
		name      string
		handler   http.Handler // nil: a closed port
		site      string       // overrides the server's host
		wantMsg   string
		transient bool
		wantHome  int // requests of / seen by the server
	}{
		{name: "robots disallows /", handler: pages(map[string]string{"/robots.txt": "User-agent: *\nDisallow: /\n", "/": html("h")}),
			wantMsg: "robots.txt disallows /"},
		{name: "robots 503", handler: status(503, 200), wantMsg: "robots.txt unavailable (HTTP 503 after 3 attempts)", transient: true},
		{name: "robots 404 allows all, home 404", handler: status(404, 404), wantMsg: "HTTP 404", wantHome: 1},
		{name: "home 503 retried", handler: status(404, 503), wantMsg: "HTTP 503 after 3 attempts", transient: true, wantHome: 3},
		{name: "home 410", handler: status(200, 410), wantMsg: "HTTP 410", wantHome: 1},
		{name: "connection refused", wantMsg: "connection refused after 3 attempts", transient: true},
		{name: "not a host", site: "acme.com/path", wantMsg: "invalid site: acme.com/path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.Retries = 2
			site := tt.site
			var srv *testSite
			switch {
			case site != "":
			case tt.handler == nil:
				site = closed(t)
			default:
				srv = newTestSite(t, tt.handler)
				site = srv.host()
			}
			st, err := New(cfg).Crawl(context.Background(), site, func(context.Context, Page) error {
				t.Error("visit must not be called")
				return nil
			})
			require.EqualError(t, err, tt.wantMsg)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.transient, e.Transient())
			require.Zero(t, st.PagesFetched)
			if srv != nil {
				require.Equal(t, tt.wantHome, srv.hitsOf("/"))
			}
		})
	}
}

func TestCrawlCountsPageFailures(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			_, _ = fmt.Fprint(w, html("Home", "/broken", "Broken", "/gone", "Gone", "/ok", "OK"))
		case "/ok":
			_, _ = fmt.Fprint(w, html("OK"))
		case "/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	cfg := testConfig()
	cfg.Retries = 1
	st, err := New(cfg).Crawl(context.Background(), site.host(), (&recorder{}).visit)
	require.NoError(t, err)
	require.Equal(t, 2, st.PagesFetched)
	require.Equal(t, 1, st.PagesFailed, "/broken after its retry")
	require.Equal(t, 1, st.PagesSkipped, "/gone is a 404")
	require.Equal(t, 2, site.hitsOf("/broken"))
	require.Equal(t, 1, site.hitsOf("/gone"), "a 404 is not retried")
}

func TestCrawlVisitErrorStops(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, shopHandler("http://192.0.2.1"))
	boom := errors.New("store down")
	calls := 0
	st, err := New(testConfig()).Crawl(context.Background(), site.host(), func(context.Context, Page) error {
		calls++
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, calls)
	require.Equal(t, 1, st.PagesFetched)
}

func TestCrawlCancelled(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, shopHandler("http://192.0.2.1"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	st, err := New(testConfig()).Crawl(ctx, site.host(), func(context.Context, Page) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 3, st.PagesFetched)
	require.Equal(t, 3, calls)
}

func TestCrawlHomeRedirectMovesScope(t *testing.T) {
	t.Parallel()
	target := newTestSite(t, pages(map[string]string{
		"/":        html("New home", "/contact", "Contact"),
		"/contact": html("Contact"),
	}))
	old := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, target.url("/"), http.StatusMovedPermanently)
	}))
	rec := &recorder{}
	st, err := New(testConfig()).Crawl(context.Background(), old.host(), rec.visit)
	require.NoError(t, err)
	require.Equal(t, target.url("/"), st.Home)
	require.Equal(t, []string{"/", "/contact"}, rec.paths(t))
	require.Equal(t, 1, target.hitsOf("/contact"))
	require.Equal(t, 1, target.hitsOf("/robots.txt"), "the new host's robots.txt is read")
}

func TestCrawlOffSiteRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	other := newTestSite(t, pages(map[string]string{"/": html("Other")}))
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			_, _ = fmt.Fprint(w, html("Home", "/out", "Out"))
		case "/out":
			http.Redirect(w, r, other.url("/"), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	st, err := New(testConfig()).Crawl(context.Background(), site.host(), (&recorder{}).visit)
	require.NoError(t, err)
	require.Equal(t, 1, st.PagesFetched)
	require.Equal(t, 1, st.PagesSkipped)
	require.Zero(t, other.conns.Load())
}

func TestCrawlConcurrencyBound(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 2, 3} {
		t.Run(strconv.Itoa(conc), func(t *testing.T) {
			t.Parallel()
			site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				time.Sleep(20 * time.Millisecond)
				var links []string
				for i := range 16 {
					links = append(links, "/n/"+strconv.Itoa(i), "n")
				}
				_, _ = fmt.Fprint(w, html(r.URL.Path, links...))
			}))
			cfg := testConfig()
			cfg.RequestsPerSecond = 1000
			cfg.Burst = 10
			cfg.Concurrency = conc
			st, err := New(cfg).Crawl(context.Background(), site.host(), (&recorder{}).visit)
			require.NoError(t, err)
			require.Equal(t, 17, st.PagesFetched)
			require.Equal(t, int64(conc), site.maxInflight.Load(), "in flight at once")
		})
	}
}

func TestCrawlVisitCalledSerially(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, shopHandler("http://192.0.2.1"))
	cfg := testConfig()
	cfg.Concurrency = 4
	var mu sync.Mutex
	busy := false
	_, err := New(cfg).Crawl(context.Background(), site.host(), func(context.Context, Page) error {
		mu.Lock()
		require.False(t, busy, "visit entered twice")
		busy = true
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		busy = false
		mu.Unlock()
		return nil
	})
	require.NoError(t, err)
}

// TestCrawlFollowsWhatAPersonCan reaches pages that no <a href> leads to,
// but a person can: a drop-down, an onclick handler, a frame, JSON-LD, a
// GET form and a refresh; the same rules as for links apply to them (on the
// site only, robots.txt honoured).
func TestCrawlFollowsWhatAPersonCan(t *testing.T) {
	t.Parallel()
	other := newTestSite(t, pages(map[string]string{"/x": html("Partner")}))
	site := newTestSite(t, pages(map[string]string{
		"/robots.txt": "User-agent: *\nDisallow: /private\n",
		"/": `<html><head><meta http-equiv="refresh" content="30;url=/fresh">
			<script type="application/ld+json">{"@type":"Organization","sameAs":["` + other.url("/x") + `"],"url":"/org"}</script></head>
			<body><select onchange="location.href=this.value"><option value="/offices/oslo">Oslo</option></select>
			<span onclick="window.location='/press'">Press</span><iframe src="/map"></iframe>
			<form action="/private/search"></form><form action="/find" method="get"></form><form method="post" action="/send"></form></body></html>`,
		"/fresh": html("Fresh"), "/org": html("Org"), "/offices/oslo": html("Oslo"), "/press": html("Press"),
		"/map": html("Map"), "/find": html("Find"), "/send": html("Sent"),
	}))
	rec := &recorder{}
	st, err := New(testConfig()).Crawl(context.Background(), site.host(), rec.visit)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"/", "/fresh", "/org", "/offices/oslo", "/press", "/map", "/find"}, rec.paths(t))
	require.Equal(t, 1, st.RobotsDisallowed)
	require.Zero(t, site.hitsOf("/send"), "a POST form's action is not requested")
	require.Zero(t, other.conns.Load(), "sameAs off the site is not followed")
}
