package scraper

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gzipBomb returns a gzip stream of about 100 KB that inflates to 100 MB of
// spaces: one 1 MB member repeated, which gzip readers concatenate.
func gzipBomb(t testing.TB) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	head := []byte("<html><body>")
	var first bytes.Buffer
	zw = gzip.NewWriter(&first)
	_, err = zw.Write(head)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return append(first.Bytes(), bytes.Repeat(member.Bytes(), 100)...)
}

func TestFetchBodies(t *testing.T) {
	t.Parallel()
	bomb := gzipBomb(t)
	require.Less(t, len(bomb), 1<<20, "the bomb is small on the wire")
	big := "<html><body>" + strings.Repeat("<p>lorem ipsum</p>", 5<<20/18) + "</body></html>"

	tests := []struct {
		name        string
		handler     http.HandlerFunc
		maxBody     int64
		wantLen     int    // expected body length; 0: not checked
		wantBody    string // expected body; "": not checked
		contains    string
		isHTML      bool
		truncated   bool
		contentType string
	}{
		{
			name: "5 MB page cut at MaxBodyBytes",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = fmt.Fprint(w, big)
			},
			wantLen: 2 << 20, isHTML: true, truncated: true, contentType: "text/html",
		},
		{
			name: "gzip bomb cut after decompression",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(bomb)
			},
			maxBody: 1 << 20, wantLen: 1 << 20, contains: "<html><body>   ", isHTML: true, truncated: true, contentType: "text/html",
		},
		{
			name: "small gzip page decoded",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				_, _ = fmt.Fprint(zw, "<p>zipped</p>")
				_ = zw.Close()
			},
			wantBody: "<p>zipped</p>", isHTML: true, contentType: "text/html",
		},
		{
			name: "latin-1 from the header",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
				_, _ = w.Write([]byte("<p>Caf\xe9 M\xfcller</p>"))
			},
			wantBody: "<p>Café Müller</p>", isHTML: true, contentType: "text/html; charset=ISO-8859-1",
		},
		{
			name: "windows-1252 from a meta tag",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<meta charset=\"windows-1252\"><p>\x93Gr\xfc\xdfe\x94</p>"))
			},
			contains: "<p>“Grüße”</p>", isHTML: true, contentType: "text/html",
		},
		{
			name: "utf-8 unchanged",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = fmt.Fprint(w, "<p>日本語 ✓</p>")
			},
			wantBody: "<p>日本語 ✓</p>", isHTML: true, contentType: "text/html; charset=utf-8",
		},
		{
			name: "text/plain passed, not HTML",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				_, _ = fmt.Fprint(w, "mail: info@acme.test")
			},
			wantBody: "mail: info@acme.test", contentType: "text/plain; charset=utf-8",
		},
		{
			name: "xhtml is HTML",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/xhtml+xml")
				_, _ = fmt.Fprint(w, "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>")
			},
			contains: "xhtml", isHTML: true, contentType: "application/xhtml+xml",
		},
		{
			name: "missing Content-Type sniffed",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = nil
				_, _ = fmt.Fprint(w, "<!DOCTYPE html><p>sniffed</p>")
			},
			wantBody: "<!DOCTYPE html><p>sniffed</p>", isHTML: true, contentType: "text/html; charset=utf-8",
		},
		{
			name: "cut inside a rune stays valid UTF-8",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = fmt.Fprint(w, "ab✓")
			},
			maxBody: 3, wantBody: "ab\uFFFD", isHTML: true, truncated: true, contentType: "text/html; charset=utf-8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			site := newTestSite(t, tt.handler)
			cfg := testConfig()
			if tt.maxBody > 0 {
				cfg.MaxBodyBytes = tt.maxBody
			}
			p, err := New(cfg).Fetch(context.Background(), site.url("/page"))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, p.Status)
			require.Equal(t, site.url("/page"), p.URL)
			require.Equal(t, tt.contentType, p.ContentType)
			require.Equal(t, tt.isHTML, p.IsHTML)
			require.Equal(t, tt.truncated, p.Truncated)
			if tt.wantLen > 0 {
				require.Len(t, p.Body, tt.wantLen)
			}
			if tt.wantBody != "" {
				require.Equal(t, tt.wantBody, string(p.Body))
			}
			require.Contains(t, string(p.Body), tt.contains)
		})
	}
}

// TestFetchSkipsNonTextBodies serves a 64 MB PNG and checks that the
// crawler hangs up after the headers: the handler's writes start failing
// long before the end.
func TestFetchSkipsNonTextBodies(t *testing.T) {
	t.Parallel()
	const total = 64 << 20
	var written atomic.Int64
	done := make(chan error, 1)
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.Itoa(total))
		chunk := make([]byte, 64<<10)
		for written.Load() < total {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}))
	p, err := New(testConfig()).Fetch(context.Background(), site.url("/logo"))
	require.NoError(t, err)
	require.Equal(t, "image/png", p.ContentType)
	require.False(t, p.IsHTML)
	require.Empty(t, p.Body)

	select {
	case werr := <-done:
		require.Error(t, werr, "the client went away")
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never noticed the client left")
	}
	require.Less(t, written.Load(), int64(total))
}

func TestFetchSlowDripTimesOut(t *testing.T) {
	t.Parallel()
	gone := make(chan struct{})
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		f := w.(http.Flusher)
		for i := 0; i < 1000; i++ {
			if _, err := w.Write([]byte("<p>")); err != nil {
				break
			}
			f.Flush()
			select {
			case <-r.Context().Done():
				close(gone)
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	cfg := testConfig()
	cfg.RequestTimeout = 300 * time.Millisecond
	_, err := New(cfg).Fetch(context.Background(), site.url("/drip"))
	require.EqualError(t, err, "timeout")
	var e *Error
	require.ErrorAs(t, err, &e)
	require.True(t, e.Transient())
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the request was not abandoned")
	}
}

func TestFetchRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		maxRedirects int
		path         string
		wantErr      string
		wantPath     string // final path on success
		wantLastHop  string // the last path the server saw
	}{
		{name: "chain within the cap", maxRedirects: 3, path: "/r/3", wantPath: "/r/0", wantLastHop: "/r/0"},
		{name: "chain longer than the cap", maxRedirects: 3, path: "/r/10", wantErr: "too many redirects", wantLastHop: "/r/7"},
		{name: "default cap of 5", path: "/r/6", wantErr: "too many redirects", wantLastHop: "/r/1"},
		{name: "redirects refused", maxRedirects: -1, path: "/r/1", wantErr: "too many redirects", wantLastHop: "/r/1"},
		{name: "to another scheme", path: "/ftp", wantErr: "redirect to a non-HTTP URL", wantLastHop: "/ftp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var last atomic.Value
			site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				last.Store(r.URL.Path)
				if r.URL.Path == "/ftp" {
					http.Redirect(w, r, "ftp://127.0.0.1/file", http.StatusFound)
					return
				}
				n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
				if n == 0 {
					_, _ = fmt.Fprint(w, html("end"))
					return
				}
				http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusFound)
			}))
			cfg := testConfig()
			cfg.MaxRedirects = tt.maxRedirects
			p, err := New(cfg).Fetch(context.Background(), site.url(tt.path))
			require.Equal(t, tt.wantLastHop, last.Load())
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				var e *Error
				require.ErrorAs(t, err, &e)
				require.False(t, e.Transient())
				return
			}
			require.NoError(t, err)
			require.Equal(t, site.url(tt.wantPath), p.URL)
		})
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		http.Error(w, "status", code)
	}))
	tls := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprint(w, html("secure"))
	}))

	tests := []struct {
		name      string
		url       string
		wantMsg   string
		transient bool
		wantHits  int
	}{
		{name: "404 not retried", url: site.url("/404"), wantMsg: "HTTP 404", wantHits: 1},
		{name: "503 retried", url: site.url("/503"), wantMsg: "HTTP 503 after 3 attempts", transient: true, wantHits: 3},
		{name: "429 retried", url: site.url("/429"), wantMsg: "HTTP 429 after 3 attempts", transient: true, wantHits: 3},
		{name: "untrusted certificate", url: tls.URL + "/", wantMsg: "TLS handshake failed"},
		{name: "https to a plain server", url: "https://" + site.host() + "/200", wantMsg: "TLS handshake failed"},
		{name: "not http", url: "file:///etc/passwd", wantMsg: "not an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.Retries = 2
			_, err := New(cfg).Fetch(context.Background(), tt.url)
			require.EqualError(t, err, tt.wantMsg)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.transient, e.Transient())
			if tt.wantHits > 0 {
				u := strings.TrimPrefix(tt.url, site.url(""))
				require.Equal(t, tt.wantHits, site.hitsOf(u))
			}
		})
	}
}

// TestCrawlHTTPS trusts an httptest TLS server's certificate and checks that
// the crawl stays on https.
func TestCrawlHTTPS(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := newTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/":
			_, _ = fmt.Fprint(w, html("Home", "/about", "About"))
		case "/about":
			_, _ = fmt.Fprint(w, html("About"))
		default:
			http.NotFound(w, r)
		}
	}))
	c := New(testConfig())
	c.transport.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, MinVersion: tls.VersionTLS12}
	rec := &recorder{}
	st, err := c.Crawl(context.Background(), srv.Listener.Addr().String(), rec.visit)
	require.NoError(t, err)
	require.Equal(t, "https", st.Scheme)
	require.Equal(t, []string{"/", "/about"}, rec.paths(t))
	require.Equal(t, int64(3), hits.Load())
}

// newTLSServer starts an httptest TLS server whose handshake errors (the
// point of some tests) are not logged.
func newTLSServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
