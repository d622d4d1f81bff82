package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/httpapi"
)

// testSite is a local three-level site: / links to /a, /a to /b, and each
// page shows one address of host.
func testSite(t *testing.T, host string) (*httptest.Server, *sync.Map) {
	t.Helper()
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			fmt.Fprintf(w, `<a href="/a">A</a> home@%s`, host)
		case "/a":
			fmt.Fprintf(w, `<a href="/b">B</a> a@%s`, host)
		case "/b":
			fmt.Fprintf(w, `b@%s`, host)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func emailsOf(rows []emailRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Email)
	}
	return out
}

func TestExtractStdinAndFormats(t *testing.T) {
	t.Parallel()
	in := `<p>Write to sales@acme-widgets.com or jane@acme-widgets.com</p>`
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"extract", "-", "--site", "acme-widgets.com", "--output", "json"}, env(nil), strings.NewReader(in), &out, &errOut)
	require.NoError(t, err, errOut.String())
	rows := jsonLines(t, out.String())
	require.ElementsMatch(t, []string{"sales@acme-widgets.com", "jane@acme-widgets.com"}, emailsOf(rows))
	for _, r := range rows {
		require.Equal(t, "-", r.SourceURL)
		require.Equal(t, "acme-widgets.com", r.Domain)
	}
	// The JSON member names are the API's contact names.
	require.Contains(t, out.String(), `"email_type":"service"`)
	require.Contains(t, out.String(), `"source_url":"-"`)

	out.Reset()
	err = run(context.Background(), []string{"extract", "--output", "csv", "-"}, env(nil), strings.NewReader("plain text: x@gmail.com"), &out, &errOut)
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, csvColumns, recs[0])
	require.Len(t, recs, 2)
	require.Equal(t, "x@gmail.com", recs[1][0])
	require.Equal(t, "free", recs[1][1])

	require.ErrorIs(t, run(context.Background(), []string{"extract", "-", "-"}, env(nil), strings.NewReader(""), &out, &errOut), errUsage)
}

func TestCrawlSeveralTargetsAndFlags(t *testing.T) {
	t.Parallel()
	one, _ := testSite(t, "one-widgets.com")
	two, hitsTwo := testSite(t, "two-widgets.com")
	three, _ := testSite(t, "three-widgets.com")
	list := filepath.Join(t.TempDir(), "targets.txt")
	require.NoError(t, os.WriteFile(list, []byte("# more sites\n\n"+three.URL+"\n"), 0o600))

	// Flags after the positional arguments, several targets, -i FILE.
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"crawl", one.URL, two.URL, "-i", list, "--allow-private", "--output", "json",
		"--depth", "1", "--rate", "100", "--concurrency", "1", "--max-pages", "10"}, env(nil), nil, &out, &errOut)
	require.NoError(t, err, errOut.String())
	got := emailsOf(jsonLines(t, out.String()))
	require.ElementsMatch(t, []string{
		"home@one-widgets.com", "a@one-widgets.com",
		"home@two-widgets.com", "a@two-widgets.com",
		"home@three-widgets.com", "a@three-widgets.com",
	}, got, "--depth 1 stops one link away from the home page")
	_, deep := hitsTwo.Load("/b")
	require.False(t, deep, "--depth 1 never requests /b")

	// --max-pages 1 fetches the home page only; -i - reads stdin.
	out.Reset()
	err = run(context.Background(), []string{"crawl", "--allow-private", "--json", "--max-pages", "1", "-i", "-"}, env(nil), strings.NewReader(one.URL+"\n"), &out, &errOut)
	require.NoError(t, err, errOut.String())
	require.Equal(t, []string{"home@one-widgets.com"}, emailsOf(jsonLines(t, out.String())))

	// A failing target is reported; the others still print; the run fails.
	out.Reset()
	errOut.Reset()
	err = run(context.Background(), []string{"crawl", "--allow-private", "--json", "--depth", "1", "127.0.0.1:1", one.URL}, env(nil), nil, &out, &errOut)
	require.Error(t, err)
	require.Contains(t, err.Error(), "1 of 2 sites failed: 127.0.0.1:1")
	require.Contains(t, errOut.String(), "crawl 127.0.0.1:1")
	require.ElementsMatch(t, []string{"home@one-widgets.com", "a@one-widgets.com"}, emailsOf(jsonLines(t, out.String())))
}

// TestTokenCommand mints a token with the binary and checks its claims
// with the server's own rules.
func TestTokenCommand(t *testing.T) {
	t.Parallel()
	secret := "token-test-secret-0123456789abcdef"
	r := runBinary(t, t.TempDir(), map[string]string{"SCRAPERSKY_JWT_SECRET": secret}, "", "token", "--ttl", "2h", "--sub", "alice")
	require.Equal(t, 0, r.code, r.stderr)
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(strings.TrimSpace(r.stdout), claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(httpapi.Audience), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	require.NoError(t, err)
	require.Equal(t, "alice", claims.Subject)
	require.Equal(t, 2*time.Hour, claims.ExpiresAt.Sub(claims.IssuedAt.Time))
	require.WithinDuration(t, time.Now(), claims.IssuedAt.Time, time.Minute)

	r = runBinary(t, t.TempDir(), nil, "", "token", "--sub", "alice")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "SCRAPERSKY_JWT_SECRET is not set")
	require.Empty(t, r.stdout)
}
