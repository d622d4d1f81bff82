package httpapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

func TestListSitemaps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	d := e.seed.fresh

	// Before any analysis: an empty list, not a 404.
	res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + d.ID.String() + "/sitemaps", token: userToken(t, "u")})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, []any{}, res.jsonObj["items"])

	_, err := curation.NewSecondaryStateUpdater(e.store, core.SitemapCuration, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{d.ID}, Status: core.CurationSelected})
	require.NoError(t, err)
	jobs, err := e.store.Claim(ctx, core.SitemapCuration, 5, time.Minute, time.Now())
	require.NoError(t, err)
	var job = jobs[0]
	for _, j := range jobs {
		if j.DomainID == d.ID {
			job = j
		}
	}
	require.Equal(t, d.ID, job.DomainID)
	out := analysis.Build(d.ID, analysis.Analysis{Files: []analysis.File{
		{URL: "https://fresh.example.com/sitemap.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryCommonPath, URLCount: 12},
	}}, time.Now())
	require.NoError(t, e.store.FinishAnalysis(ctx, job, out))

	res = e.do(t, request{method: "GET", path: "/api/v3/domains/" + d.ID.String() + "/sitemaps", token: userToken(t, "u")})
	require.Equal(t, http.StatusOK, res.status)
	items := res.jsonObj["items"].([]any)
	require.Len(t, items, 1)
	f := items[0].(map[string]any)
	require.Equal(t, "https://fresh.example.com/sitemap.xml", f["url"])
	require.Equal(t, "standard", f["type"])
	require.Equal(t, "common_path", f["discovery"])
	require.Equal(t, 12.0, f["url_count"])

	res = e.do(t, request{method: "GET", path: "/api/v3/domains/" + uuid.NewString() + "/sitemaps", token: userToken(t, "u")})
	require.Equal(t, http.StatusNotFound, res.status)
	res = e.do(t, request{method: "GET", path: "/api/v3/domains/nope/sitemaps", token: userToken(t, "u")})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	res = e.do(t, request{method: "GET", path: "/api/v3/domains/" + d.ID.String() + "/sitemaps"})
	require.Equal(t, http.StatusUnauthorized, res.status)
}

type versionedPinger struct {
	fakePinger
	version string
}

func (v versionedPinger) SchemaVersion(context.Context) (string, error) { return v.version, nil }

func TestHealthDBReportsMigrationVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *Config, d *Deps) { d.DB = versionedPinger{version: "20260101000004"} })
	res := e.do(t, request{method: "GET", path: "/health/db"})
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, map[string]any{"status": "ok", "store": "memory", "migration_version": "20260101000004"}, res.jsonObj)
}

func TestObserveSeesRoutePatterns(t *testing.T) {
	t.Parallel()
	type call struct {
		method, route string
		status        int
	}
	var mu sync.Mutex
	var calls []call // the strings as handed over, read only at the end
	e := newEnv(t, func(c *Config, _ *Deps) {
		c.Observe = func(method, route string, status int, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			require.GreaterOrEqual(t, d, time.Duration(0))
			calls = append(calls, call{method, route, status})
		}
	})
	id := e.seed.fresh.ID.String()
	e.do(t, request{method: "GET", path: "/api/v3/domains/" + id, token: userToken(t, "u")})
	e.do(t, request{method: "GET", path: "/api/v3/domains/" + uuid.NewString(), token: userToken(t, "u")})
	e.do(t, request{method: "GET", path: "/no/such/path/" + id})
	e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: userToken(t, "u"),
		body: `{"domain_ids":["` + id + `"],"email_scan_status":"Maybe"}`})
	e.do(t, request{method: "GET", path: "/health"})
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]int{}
	for _, c := range calls {
		seen[c.method+" "+c.route+" "+http.StatusText(c.status)]++
	}
	require.Equal(t, 1, seen["GET /api/v3/domains/:id OK"], "%v", seen)
	require.Equal(t, 1, seen["GET /api/v3/domains/:id Not Found"], "%v", seen)
	require.Equal(t, 1, seen["GET unmatched Not Found"], "raw paths never become labels: %v", seen)
	// The strings handed to Observe are its own: later requests must not
	// rewrite the method of an earlier one.
	require.Equal(t, 1, seen["PUT /api/v3/domains/email-scan/status OK"], "%v", seen)
	require.Len(t, seen, 5, "%v", seen)
}
