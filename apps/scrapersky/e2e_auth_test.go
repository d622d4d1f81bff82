package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web/browsertest"
)

const prodSecret = "e2e-production-secret-0123456789abcdef"

func prodEnv(dsn string) map[string]string {
	return map[string]string{
		"DATABASE_URL":               dsn,
		"SCRAPERSKY_ENV":             "production",
		"SCRAPERSKY_JWT_SECRET":      prodSecret,
		"SCRAPERSKY_ADDR":            "127.0.0.1:0",
		"SCRAPERSKY_WORKERS":         "0",
		"SCRAPERSKY_SITEMAP_WORKERS": "0",
	}
}

// bearer sends a request with token and returns the status and body.
func bearer(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

// TestProductionSignIn runs serve in production mode and signs in the ways
// the README describes: a token minted with `scrapersky token`, an API key
// made with `scrapersky apikey create` (used, listed, revoked: 401 after),
// and an API key made through the API itself.
func TestProductionSignIn(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend) {
		dsn := b.dsn(t)
		env := prodEnv(dsn)
		p := startProc(t, env, "serve")
		list := p.URL + "/api/v3/domains"

		status, _ := bearer(t, "GET", list, devToken, "")
		require.Equal(t, http.StatusUnauthorized, status, "no development token in production")

		tok := runBinary(t, t.TempDir(), env, "", "token", "--sub", "alice", "--ttl", "1h")
		require.Equal(t, 0, tok.code, tok.stderr)
		status, body := bearer(t, "GET", list, strings.TrimSpace(tok.stdout), "")
		require.Equal(t, http.StatusOK, status, "%s", body)

		other := runBinary(t, t.TempDir(), map[string]string{"SCRAPERSKY_JWT_SECRET": "some-other-secret-0123456789"}, "", "token", "--sub", "mallory")
		require.Equal(t, 0, other.code)
		status, _ = bearer(t, "GET", list, strings.TrimSpace(other.stdout), "")
		require.Equal(t, http.StatusUnauthorized, status, "a token signed with another secret")

		// An API key from the CLI, on the same database as the server.
		made := runBinary(t, t.TempDir(), env, "", "apikey", "create", "ci-bot")
		require.Equal(t, 0, made.code, made.stderr)
		key := strings.TrimSpace(made.stdout)
		require.Regexp(t, `^ssk_[A-Za-z0-9_-]{43}$`, key)
		require.Contains(t, made.stderr, "shown only now")
		status, body = bearer(t, "GET", list, key, "")
		require.Equal(t, http.StatusOK, status, "%s", body)
		// A write is logged at info, with the key's name as the user.
		status, body = bearer(t, "POST", p.URL+"/api/v3/domains/direct-submit", key, `{"domains": ["key-user.example.org"]}`)
		require.Equal(t, http.StatusCreated, status, "%s", body)
		waitFor(t, 5*time.Second, "the key's name in the access log", func() bool {
			return strings.Contains(p.logs.String(), `"user_id":"apikey:ci-bot"`)
		})

		listed := runBinary(t, t.TempDir(), env, "", "apikey", "list")
		require.Equal(t, 0, listed.code, listed.stderr)
		require.NotContains(t, listed.stdout, key, "the secret is never shown again")
		id := regexp.MustCompile(`(?m)^([0-9a-f-]{36})\s+ci-bot\s`).FindStringSubmatch(listed.stdout)
		require.NotNil(t, id, listed.stdout)

		revoked := runBinary(t, t.TempDir(), env, "", "apikey", "revoke", id[1])
		require.Equal(t, 0, revoked.code, revoked.stderr)
		require.Contains(t, revoked.stdout, "revoked "+id[1])
		status, _ = bearer(t, "GET", list, key, "")
		require.Equal(t, http.StatusUnauthorized, status, "a revoked key is refused")

		// An API key made through the API with the minted token.
		status, body = bearer(t, "POST", p.URL+"/api/v3/api-keys", strings.TrimSpace(tok.stdout), `{"name":"crm"}`)
		require.Equal(t, http.StatusCreated, status, "%s", body)
		var created struct{ ID, Key string }
		require.NoError(t, json.Unmarshal(body, &created))
		status, _ = bearer(t, "GET", list, created.Key, "")
		require.Equal(t, http.StatusOK, status)
		status, _ = bearer(t, "DELETE", p.URL+"/api/v3/api-keys/"+created.ID, created.Key, "")
		require.Equal(t, http.StatusOK, status, "a key may revoke itself")
		status, _ = bearer(t, "GET", list, created.Key, "")
		require.Equal(t, http.StatusUnauthorized, status)
	})
}

// TestBrowserProductionSignIn signs in on the page of a production server
// with a token minted by the CLI, after reading the page's own directions.
func TestBrowserProductionSignIn(t *testing.T) {
	t.Parallel()
	env := prodEnv("sqlite://" + t.TempDir() + "/page.db")
	p := startProc(t, env, "serve")
	tok := runBinary(t, t.TempDir(), env, "", "token", "--sub", "page-user")
	require.Equal(t, 0, tok.code, tok.stderr)

	b := browsertest.New(t, 1280, 800)
	b.Do("open the page", chromedp.Navigate(p.URL+"/"))
	b.WaitFor("the sign-in form", 10*time.Second, `!document.getElementById('signin-view').hidden`, "")
	b.WaitFor("no development hint in production", 5*time.Second, `document.getElementById('dev-hint').hidden`, "")
	b.WaitFor("directions for production", 5*time.Second,
		`document.getElementById('signin-production').textContent.includes('scrapersky token --sub')`, `document.getElementById('signin-production').textContent`)
	b.Do("sign in with the minted token",
		chromedp.SendKeys(chromedp.ID("token-input"), strings.TrimSpace(tok.stdout)),
		chromedp.Click(chromedp.ID("signin-submit")))
	b.WaitFor("the domains table", 10*time.Second,
		`!document.getElementById('app-view').hidden && document.getElementById('domains-table').getAttribute('aria-busy') === 'false'`,
		`document.getElementById('signin-error').textContent`)
}
