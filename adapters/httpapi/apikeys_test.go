package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core/apikey"
)

// TestAPIKeyLifecycle creates a key through the API, uses it as a bearer
// token (logged as apikey:NAME), finds it listed without its secret,
// revokes it and is refused with it afterwards.
func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := userToken(t, "admin")

	res := e.do(t, request{method: "POST", path: "/api/v3/api-keys", token: admin, body: `{"name":"crm-sync"}`})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	secret, _ := res.jsonObj["key"].(string)
	require.True(t, apikey.LooksLikeKey(secret), secret)
	id, _ := res.jsonObj["id"].(string)
	require.Equal(t, "/api/v3/api-keys/"+id, res.header.Get("Location"))
	require.Equal(t, "no-store", res.header.Get("Cache-Control"))
	require.Nil(t, res.jsonObj["revoked_at"])

	used := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: secret})
	require.Equal(t, http.StatusOK, used.status, "%s", used.raw)
	var logged bool
	for _, rec := range e.logs.records(t) {
		if rec["msg"] == "http request" && strings.HasPrefix(rec["path"].(string), "/api/v3/domains/") && rec["user_id"] == "apikey:crm-sync" {
			logged = true
		}
	}
	require.True(t, logged, "the key's name is logged as the user: %s", e.logs.String())

	list := e.do(t, request{method: "GET", path: "/api/v3/api-keys", token: secret})
	require.Equal(t, http.StatusOK, list.status)
	require.NotContains(t, string(list.raw), secret, "the secret is shown once")
	items := list.jsonObj["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "crm-sync", items[0].(map[string]any)["name"])

	revoked := e.do(t, request{method: "DELETE", path: "/api/v3/api-keys/" + id, token: admin})
	require.Equal(t, http.StatusOK, revoked.status, "%s", revoked.raw)
	require.NotNil(t, revoked.jsonObj["revoked_at"])

	after := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: secret})
	require.Equal(t, http.StatusUnauthorized, after.status)
	require.Contains(t, after.jsonObj["detail"], "unknown or revoked API key")
	require.Contains(t, after.header.Get("WWW-Authenticate"), `error="invalid_token"`)
}

func TestAPIKeyBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	for _, body := range []string{`{}`, `{"name":""}`, `{"name":"   "}`, `{"name":"` + strings.Repeat("x", 101) + `"}`, `{"name":"a","admin":true}`} {
		res := e.do(t, request{method: "POST", path: "/api/v3/api-keys", token: tok, body: body})
		require.Equal(t, http.StatusUnprocessableEntity, res.status, body)
	}
	res := e.do(t, request{method: "DELETE", path: "/api/v3/api-keys/nope", token: tok})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	res = e.do(t, request{method: "DELETE", path: "/api/v3/api-keys/7c9e6679-7425-40de-944b-e07fc1f90ae7", token: tok})
	require.Equal(t, http.StatusNotFound, res.status)
	list := e.do(t, request{method: "GET", path: "/api/v3/api-keys", token: tok})
	require.Equal(t, `{"items":[]}`, string(list.raw), "refused requests stored nothing")

	// A made-up key of the right shape is refused; keys need no JWT secret.
	res = e.do(t, request{method: "GET", path: "/api/v3/api-keys", token: apikey.SecretPrefix + strings.Repeat("A", 43)})
	require.Equal(t, http.StatusUnauthorized, res.status)
	res = e.do(t, request{method: "GET", path: "/api/v3/api-keys"})
	require.Equal(t, http.StatusUnauthorized, res.status)
}
