package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

func TestListScans(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	d := e.seed.fresh
	path := "/api/v3/domains/" + d.ID.String() + "/scans"

	// Never scanned: an empty page, not a 404.
	res := e.do(t, request{method: "GET", path: path, token: userToken(t, "u")})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, []any{}, res.jsonObj["items"])
	require.Equal(t, 0.0, res.jsonObj["total"])

	queueAndClaim := func(now time.Time) queue.Job {
		t.Helper()
		_, err := curation.NewSecondaryStateUpdater(e.store, core.EmailScan, core.SystemClock{}, nil).
			Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{d.ID}, Status: core.CurationSelected})
		require.NoError(t, err)
		for {
			jobs, err := e.store.Claim(ctx, core.EmailScan, 1, time.Minute, now)
			require.NoError(t, err)
			require.Len(t, jobs, 1)
			if jobs[0].DomainID == d.ID {
				return jobs[0]
			}
			require.NoError(t, e.store.Fail(ctx, core.EmailScan, jobs[0], queue.Failure{Public: "not this one"}, now))
		}
	}
	t0 := time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC)
	job := queueAndClaim(t0)
	c := contact.Contact{ID: uuid.New(), DomainID: d.ID, Email: "info@fresh.example.com", Type: contact.TypeService,
		SourceURL: "https://fresh.example.com/", FirstSeenAt: t0, LastSeenAt: t0}
	require.NoError(t, e.store.FinishScan(ctx, job, scan.Outcome{FinishedAt: t0.Add(90 * time.Second),
		Contacts: []contact.Contact{c}, Pages: []scan.Page{{DomainID: d.ID, URL: "https://fresh.example.com/", Status: 200, EmailsFound: 1, FetchedAt: t0}}}))
	job = queueAndClaim(t0.Add(time.Hour))
	// The detail is for the log: the run keeps it, no response shows it.
	const detail = "robots.txt http://fresh.example.com/robots.txt from 10.1.2.3: Disallow: /"
	require.NoError(t, e.store.Fail(ctx, core.EmailScan, job, queue.Failure{Public: "robots.txt disallows /", Detail: detail}, t0.Add(time.Hour+time.Second)))
	runs, _, err := e.store.Runs(ctx, core.EmailScan, d.ID, 1, 0)
	require.NoError(t, err)
	require.Equal(t, detail, runs[0].ErrorDetail, "the store kept the detail")
	for _, p := range []string{path, "/api/v3/domains/" + d.ID.String(), "/api/v3/domains?size=100"} {
		res := e.do(t, request{method: "GET", path: p, token: userToken(t, "u")})
		require.Equal(t, http.StatusOK, res.status, "%s: %s", p, res.raw)
		require.Contains(t, string(res.raw), "robots.txt disallows /", p)
		require.NotContains(t, string(res.raw), "10.1.2.3", "%s serves the error detail", p)
	}

	res = e.do(t, request{method: "GET", path: path + "?size=1", token: userToken(t, "u")})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, 2.0, res.jsonObj["total"])
	require.Equal(t, 2.0, res.jsonObj["pages"])
	items := res.jsonObj["items"].([]any)
	require.Len(t, items, 1)
	failed := items[0].(map[string]any)
	require.Equal(t, "failed", failed["outcome"], "newest first")
	require.Equal(t, "robots.txt disallows /", failed["error"])
	require.Equal(t, 1000.0, failed["duration_ms"])

	res = e.do(t, request{method: "GET", path: path + "?size=1&page=2", token: userToken(t, "u")})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	done := res.jsonObj["items"].([]any)[0].(map[string]any)
	require.Equal(t, "completed", done["outcome"])
	require.Equal(t, 1.0, done["pages_scanned"])
	require.Equal(t, 1.0, done["contacts_found"])
	require.Equal(t, 1.0, done["new_contacts"])
	require.Equal(t, 90000.0, done["duration_ms"])
	require.Nil(t, done["error"])
	require.Equal(t, "2026-10-02T08:00:00Z", done["started_at"])

	for _, bad := range []struct {
		path   string
		status int
	}{
		{"/api/v3/domains/" + uuid.NewString() + "/scans", http.StatusNotFound},
		{"/api/v3/domains/nope/scans", http.StatusUnprocessableEntity},
		{path + "?size=0", http.StatusUnprocessableEntity},
		{path + "?size=101", http.StatusUnprocessableEntity},
		{path + "?page=x", http.StatusUnprocessableEntity},
		{path + "?sort_by=domain", http.StatusUnprocessableEntity},
	} {
		res = e.do(t, request{method: "GET", path: bad.path, token: userToken(t, "u")})
		require.Equal(t, bad.status, res.status, "%s: %s", bad.path, res.raw)
	}
	res = e.do(t, request{method: "GET", path: path})
	require.Equal(t, http.StatusUnauthorized, res.status)
}
