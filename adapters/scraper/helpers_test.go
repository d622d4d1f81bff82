package scraper

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testSite is an httptest server on 127.0.0.1 that counts what reaches it:
// requests per path (with query), TCP connections, and the most requests
// in flight at once.
type testSite struct {
	srv         *httptest.Server
	mu          sync.Mutex
	hits        map[string]int
	order       []string
	conns       atomic.Int64
	inflight    atomic.Int64
	maxInflight atomic.Int64
}

func newTestSite(t testing.TB, h http.Handler) *testSite {
	t.Helper()
	s := &testSite{hits: map[string]int{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inflight.Add(1)
		defer s.inflight.Add(-1)
		for {
			m := s.maxInflight.Load()
			if n <= m || s.maxInflight.CompareAndSwap(m, n) {
				break
			}
		}
		s.mu.Lock()
		s.hits[r.URL.RequestURI()]++
		s.order = append(s.order, r.URL.RequestURI())
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// host is the stored-domain form of the server: "127.0.0.1:PORT".
func (s *testSite) host() string { return s.srv.Listener.Addr().String() }

func (s *testSite) url(path string) string { return "http://" + s.host() + path }

func (s *testSite) hitsOf(uri string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[uri]
}

// requests returns a copy of the per-URI counts.
func (s *testSite) requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		m[k] = v
	}
	return m
}

// pageRequests counts requests other than robots.txt.
func (s *testSite) pageRequests() int {
	n := 0
	for k, v := range s.requests() {
		if k != "/robots.txt" {
			n += v
		}
	}
	return n
}

// testConfig is a fast configuration for local servers: private networks
// allowed, no rate limit, no retries, short retry delay.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 0
	cfg.Retries = 0
	cfg.RetryDelay = time.Millisecond
	cfg.RequestTimeout = 10 * time.Second
	return cfg
}

// html renders a page whose links are given as href, text pairs.
func html(title string, links ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>\n", title, title)
	for i := 0; i+1 < len(links); i += 2 {
		fmt.Fprintf(&b, "<a href=\"%s\">%s</a>\n", links[i], links[i+1])
	}
	b.WriteString("</body></html>")
	return b.String()
}

// pages serves a fixed map of path to HTML, robots.txt included, and 404 for
// anything else.
func pages(m map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/robots.txt" {
			w.Header().Set("Content-Type", "text/plain")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		_, _ = fmt.Fprint(w, body)
	})
}

// recorder is a visit callback that keeps the pages it was given.
type recorder struct {
	mu    sync.Mutex
	pages []Page
}

func (r *recorder) visit(_ context.Context, p Page) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, p)
	return nil
}

// paths returns the request URIs of the visited pages in visit order.
func (r *recorder) paths(t testing.TB) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.pages))
	for _, p := range r.pages {
		u, err := url.Parse(p.URL)
		require.NoError(t, err)
		out = append(out, u.RequestURI())
	}
	return out
}
