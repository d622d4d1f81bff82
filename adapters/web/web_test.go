package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web"
)

func newApp(opts web.Options) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	web.Mount(app, opts)
	return app
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, app *fiber.App, path string, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func TestMountServesPageAndAssets(t *testing.T) {
	t.Parallel()
	app := newApp(web.Options{})
	tests := []struct {
		path        string
		contentType string
		contains    string
	}{
		{"/", "text/html; charset=utf-8", `<script type="module" src="/static/app.js">`},
		{"/static/index.html", "text/html; charset=utf-8", "<title>ScraperSky"},
		{"/static/app.js", "text/javascript; charset=utf-8", "sessionStorage"},
		{"/static/style.css", "text/css; charset=utf-8", ":focus-visible"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := get(t, app, tt.path, nil)
			require.Equal(t, http.StatusOK, r.status)
			require.Equal(t, tt.contentType, r.header.Get("Content-Type"))
			require.Equal(t, "no-cache", r.header.Get("Cache-Control"))
			require.Equal(t, web.ContentSecurityPolicy, r.header.Get("Content-Security-Policy"))
			require.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
			require.Regexp(t, `^"[0-9a-f]{16}"$`, r.header.Get("ETag"))
			require.Contains(t, r.body, tt.contains)
		})
	}
}

func TestMountRevalidatesWithETag(t *testing.T) {
	t.Parallel()
	app := newApp(web.Options{})
	first := get(t, app, "/static/app.js", nil)
	etag := first.header.Get("ETag")
	require.NotEmpty(t, etag)

	tests := []struct {
		name, ifNoneMatch string
		want              int
	}{
		{"same tag", etag, http.StatusNotModified},
		{"weak form of the tag", "W/" + etag, http.StatusNotModified},
		{"one of a list", `"0000000000000000", ` + etag, http.StatusNotModified},
		{"wildcard", "*", http.StatusNotModified},
		{"other tag", `"0000000000000000"`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, app, "/static/app.js", map[string]string{"If-None-Match": tt.ifNoneMatch})
			require.Equal(t, tt.want, r.status)
			if tt.want == http.StatusNotModified {
				require.Empty(t, r.body)
			} else {
				require.Equal(t, first.body, r.body)
			}
		})
	}
	// Different assets have different tags.
	require.NotEqual(t, etag, get(t, app, "/static/style.css", nil).header.Get("ETag"))
}

func TestMountUnknownAssetsAre404(t *testing.T) {
	t.Parallel()
	app := newApp(web.Options{})
	for _, path := range []string{
		"/static/",
		"/static/missing.js",
		"/static/../web.go",
		"/static/%2e%2e/web.go",
		"/static/static/app.js",
		"/static/APP.JS",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			r := get(t, app, path, nil)
			require.Equal(t, http.StatusNotFound, r.status)
			require.NotContains(t, r.body, "package web")
		})
	}
}

func TestMountConfigJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  web.Options
		token any
	}{
		{"development", web.Options{DevToken: "scraper_sky_2024"}, "scraper_sky_2024"},
		{"production", web.Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, newApp(tt.opts), "/ui/config.json", nil)
			require.Equal(t, http.StatusOK, r.status)
			require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
			require.Equal(t, "no-store", r.header.Get("Cache-Control"))
			require.Equal(t, web.ContentSecurityPolicy, r.header.Get("Content-Security-Policy"))
			var got map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.body), &got))
			require.Equal(t, map[string]any{"dev_token": tt.token}, got)
		})
	}
}

func TestMountHeadAndOtherMethods(t *testing.T) {
	t.Parallel()
	app := newApp(web.Options{})
	req := httptest.NewRequest(http.MethodHead, "/", nil)
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.NoError(t, resp.Body.Close())

	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("token=secret"))
	resp, err = app.Test(req, -1)
	require.NoError(t, err)
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.NoError(t, resp.Body.Close())
}

// TestPageIsSelfContained checks the page against its own policy: the
// Content-Security-Policy forbids inline script and style, and everything it
// loads must be one of the embedded assets.
func TestPageIsSelfContained(t *testing.T) {
	t.Parallel()
	app := newApp(web.Options{})
	page := get(t, app, "/", nil).body
	require.NotRegexp(t, `(?i)<script(?:\s[^>]*)?>\s*[^<\s]`, page, "no inline script")
	require.NotRegexp(t, `(?i)<style`, page, "no inline style element")
	require.NotRegexp(t, `(?i)\sstyle=`, page, "no style attribute")
	require.NotRegexp(t, `(?i)\son[a-z]+=`, page, "no inline event handler")

	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, refs)
	for _, m := range refs {
		ref := m[1]
		switch {
		case strings.HasPrefix(ref, "#"), ref == "data:,", ref == "/openapi.json":
			continue
		}
		require.True(t, strings.HasPrefix(ref, "/static/"), "page loads %s from outside /static/", ref)
		require.Equal(t, http.StatusOK, get(t, app, ref, nil).status, ref)
	}
}

// TestScriptNeverParsesMarkup guards the rule that keeps API data inert: the
// module builds the page with DOM methods only.
func TestScriptNeverParsesMarkup(t *testing.T) {
	t.Parallel()
	js := get(t, newApp(web.Options{}), "/static/app.js", nil).body
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		require.NotContains(t, js, sink)
	}
	require.NotContains(t, js, "localStorage", "the token stays in sessionStorage")
}

func TestMountRefusesUnknownAssetTypes(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"static/notes.txt": {Data: []byte("x")}}
	require.PanicsWithValue(t, `web: load assets: asset static/notes.txt: no content type for ".txt"`, func() {
		web.MountFS(fiber.New(), web.Options{}, fsys)
	})
}
