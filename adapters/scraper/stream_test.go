package scraper

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOpenSiteReadsRobotsSitemaps(t *testing.T) {
	t.Parallel()
	other := newTestSite(t, pages(map[string]string{"/elsewhere.xml": "<urlset/>"}))
	var site *testSite
	site = newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			_, _ = fmt.Fprintf(w, "User-agent: *\nDisallow: /\n\nSitemap: /relative.xml\nSitemap: %s\nsitemap: %s\nSitemap: %s\nSitemap: ftp://x/y.xml\n",
				site.url("/maps/a.xml#frag"), site.url("/maps/a.xml"), other.url("/elsewhere.xml"))
		default:
			_, _ = fmt.Fprint(w, "<urlset/>")
		}
	}))
	c := New(testConfig())
	s, err := c.OpenSite(context.Background(), site.host())
	require.NoError(t, err, "a robots.txt disallowing / does not fail the site")
	require.Equal(t, "http://"+site.host()+"/", s.Home(), "https failed, http answered")
	require.Equal(t, []string{site.url("/relative.xml"), site.url("/maps/a.xml"), other.url("/elsewhere.xml")}, s.Sitemaps())

	ctx := context.Background()
	st, err := s.Open(ctx, site.url("/maps/a.xml"), 1<<10)
	require.NoError(t, err, "a URL robots.txt lists as a sitemap may be read")
	b, err := io.ReadAll(st)
	require.NoError(t, err)
	require.Equal(t, "<urlset/>", string(b))
	require.NoError(t, st.Close())

	_, err = s.Open(ctx, site.url("/sitemap.xml"), 1<<10)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "disallowed by robots.txt", e.Msg)
	require.False(t, e.Transient())
	require.Zero(t, site.hitsOf("/sitemap.xml"), "nothing was requested")

	_, err = s.Open(ctx, other.url("/elsewhere.xml"), 1<<10)
	require.ErrorAs(t, err, &e)
	require.Equal(t, "not on the site", e.Msg)
	require.Zero(t, other.hitsOf("/elsewhere.xml"))
	require.Equal(t, 3, s.Requests(), "https and http robots.txt, one file")
}

func TestOpenResponses(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(bytes.Repeat([]byte("a"), 64<<10))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	other := newTestSite(t, pages(map[string]string{"/x.xml": "<urlset/>"}))

	var fails atomic.Int64
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exact":
			_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<10))
		case "/long":
			_, _ = w.Write(bytes.Repeat([]byte("y"), 10<<10))
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
		case "/flaky":
			if fails.Add(1) == 1 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			_, _ = fmt.Fprint(w, "ok")
		case "/down":
			http.Error(w, "down", http.StatusBadGateway)
		case "/away":
			http.Redirect(w, r, other.url("/x.xml"), http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/exact", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	cfg := testConfig()
	cfg.Retries = 1
	s, err := New(cfg).OpenSite(context.Background(), site.host())
	require.NoError(t, err)

	tests := []struct {
		path      string
		wantLen   int
		truncated bool
		wantErr   string
		transient bool
		wantURL   string
	}{
		{path: "/exact", wantLen: 1 << 10},
		{path: "/long", wantLen: 1 << 10, truncated: true},
		{path: "/gzip", wantLen: 1 << 10, truncated: true},
		{path: "/flaky", wantLen: 2},
		{path: "/moved", wantLen: 1 << 10, wantURL: "/exact"},
		{path: "/missing", wantErr: "HTTP 404"},
		{path: "/down", wantErr: "HTTP 502 after 2 attempts", transient: true},
		{path: "/away", wantErr: "redirect leaves the site"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			st, err := s.Open(context.Background(), site.url(tt.path), 1<<10)
			if tt.wantErr != "" {
				var e *Error
				require.ErrorAs(t, err, &e)
				require.Equal(t, tt.wantErr, e.Msg)
				require.Equal(t, tt.transient, e.Transient())
				require.Nil(t, st)
				return
			}
			require.NoError(t, err)
			defer st.Close()
			b, err := io.ReadAll(st)
			if tt.truncated {
				require.ErrorIs(t, err, ErrBodyTooLarge)
			} else {
				require.NoError(t, err)
			}
			require.Len(t, b, tt.wantLen)
			require.Equal(t, tt.truncated, st.Truncated())
			require.Equal(t, 200, st.Status)
			if tt.wantURL != "" {
				require.Equal(t, site.url(tt.wantURL), st.URL)
			}
		})
	}
	require.Zero(t, other.hitsOf("/x.xml"), "the off-site hop was not followed")
}

func TestOpenSiteFailures(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	busy := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	guarded := newTestSite(t, pages(map[string]string{"/robots.txt": ""}))

	tests := []struct {
		name      string
		cfg       Config
		site      string
		wantMsg   string
		transient bool
	}{
		{name: "nothing listening", cfg: testConfig(), site: closed, wantMsg: "connection refused", transient: true},
		{name: "robots.txt 503", cfg: testConfig(), site: busy.host(), wantMsg: "robots.txt unavailable (HTTP 503)", transient: true},
		{name: "SSRF guard", cfg: DefaultConfig(), site: guarded.host(), wantMsg: "blocked: address is not public (SSRF guard)"},
		{name: "not a host", cfg: testConfig(), site: "a/b", wantMsg: "invalid site: a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg).OpenSite(context.Background(), tt.site)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.wantMsg, e.Msg)
			require.Equal(t, tt.transient, e.Transient())
		})
	}
	require.Zero(t, guarded.pageRequests()+guarded.hitsOf("/robots.txt"), "the guard stops the request before it is sent")
}

func TestStreamTimeoutCoversTheBody(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		_, _ = fmt.Fprint(w, strings.Repeat("<!-- drip -->", 10))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	cfg := testConfig()
	cfg.RequestTimeout = 300 * time.Millisecond
	s, err := New(cfg).OpenSite(context.Background(), site.host())
	require.NoError(t, err)
	st, err := s.Open(context.Background(), site.url("/slow.xml"), 1<<20)
	require.NoError(t, err)
	defer st.Close()
	start := time.Now()
	b, err := io.ReadAll(st)
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	require.Len(t, b, 130)
	require.Less(t, time.Since(start), 5*time.Second)
}
