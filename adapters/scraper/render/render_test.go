package render_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/render"
)

func newChrome(t *testing.T) *render.Chrome {
	t.Helper()
	if os.Getenv("SCRAPERSKY_SKIP_BROWSER") == "1" {
		t.Skip("SCRAPERSKY_SKIP_BROWSER=1")
	}
	c, err := render.New(render.Options{Settle: 300 * time.Millisecond, PageTimeout: 30 * time.Second})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// The page builds its address from data it fetches from its own site after
// load, which only a browser does: the rendered DOM holds it. The document
// itself is served from the body given (the site is not asked for it
// again), requests to another origin are failed, images never load.
func TestRenderRunsThePageContained(t *testing.T) {
	var other atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		fmt.Fprint(w, `document.body.insertAdjacentHTML('beforeend', '<p>leak@elsewhere.test</p>')`)
	}))
	defer elsewhere.Close()

	var docHits, dataHits, imgHits atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/contact":
			docHits.Add(1)
			fmt.Fprint(w, "<p>the site's own copy</p>")
		case "/people.json":
			dataHits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"user": "hello", "host": "rendered-widgets.com"}`)
		case "/logo.png":
			imgHits.Add(1)
		}
	}))
	defer site.Close()

	body := []byte(`<!doctype html><html><body><h1>Contact</h1><div id="c"></div>
<img src="/logo.png">
<script src="` + elsewhere.URL + `/x.js"></script>
<script>
fetch('/people.json').then(r => r.json()).then(p => {
  const a = document.createElement('a');
  a.href = 'mailto:' + p.user + '@' + p.host;
  a.textContent = p.user + '@' + p.host;
  document.getElementById('c').appendChild(a);
});
</script></body></html>`)

	c := newChrome(t)
	html, err := c.Render(context.Background(), site.URL+"/contact", body)
	require.NoError(t, err)
	require.Contains(t, html, "hello@rendered-widgets.com", "the address the page built")
	require.Contains(t, html, "<h1>Contact</h1>", "the body given was rendered")
	require.NotContains(t, html, "the site's own copy")
	require.Zero(t, docHits.Load(), "the document is not fetched again")
	require.Equal(t, int32(1), dataHits.Load(), "the page's own request went out")
	require.Zero(t, imgHits.Load(), "images are not loaded")
	require.Zero(t, other.Load(), "another origin is never requested")
	require.NotContains(t, html, "leak@elsewhere.test")
}

// A page that never settles costs at most its timeout, and a cancelled
// context stops the render.
func TestRenderIsBounded(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a subresource that hangs until the browser gives up
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer site.Close()
	if os.Getenv("SCRAPERSKY_SKIP_BROWSER") == "1" {
		t.Skip("SCRAPERSKY_SKIP_BROWSER=1")
	}
	c, err := render.New(render.Options{Settle: 100 * time.Millisecond, PageTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	body := []byte(`<html><body><script src="/slow.js"></script><p>never</p></body></html>`)
	start := time.Now()
	_, err = c.Render(context.Background(), site.URL+"/", body)
	require.Error(t, err)
	require.Less(t, time.Since(start), 9*time.Second, "bounded by the page timeout, not the site")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Render(ctx, site.URL+"/", body)
	require.Error(t, err)
}

func TestRenderRefusesOtherSchemes(t *testing.T) {
	t.Parallel()
	c, err := render.New(render.Options{ExecPath: "/nonexistent"})
	require.NoError(t, err)
	_, err = c.Render(context.Background(), "file:///etc/passwd", nil)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "not an http(s) URL"))
}
