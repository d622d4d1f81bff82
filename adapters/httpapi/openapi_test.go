package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

// TestOpenAPIListsEveryRoute fetches the served document and checks it
// against the routes the app registers, in both directions.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do(t, request{method: "GET", path: "/openapi.json"}) // no token: public
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, "application/json", res.header.Get("Content-Type"))
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(res.raw, &doc))
	require.Equal(t, "3.0.3", doc.OpenAPI)

	param := regexp.MustCompile(`:(\w+)`)
	registered := map[string]bool{}
	for _, r := range e.server.App().GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue // Fiber adds HEAD beside every GET
		}
		if strings.HasPrefix(r.Path, "/docs/") {
			continue // the docs page's script and style sheet, not API operations
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		registered[key] = true
		op, ok := doc.Paths[path][strings.ToLower(r.Method)]
		require.True(t, ok, "route %s %s is not documented", r.Method, path)

		// /api needs the bearer token; nothing else does.
		sec, _ := op["security"].([]any)
		if strings.HasPrefix(path, "/api/") {
			require.Len(t, sec, 1, key)
			require.Contains(t, sec[0], "bearerAuth", key)
			require.Contains(t, op["responses"], "401", key)
		} else {
			require.Empty(t, sec, key)
		}
		require.Contains(t, op, "operationId", key)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, method+" "+path)
			require.True(t, registered[method+" "+path], "%s %s is documented but not registered", method, path)
		}
	}
	sort.Strings(documented)
	require.Len(t, documented, len(registered))
	require.GreaterOrEqual(t, len(documented), 7)

	sch := loadSpec(t)["components"].(map[string]any)["securitySchemes"].(map[string]any)["bearerAuth"].(map[string]any)
	require.Equal(t, "http", sch["type"])
	require.Equal(t, "bearer", sch["scheme"])
}

// TestOpenAPISchemasMatchCode keeps the documented request members, enums and
// domain fields equal to what the code accepts and sends.
func TestOpenAPISchemasMatchCode(t *testing.T) {
	t.Parallel()
	schemas := loadSpec(t)["components"].(map[string]any)["schemas"].(map[string]any)
	props := func(name string) []string {
		var out []string
		for k := range schemas[name].(map[string]any)["properties"].(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s []string) []string { slices.Sort(s); return s }
	enum := func(name string) []string {
		var out []string
		for _, v := range schemas[name].(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	strs := func(vs ...string) []string { return vs }

	require.Equal(t, sorted(jsonFields(&emailScanRequest{})), props("EmailScanStatusRequest"))
	require.Equal(t, sorted(jsonFields(&sitemapCurationRequest{})), props("SitemapCurationStatusRequest"))
	require.Equal(t, sorted(jsonFields(&directSubmitRequest{})), props("DirectSubmitRequest"))
	require.Equal(t, sorted(jsonFields(&emailScanResponse{})), props("EmailScanStatusResponse"))
	require.Equal(t, sorted(jsonFields(&sitemapCurationResponse{})), props("SitemapCurationStatusResponse"))
	require.Equal(t, sorted(jsonFields(&directSubmitResponse{})), props("DirectSubmitResponse"))
	require.Equal(t, sorted(jsonFields(&core.Domain{})), props("Domain"))

	var curation, task, analysis []string
	for _, s := range core.CurationStatuses {
		curation = append(curation, string(s))
	}
	for _, s := range core.TaskStatuses {
		task = append(task, string(s))
	}
	for _, s := range core.AnalysisStatuses {
		analysis = append(analysis, string(s))
	}
	require.Equal(t, curation, enum("CurationStatus"))
	require.Equal(t, task, enum("TaskStatus"))
	require.Equal(t, analysis, enum("AnalysisStatus"))
	require.Equal(t, strs("detail", "rejected"), props("Error"))
}

func TestDocsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for path, ctype := range map[string]string{
		"/docs":          "text/html",
		"/docs/docs.js":  "text/javascript",
		"/docs/docs.css": "text/css",
	} {
		res, err := e.server.App().Test(httptest.NewRequest("GET", path, nil), -1)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.Contains(t, res.Header.Get("Content-Type"), ctype, path)
		require.Equal(t, "default-src 'self'", res.Header.Get("Content-Security-Policy"), path)
		require.NotEmpty(t, body, path)
	}
	res, err := e.server.App().Test(httptest.NewRequest("GET", "/docs", nil), -1)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	require.Contains(t, string(body), `src="/docs/docs.js"`)
}
