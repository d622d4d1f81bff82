package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestBadRequests sends requests that must be refused and checks the status,
// a JSON detail naming the problem, the auth challenge where one is due, and
// that nothing reached the store.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	const (
		emailPath   = "/api/v3/domains/email-scan/status"
		sitemapPath = "/api/v3/domains/sitemap-curation/status"
		submitPath  = "/api/v3/domains/direct-submit"
	)
	good := userToken(t, "user-1")
	id := "%ID%" // replaced by a seeded domain's ID
	manyIDs := make([]string, 10_001)
	for i := range manyIDs {
		manyIDs[i] = uuid.NewString()
	}
	manyDomains := make([]string, 1_001)
	for i := range manyDomains {
		manyDomains[i] = fmt.Sprintf("d%d.example.com", i)
	}
	now := time.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims("user-1")
		edit(c)
		return c
	}
	noneToken := makeToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims("user-1"))
	emailBody := `{"domain_ids":["` + id + `"],"email_scan_status":"Selected"}`

	cases := []struct {
		name      string
		req       request
		opts      []option
		status    int
		detail    []string // substrings the detail must contain
		challenge string   // expected WWW-Authenticate, for 401s
	}{
		// Bodies that are not JSON.
		{name: "malformed JSON", req: request{method: "PUT", path: emailPath, body: `{"domain_ids": [`},
			status: 400, detail: []string{"malformed JSON"}},
		{name: "syntax error", req: request{method: "PUT", path: emailPath, body: `{"domain_ids": nope}`},
			status: 400, detail: []string{"malformed JSON at byte"}},
		{name: "trailing data", req: request{method: "PUT", path: emailPath, body: emailBody + ` {"x":1}`},
			status: 400, detail: []string{"unexpected data after"}},
		{name: "trailing garbage", req: request{method: "PUT", path: emailPath, body: emailBody + `]`},
			status: 400, detail: []string{"after the top-level object"}},
		{name: "empty body", req: request{method: "PUT", path: emailPath, headers: map[string]string{"Content-Type": "application/json"}},
			status: 400, detail: []string{"empty"}},
		{name: "body over the limit", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + strings.Repeat("a", 1<<20) + `"]}`, network: true, headersOnly: true},
			status: 413, detail: []string{"larger than the limit", "1048576"}},

		// Media types.
		{name: "text/plain", req: request{method: "PUT", path: emailPath, body: emailBody, headers: map[string]string{"Content-Type": "text/plain"}},
			status: 415, detail: []string{"Content-Type", "text/plain"}},
		{name: "no content type", req: request{method: "PUT", path: emailPath, body: emailBody, headers: map[string]string{"Content-Type": ""}},
			status: 415, detail: []string{"Content-Type is missing"}},
		{name: "non-UTF-8 charset", req: request{method: "PUT", path: emailPath, body: emailBody, headers: map[string]string{"Content-Type": "application/json; charset=latin1"}},
			status: 415, detail: []string{"charset", "latin1"}},
		{name: "compressed body", req: request{method: "PUT", path: emailPath, body: emailBody, headers: map[string]string{"Content-Encoding": "gzip"}},
			status: 415, detail: []string{"Content-Encoding", "gzip"}},

		// JSON of the wrong shape: status updates.
		{name: "unknown field", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + id + `"],"email_scan_status":"Selected","force":true}`},
			status: 422, detail: []string{`unknown field "force"`, "domain_ids, email_scan_status"}},
		{name: "other workflow's field", req: request{method: "PUT", path: sitemapPath, body: emailBody},
			status: 422, detail: []string{`unknown field "email_scan_status"`, "sitemap_curation_status"}},
		{name: "missing domain_ids", req: request{method: "PUT", path: emailPath, body: `{"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids is required"}},
		{name: "null domain_ids", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":null,"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids is required"}},
		{name: "empty domain_ids", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":[],"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids is empty"}},
		{name: "non-UUID at index 1", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + id + `","12345"],"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids[1]", `"12345"`, "not a UUID"}},
		{name: "null ID", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":[null],"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids[0] is null"}},
		{name: "unknown status", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + id + `"],"email_scan_status":"selected"}`},
			status: 422, detail: []string{`"selected" is not a curation status`, `"New", "Selected", "Maybe", "Not a Fit", "Archived"`}},
		{name: "unknown sitemap status", req: request{method: "PUT", path: sitemapPath, body: `{"domain_ids":["` + id + `"],"sitemap_curation_status":"Done"}`},
			status: 422, detail: []string{"sitemap_curation_status", `"Done"`, `"Not a Fit"`}},
		{name: "missing status", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + id + `"]}`},
			status: 422, detail: []string{"email_scan_status is required"}},
		{name: "null status", req: request{method: "PUT", path: sitemapPath, body: `{"domain_ids":["` + id + `"],"sitemap_curation_status":null}`},
			status: 422, detail: []string{"sitemap_curation_status is required"}},
		{name: "over 10,000 IDs", req: request{method: "PUT", path: emailPath, body: jsonBody(t, map[string]any{"domain_ids": manyIDs, "email_scan_status": "Selected"})},
			status: 422, detail: []string{"10001", "at most 10000"}},
		{name: "domain_ids a string", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":"` + id + `","email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids must be an array of strings, not a string"}},
		{name: "ID a number", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":[42],"email_scan_status":"Selected"}`},
			status: 422, detail: []string{"domain_ids must be an array of strings, but holds a number"}},
		{name: "status a number", req: request{method: "PUT", path: emailPath, body: `{"domain_ids":["` + id + `"],"email_scan_status":1}`},
			status: 422, detail: []string{"email_scan_status must be a string, not a number"}},
		{name: "body an array", req: request{method: "PUT", path: emailPath, body: `["` + id + `"]`},
			status: 422, detail: []string{"must be a JSON object, not an array"}},

		// JSON of the wrong shape: direct submit.
		{name: "invalid domains", req: request{method: "POST", path: submitPath, body: `{"domains":["ok.example.com","ftp://x.example.com","user@x.example.com"]}`},
			status: 422, detail: []string{"2 submitted domain(s) are invalid", "nothing was stored"}},
		{name: "missing domains", req: request{method: "POST", path: submitPath, body: `{}`},
			status: 422, detail: []string{"domains is required"}},
		{name: "empty domains", req: request{method: "POST", path: submitPath, body: `{"domains":[]}`},
			status: 422, detail: []string{"domains is empty"}},
		{name: "null domain", req: request{method: "POST", path: submitPath, body: `{"domains":["a.example.com",null]}`},
			status: 422, detail: []string{"domains[1] is null"}},
		{name: "over 1,000 domains", req: request{method: "POST", path: submitPath, body: jsonBody(t, map[string]any{"domains": manyDomains})},
			status: 422, detail: []string{"1001", "at most 1000"}},
		{name: "submit unknown field", req: request{method: "POST", path: submitPath, body: `{"domains":["a.example.com"],"tags":[]}`},
			status: 422, detail: []string{`unknown field "tags"`}},

		// Reading a domain.
		{name: "non-UUID id", req: request{method: "GET", path: "/api/v3/domains/not-a-uuid"},
			status: 422, detail: []string{`"not-a-uuid" is not a UUID`}},
		{name: "unknown id", req: request{method: "GET", path: "/api/v3/domains/" + uuid.NewString()},
			status: 404, detail: []string{"not found"}},

		// Routing.
		{name: "unknown route", req: request{method: "GET", path: "/nope"},
			status: 404, detail: []string{"no route for GET /nope"}},
		{name: "unknown API route", req: request{method: "GET", path: "/api/v3/nope/x/y"},
			status: 404, detail: []string{"no route"}},
		{name: "wrong method", req: request{method: "DELETE", path: emailPath},
			status: 405, detail: []string{"DELETE is not allowed", "allowed: PUT"}},

		// Authentication.
		{name: "no Authorization", req: request{method: "PUT", path: emailPath, body: emailBody, token: "-"},
			status: 401, detail: []string{"missing Authorization header"}, challenge: `Bearer realm="scrapersky"`},
		{name: "wrong scheme", req: request{method: "PUT", path: emailPath, body: emailBody, token: "-", headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}},
			status: 401, detail: []string{"scheme must be Bearer"}, challenge: `Bearer realm="scrapersky"`},
		{name: "empty bearer", req: request{method: "GET", path: "/api/v3/domains/" + id, token: "-", headers: map[string]string{"Authorization": "Bearer "}},
			status: 401, detail: []string{"missing bearer token"}, challenge: `Bearer realm="scrapersky"`},
		{name: "bad signature", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), validClaims("user-1"))},
			status: 401, detail: []string{"signature does not verify"}, challenge: `error="invalid_token"`},
		{name: "expired", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }))},
			status: 401, detail: []string{"expired"}, challenge: `error="invalid_token"`},
		{name: "no exp", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
			status: 401, detail: []string{"required claim (exp)"}, challenge: `error="invalid_token"`},
		{name: "wrong audience", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["aud"] = "anon" }))},
			status: 401, detail: []string{"audience"}, challenge: `error="invalid_token"`},
		{name: "no subject", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { delete(c, "sub") }))},
			status: 401, detail: []string{"no subject"}, challenge: `error="invalid_token"`},
		{name: "alg none", req: request{method: "PUT", path: emailPath, body: emailBody, token: noneToken},
			status: 401, detail: []string{`"none" is not HS256`}, challenge: `error="invalid_token"`},
		{name: "alg HS512", req: request{method: "PUT", path: emailPath, body: emailBody, token: makeToken(t, jwt.SigningMethodHS512, testSecret, validClaims("user-1"))},
			status: 401, detail: []string{`"HS512" is not HS256`}, challenge: `error="invalid_token"`},
		{name: "not a JWT", req: request{method: "PUT", path: emailPath, body: emailBody, token: "abc.def"},
			status: 401, detail: []string{"malformed JWT"}, challenge: `error="invalid_token"`},
		{name: "dev token not allowed", opts: []option{withDevToken(false)}, req: request{method: "PUT", path: emailPath, body: emailBody, token: testDevToken},
			status: 401, detail: []string{"invalid token"}, challenge: `error="invalid_token"`},
		{name: "wrong dev token", opts: []option{withDevToken(true)}, req: request{method: "PUT", path: emailPath, body: emailBody, token: testDevToken + "x"},
			status: 401, detail: []string{"invalid token"}, challenge: `error="invalid_token"`},
		{name: "API 404 needs auth first", req: request{method: "GET", path: "/api/v3/nope", token: "-"},
			status: 401, detail: []string{"missing Authorization"}, challenge: `Bearer realm="scrapersky"`},
	}
	require.GreaterOrEqual(t, len(cases), 22)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts...)
			before := e.snapshot(t)

			r := tc.req
			r.path = strings.ReplaceAll(r.path, id, e.seed.fresh.ID.String())
			r.body = strings.ReplaceAll(r.body, id, e.seed.fresh.ID.String())
			switch r.token {
			case "":
				r.token = good
			case "-":
				r.token = ""
			}
			res := e.do(t, r)

			require.Equal(t, tc.status, res.status, "body: %s", res.raw)
			require.True(t, strings.HasPrefix(res.header.Get("Content-Type"), "application/json"), res.header.Get("Content-Type"))
			detail, _ := res.jsonObj["detail"].(string)
			require.NotEmpty(t, detail, "body: %s", res.raw)
			for _, want := range tc.detail {
				require.Contains(t, detail, want)
			}
			if tc.challenge != "" {
				got := res.header.Get("WWW-Authenticate")
				require.Contains(t, got, tc.challenge)
				require.Equal(t, strings.Contains(tc.challenge, "invalid_token"), strings.Contains(got, "invalid_token"), got)
			}
			if tc.status == http.StatusMethodNotAllowed {
				require.Equal(t, "PUT", res.header.Get("Allow"))
			}

			require.Equal(t, before, e.snapshot(t), "a refused request changed the store")
			require.Zero(t, e.store.writes.Load(), "a refused request reached the store")
		})
	}
}

// TestInvalidDomainsListed checks that a refused submission lists every
// rejected input with its reason.
func TestInvalidDomainsListed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do(t, request{method: "POST", path: "/api/v3/domains/direct-submit", token: userToken(t, "u"),
		body: `{"domains":["good.example.com","ftp://x.example.com","user:pw@x.example.com","exa mple.com"]}`})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	rejected, ok := res.jsonObj["rejected"].([]any)
	require.True(t, ok, "body: %s", res.raw)
	require.Len(t, rejected, 3)
	for i, want := range []struct{ input, reason string }{
		{"ftp://x.example.com", "scheme"},
		{"user:pw@x.example.com", "credentials"},
		{"exa mple.com", "valid host"},
	} {
		r := rejected[i].(map[string]any)
		require.Equal(t, want.input, r["input"])
		require.Contains(t, r["reason"], want.reason)
	}
	require.Zero(t, e.store.writes.Load())
}
