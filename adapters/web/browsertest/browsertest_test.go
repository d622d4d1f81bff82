package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

func TestArtifactsDir(t *testing.T) {
	t.Setenv("SCRAPERSKY_ARTIFACTS", "/somewhere/else")
	require.Equal(t, "/somewhere/else", ArtifactsDir())

	t.Setenv("SCRAPERSKY_ARTIFACTS", "")
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"))
	require.Equal(t, filepath.Join(root, "artifacts"), ArtifactsDir(), "the module root, not the package directory")
}

func TestFindChromiumPrefersTheVariable(t *testing.T) {
	t.Setenv("SCRAPERSKY_CHROMIUM", "/opt/chrome/chrome")
	p, err := FindChromium()
	require.NoError(t, err)
	require.Equal(t, "/opt/chrome/chrome", p)
}

// TestTabRecordsConsoleAndSavesArtifacts loads a page that logs and throws,
// and checks what a failed test would leave behind.
func TestTabRecordsConsoleAndSavesArtifacts(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SCRAPERSKY_ARTIFACTS", dir)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!doctype html><title>t</title><h1 id="h">hello</h1>
				<script>console.log('hello from the page'); console.error('boom'); setTimeout(() => { throw new Error('uncaught'); });</script>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	b := New(t, 640, 480)
	b.Do("open", chromedp.Navigate(srv.URL))
	require.Equal(t, "hello", Eval[string](b, `document.getElementById('h').textContent`))
	require.Eventually(t, func() bool { return len(b.Errors()) >= 2 }, 5*time.Second, 20*time.Millisecond, "%v", b.Console())

	console := strings.Join(b.Console(), "\n")
	require.Contains(t, console, "log: hello from the page")
	require.Contains(t, console, "error: boom")
	require.Contains(t, console, "uncaught")
	for _, e := range b.Errors() {
		require.NotContains(t, e, "hello from the page", "a log line is not an error")
	}

	b.saveArtifacts()
	base := filepath.Join(dir, "TestTabRecordsConsoleAndSavesArtifacts")
	png, err := os.ReadFile(base + ".png")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(png), "\x89PNG"), "a PNG")
	log, err := os.ReadFile(base + ".console.log")
	require.NoError(t, err)
	require.Contains(t, string(log), "error: boom")
	html, err := os.ReadFile(base + ".html")
	require.NoError(t, err)
	require.Contains(t, string(html), `<h1 id="h">hello</h1>`)
}
