package scraper

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countingTransport counts the body bytes the crawler takes from its
// transport for one path: after net/http's gzip decoding, before any cut of
// its own.
type countingTransport struct {
	rt   http.RoundTripper
	path string
	read *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if resp != nil && r.URL.Path == t.path {
		resp.Body = countingBody{ReadCloser: resp.Body, n: t.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// endlessTotal is how much an "endless" body holds at most, so that a
// crawler without its read limit ends the test instead of filling memory.
const endlessTotal = 64 << 20

// endless writes a body that goes on for endlessTotal bytes, counting what
// the server managed to write; done receives once the handler returned.
func endless(contentType string, written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		defer func() { done <- struct{}{} }()
		w.Header().Set("Content-Type", contentType)
		chunk := make([]byte, 32<<10)
		for i := range chunk {
			chunk[i] = "<p>lorem ipsum</p>\n"[i%19]
		}
		for written.Load() < endlessTotal {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// TestReadLimitStopsTheRead guards Config.MaxBodyBytes and RobotsMaxBytes
// where it matters: not in the length of the page handed over (a cut after
// reading everything would pass that), but in the bytes taken from the
// connection. An endless page, an endless robots.txt and a gzip bomb each
// cost at most the cap plus one byte of reading, and the server gets to
// write no more than the socket buffers hold beyond it.
func TestReadLimitStopsTheRead(t *testing.T) {
	t.Parallel()
	bomb := gzipBomb(t)
	const pageCap, robotsCap = 256 << 10, 64 << 10
	tests := []struct {
		name    string
		crawl   bool   // Crawl the site instead of Fetching /page
		path    string // the endless one
		handler func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc
		cap     int64
	}{
		{
			name: "endless page", cap: pageCap, path: "/page",
			handler: func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
				return endless("text/html", written, done)
			},
		},
		{
			name: "endless page without Content-Type (sniffed)", cap: pageCap, path: "/page",
			handler: func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
				h := endless("", written, done)
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Content-Type"] = nil
					h(w, r)
				}
			},
		},
		{
			name: "gzip bomb", cap: pageCap, path: "/page",
			handler: func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, _ *http.Request) {
					defer func() { done <- struct{}{} }()
					w.Header().Set("Content-Type", "text/html")
					w.Header().Set("Content-Encoding", "gzip")
					n, _ := w.Write(bomb)
					written.Add(int64(n))
				}
			},
		},
		{
			name: "endless robots.txt", crawl: true, cap: robotsCap, path: "/robots.txt",
			handler: func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
				robots := endless("text/plain", written, done)
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/robots.txt" {
						robots(w, r)
						return
					}
					_, _ = io.WriteString(w, html("Home"))
				}
			},
		},
		{
			name: "endless home page in a crawl", crawl: true, cap: pageCap, path: "/",
			handler: func(written *atomic.Int64, done chan<- struct{}) http.HandlerFunc {
				page := endless("text/html", written, done)
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/" {
						page(w, r)
						return
					}
					http.NotFound(w, r) // robots.txt: everything allowed
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var written atomic.Int64
			done := make(chan struct{}, 1)
			site := newTestSite(t, tt.handler(&written, done))
			cfg := testConfig()
			cfg.MaxBodyBytes, cfg.RobotsMaxBytes = pageCap, robotsCap
			c := New(cfg)
			var read atomic.Int64
			c.client.Transport = countingTransport{rt: c.transport, path: tt.path, read: &read}

			if tt.crawl {
				_, err := c.Crawl(context.Background(), site.host(), (&recorder{}).visit)
				require.NoError(t, err)
			} else {
				p, err := c.Fetch(context.Background(), site.url("/page"))
				require.NoError(t, err)
				require.True(t, p.Truncated)
			}
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the server is still writing: the client never hung up")
			}
			require.LessOrEqual(t, read.Load(), tt.cap+1, "bytes read from the connection, after decompression")
			require.Less(t, written.Load(), int64(16<<20), "bytes the server wrote: the cap plus what socket buffers hold")
		})
	}
}
