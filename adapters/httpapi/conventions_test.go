package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	preflight := func(e *env, origin string) *http.Response {
		req := httptest.NewRequest(http.MethodOptions, "/api/v3/domains", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		res, err := e.server.App().Test(req, -1)
		require.NoError(t, err)
		return res
	}

	off := newEnv(t)
	res := preflight(off, "https://app.example.com")
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "CORS is off by default")
	got := off.do(t, request{method: "GET", path: "/health", headers: map[string]string{"Origin": "https://app.example.com"}})
	require.Empty(t, got.header.Get("Access-Control-Allow-Origin"))

	on := newEnv(t, func(c *Config, _ *Deps) { c.CORSOrigins = []string{"https://app.example.com"} })
	res = preflight(on, "https://app.example.com")
	require.Equal(t, http.StatusNoContent, res.StatusCode, "a preflight needs no token")
	require.Equal(t, "https://app.example.com", res.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	require.Contains(t, res.Header.Get("Access-Control-Allow-Methods"), "PUT")
	require.Empty(t, preflight(on, "https://evil.example.net").Header.Get("Access-Control-Allow-Origin"))

	got = on.do(t, request{method: "GET", path: "/api/v3/domains/" + on.seed.fresh.ID.String(), token: userToken(t, "u"),
		headers: map[string]string{"Origin": "https://app.example.com"}})
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, "https://app.example.com", got.header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, got.header.Get("Access-Control-Expose-Headers"), "X-Request-ID")
}

func TestParseCORSOrigins(t *testing.T) {
	t.Parallel()
	got, err := ParseCORSOrigins(" https://App.example.com , http://localhost:3000,,")
	require.NoError(t, err)
	require.Equal(t, []string{"https://app.example.com", "http://localhost:3000"}, got)
	got, err = ParseCORSOrigins("")
	require.NoError(t, err)
	require.Empty(t, got)
	for _, bad := range []string{"app.example.com", "https://app.example.com/path", "ftp://x", "https://u:p@x.com"} {
		_, err := ParseCORSOrigins(bad)
		require.Error(t, err, bad)
	}
}

// TestDomainSearchParameter: q filters the domain listing as it does the
// contact listings; domain_filter still works; both at once must agree.
func TestDomainSearchParameter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	names := func(path string) []any {
		res := e.do(t, request{method: "GET", path: path, token: tok})
		require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
		var out []any
		for _, it := range res.jsonObj["items"].([]any) {
			out = append(out, it.(map[string]any)["domain"])
		}
		return out
	}
	require.Equal(t, []any{"scan-failed.example.com", "scan-queued.example.com"}, names("/api/v3/domains?q=SCAN-&sort_by=domain"))
	require.Equal(t, names("/api/v3/domains?q=scan-&sort_by=domain"), names("/api/v3/domains?domain_filter=scan-&sort_by=domain"))
	require.Equal(t, names("/api/v3/domains?q=scan-&sort_by=domain"), names("/api/v3/domains?q=scan-&domain_filter=scan-&sort_by=domain"))
	res := e.do(t, request{method: "GET", path: "/api/v3/domains?q=scan&domain_filter=fresh", token: tok})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
}

// TestSortDefaults: text columns sort A to Z unless asked otherwise, times
// and counts newest or largest first.
func TestSortDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	first := func(path string) string {
		res := e.do(t, request{method: "GET", path: path, token: tok})
		require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
		return res.jsonObj["items"].([]any)[0].(map[string]any)["domain"].(string)
	}
	require.Equal(t, "analysis-err.example.com", first("/api/v3/domains?sort_by=domain"))
	require.Equal(t, "scan-queued.example.com", first("/api/v3/domains?sort_by=domain&sort_desc=true"))
	require.Equal(t, "analysis-err.example.com", first("/api/v3/domains?sort_by=domain&sort_desc=false"))
	for _, k := range []struct {
		key  string
		desc bool
	}{{"domain", false}, {"email_scan_status", false}, {"page_scrape_status", false}, {"created_at", true}, {"updated_at", true}, {"contacts_found", true}, {"pages_scanned", true}} {
		require.Equal(t, k.desc, sortKey(t, k.key).DescendingByDefault(), k.key)
	}
}

// TestNullableStatusEnums keeps the nullable status members of Domain equal
// to the enums core knows, plus null.
func TestNullableStatusEnums(t *testing.T) {
	t.Parallel()
	doc, _ := loadKin(t)
	props := doc.Components.Schemas["Domain"].Value.Properties
	want := func(vals ...string) []any {
		out := make([]any, 0, len(vals)+1)
		for _, v := range vals {
			out = append(out, v)
		}
		return append(out, nil)
	}
	var task, analysis []string
	for _, s := range core.TaskStatuses {
		task = append(task, string(s))
	}
	for _, s := range core.AnalysisStatuses {
		analysis = append(analysis, string(s))
	}
	require.Equal(t, want(task...), props["page_scrape_status"].Value.Enum)
	require.Equal(t, want(analysis...), props["sitemap_analysis_status"].Value.Enum)
	require.True(t, props["page_scrape_status"].Value.Nullable)
	require.True(t, props["sitemap_analysis_status"].Value.Type.Is("string"))
}

func sortKey(t *testing.T, s string) catalog.SortKey {
	t.Helper()
	k, err := catalog.ParseSortKey(s)
	require.NoError(t, err)
	return k
}
