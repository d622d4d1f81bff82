package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// scanContacts finishes the queued scan of the seeded scan-queued domain
// with emails and returns the stored contacts.
func scanContacts(t *testing.T, e *env, emails ...string) []contact.Contact {
	t.Helper()
	ctx := context.Background()
	jobs, err := e.store.Claim(ctx, core.EmailScan, 1, time.Minute, testNow)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, e.seed.scanQueued.ID, jobs[0].DomainID)
	var found []scan.Found
	for _, m := range emails {
		found = append(found, scan.Found{Email: m})
	}
	rep := scan.Report{Pages: []scan.PageResult{{URL: "http://scan-queued.example.com/", Status: 200, Emails: found}}}
	require.NoError(t, e.store.FinishScan(ctx, jobs[0], scan.Build(jobs[0].DomainID, jobs[0].Domain, rep, testNow)))
	cs, err := e.store.Contacts(ctx, jobs[0].DomainID)
	require.NoError(t, err)
	require.Len(t, cs, len(emails))
	return cs
}

func TestDeleteDomain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "user-1")
	cs := scanContacts(t, e, "a@scan-queued.example.com")

	res := e.do(t, request{method: "DELETE", path: "/api/v3/domains/" + e.seed.scanQueued.ID.String(), token: tok})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	require.Equal(t, float64(1), res.jsonObj["deleted_count"])
	_, err := e.store.GetDomain(context.Background(), e.seed.scanQueued.ID)
	require.ErrorIs(t, err, core.ErrNotFound)
	left, err := e.store.Contacts(context.Background(), cs[0].DomainID)
	require.NoError(t, err)
	require.Empty(t, left, "the contacts go with the domain")

	res = e.do(t, request{method: "DELETE", path: "/api/v3/domains/" + e.seed.scanQueued.ID.String(), token: tok})
	require.Equal(t, http.StatusNotFound, res.status)
	require.Contains(t, res.jsonObj["detail"], "not found")

	before := e.snapshot4(t)
	res = e.do(t, request{method: "DELETE", path: "/api/v3/domains/not-a-uuid", token: tok})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.jsonObj["detail"], "not a UUID")
	res = e.do(t, request{method: "DELETE", path: "/api/v3/domains/" + e.seed.fresh.ID.String()})
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Equal(t, before, e.snapshot4(t), "refused requests delete nothing")
}

// snapshot4 reads the seeded domains that the delete tests leave alone.
func (e *env) snapshot4(t *testing.T) map[uuid.UUID]core.Domain {
	t.Helper()
	out := map[uuid.UUID]core.Domain{}
	for _, d := range []core.Domain{e.seed.fresh, e.seed.scanFailed, e.seed.analysisRun, e.seed.analysisErr} {
		out[d.ID] = e.get(t, d.ID)
	}
	return out
}

func TestDeleteDomainsBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "user-1")
	const path = "/api/v3/domains/delete"
	before := e.snapshot(t)
	many := make([]string, 10_001)
	for i := range many {
		many[i] = uuid.NewString()
	}
	bad := []struct {
		name, body string
		status     int
		detail     string
		headers    map[string]string
	}{
		{"missing ids", `{}`, 422, "domain_ids is required", nil},
		{"empty ids", `{"domain_ids":[]}`, 422, "domain_ids is empty", nil},
		{"null id", `{"domain_ids":[null]}`, 422, "domain_ids[0] is null", nil},
		{"not a UUID", `{"domain_ids":["` + e.seed.fresh.ID.String() + `","nope"]}`, 422, `domain_ids[1] = "nope" is not a UUID`, nil},
		{"unknown field", `{"domain_ids":["` + e.seed.fresh.ID.String() + `"],"force":true}`, 422, "unknown field", nil},
		{"wrong type", `{"domain_ids":"` + e.seed.fresh.ID.String() + `"}`, 422, "domain_ids must be", nil},
		{"too many", jsonBody(t, map[string]any{"domain_ids": many}), 422, "at most 10000", nil},
		{"malformed", `{"domain_ids":[`, 400, "malformed JSON", nil},
		{"not JSON", `domain_ids=x`, 415, "Content-Type", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
	}
	for _, c := range bad {
		res := e.do(t, request{method: "POST", path: path, body: c.body, token: tok, headers: c.headers})
		require.Equal(t, c.status, res.status, "%s: %s", c.name, res.raw)
		require.Contains(t, res.jsonObj["detail"], c.detail, c.name)
	}
	require.Equal(t, before, e.snapshot(t), "refused batches delete nothing")

	unknown := uuid.New()
	res := e.do(t, request{method: "POST", path: path, token: tok,
		body: jsonBody(t, map[string]any{"domain_ids": []string{e.seed.fresh.ID.String(), e.seed.scanFailed.ID.String(), unknown.String(), e.seed.fresh.ID.String()}})})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	require.Equal(t, float64(2), res.jsonObj["deleted_count"])
	require.Equal(t, []any{unknown.String()}, res.jsonObj["not_found_ids"])
	for _, id := range []uuid.UUID{e.seed.fresh.ID, e.seed.scanFailed.ID} {
		_, err := e.store.GetDomain(context.Background(), id)
		require.ErrorIs(t, err, core.ErrNotFound)
	}
	e.get(t, e.seed.analysisRun.ID) // the others stay
}

func TestDeleteContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "user-1")
	cs := scanContacts(t, e, "a@scan-queued.example.com", "b@scan-queued.example.com")

	res := e.do(t, request{method: "DELETE", path: "/api/v3/contacts/not-a-uuid", token: tok})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.jsonObj["detail"], `contact id "not-a-uuid" is not a UUID`)
	res = e.do(t, request{method: "DELETE", path: "/api/v3/contacts/" + uuid.NewString(), token: tok})
	require.Equal(t, http.StatusNotFound, res.status)
	left, err := e.store.Contacts(context.Background(), e.seed.scanQueued.ID)
	require.NoError(t, err)
	require.Len(t, left, 2, "refused requests delete nothing")

	res = e.do(t, request{method: "DELETE", path: "/api/v3/contacts/" + cs[0].ID.String(), token: tok})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	left, err = e.store.Contacts(context.Background(), e.seed.scanQueued.ID)
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, cs[1].ID, left[0].ID)
	require.Equal(t, 1, e.get(t, e.seed.scanQueued.ID).ContactsFound)
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "user-1")
	const path = "/api/v3/suppressions"
	scanContacts(t, e, "jane@example.net", "bob@spam.example.org", "ok@scan-queued.example.com")

	list := func() []any {
		res := e.do(t, request{method: "GET", path: path, token: tok})
		require.Equal(t, http.StatusOK, res.status)
		return res.jsonObj["items"].([]any)
	}
	require.Empty(t, list())

	long := strings.Repeat("a", 250) + "@x.io"
	many := make([]string, 1_001)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.com", i)
	}
	for _, method := range []string{"POST", "DELETE"} {
		bad := []struct{ body, detail string }{
			{`{}`, "values is required"},
			{`{"values":[]}`, "values is empty"},
			{`{"values":[null]}`, "values[0] is null"},
			{`{"values":["jane@example.net","not an address"]}`, `values[1] = "not an address" is not an email address or an email domain`},
			{`{"values":["@"]}`, "values[0]"},
			{`{"values":["localhost"]}`, "values[0]"},
			{`{"values":["a@b@"]}`, "values[0]"},
			{jsonBody(t, map[string]any{"values": []string{long}}), "values[0]"},
			{jsonBody(t, map[string]any{"values": many}), "at most 1000"},
			{`{"values":["jane@example.net"],"extra":1}`, "unknown field"},
			{`{"values":"jane@example.net"}`, "values must be"},
		}
		for _, c := range bad {
			res := e.do(t, request{method: method, path: path, body: c.body, token: tok})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, "%s %s: %s", method, c.body, res.raw)
			require.Contains(t, res.jsonObj["detail"], c.detail)
		}
		res := e.do(t, request{method: method, path: path, body: `{"values":[`, token: tok})
		require.Equal(t, http.StatusBadRequest, res.status)
	}
	require.Empty(t, list(), "refused requests add nothing")
	left, err := e.store.Contacts(context.Background(), e.seed.scanQueued.ID)
	require.NoError(t, err)
	require.Len(t, left, 3, "refused requests delete no contact")

	res := e.do(t, request{method: "POST", path: path, token: tok,
		body: `{"values":["Jane@Example.NET","@spam.example.org","spam.example.org"]}`})
	require.Equal(t, http.StatusCreated, res.status, string(res.raw))
	require.Equal(t, float64(2), res.jsonObj["added_count"])
	require.Equal(t, float64(2), res.jsonObj["contacts_removed"])
	items := list()
	require.Len(t, items, 2)
	require.Equal(t, "jane@example.net", items[0].(map[string]any)["value"])
	require.Equal(t, "address", items[0].(map[string]any)["kind"])
	require.Equal(t, "spam.example.org", items[1].(map[string]any)["value"])
	require.Equal(t, "domain", items[1].(map[string]any)["kind"])
	left, err = e.store.Contacts(context.Background(), e.seed.scanQueued.ID)
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, "ok@scan-queued.example.com", left[0].Email)

	res = e.do(t, request{method: "DELETE", path: path, token: tok, body: `{"values":["JANE@example.net","never@example.com"]}`})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	require.Equal(t, []any{"jane@example.net"}, res.jsonObj["removed"])
	require.Len(t, list(), 1)
}

func TestDomainStats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do(t, request{method: "GET", path: "/api/v3/domains/stats", token: userToken(t, "user-1")})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))

	// The reference: count the seeded domains here.
	want := map[string]map[string]float64{
		"email_scan_status":       {"New": 0, "Selected": 0, "Maybe": 0, "Not a Fit": 0, "Archived": 0},
		"sitemap_curation_status": {"New": 0, "Selected": 0, "Maybe": 0, "Not a Fit": 0, "Archived": 0},
		"page_scrape_status":      {"Queued": 0, "InProgress": 0, "Completed": 0, "Error": 0, "Cancelled": 0, "null": 0},
		"sitemap_analysis_status": {"Queued": 0, "Processing": 0, "Completed": 0, "Error": 0, "Cancelled": 0, "null": 0},
	}
	orNull := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	for _, d := range e.snapshot(t) {
		want["email_scan_status"][string(d.EmailScanStatus)]++
		want["sitemap_curation_status"][string(d.SitemapCurationStatus)]++
		var page, site *string
		if d.PageScrapeStatus != nil {
			page = ptr(string(*d.PageScrapeStatus))
		}
		if d.SitemapAnalysisStatus != nil {
			site = ptr(string(*d.SitemapAnalysisStatus))
		}
		want["page_scrape_status"][orNull(page)]++
		want["sitemap_analysis_status"][orNull(site)]++
	}
	require.Equal(t, float64(len(e.seed.all())), res.jsonObj["total"])
	for col, m := range want {
		got := map[string]float64{}
		for k, v := range res.jsonObj[col].(map[string]any) {
			got[k] = v.(float64)
		}
		require.Equal(t, m, got, col)
	}
	require.Equal(t, float64(1), res.jsonObj["page_scrape_status"].(map[string]any)["Queued"])

	// The count is shared between readers, and a write through the API
	// renews it: selecting the fresh domain queues it at once.
	res = e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", token: userToken(t, "user-1"),
		body: `{"domain_ids":["` + e.seed.fresh.ID.String() + `"],"email_scan_status":"Selected"}`})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	res = e.do(t, request{method: "GET", path: "/api/v3/domains/stats", token: userToken(t, "user-1")})
	require.Equal(t, http.StatusOK, res.status, string(res.raw))
	require.Equal(t, float64(2), res.jsonObj["page_scrape_status"].(map[string]any)["Queued"], "the write is counted")
	require.Equal(t, float64(1), res.jsonObj["email_scan_status"].(map[string]any)["Selected"])

	// The route is not mistaken for a domain ID, and needs a token.
	res = e.do(t, request{method: "GET", path: "/api/v3/domains/stats"})
	require.Equal(t, http.StatusUnauthorized, res.status)
}
