package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// downStore is the memory store while the database is unreachable: every
// write fails as the PostgreSQL adapter reports a refused connection.
type downStore struct{ *spyStore }

func (s downStore) Within(context.Context, func(context.Context, curation.Repository) error) error {
	return fmt.Errorf("%w: dial tcp 127.0.0.1:5432: connect: connection refused", core.ErrUnavailable)
}

func TestStoreOutageIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *Config, d *Deps) {
		down := downStore{&spyStore{}}
		d.EmailScan = curation.NewSecondaryStateUpdater(down, core.EmailScan, fixedClock{testNow}, nil)
		d.DB = fakePinger{err: errors.New("connection refused")}
	})
	body := `{"domain_ids":["` + e.seed.fresh.ID.String() + `"],"email_scan_status":"Selected"}`
	res := e.do(t, request{method: "PUT", path: "/api/v3/domains/email-scan/status", body: body, token: userToken(t, "u")})
	require.Equal(t, 503, res.status)
	require.Equal(t, "5", res.header.Get("Retry-After"))
	require.Equal(t, "the database is unavailable; retry shortly", res.jsonObj["detail"])
	require.NotContains(t, string(res.raw), "refused")

	res = e.do(t, request{method: "GET", path: "/health/db"})
	require.Equal(t, 503, res.status)
	require.Equal(t, "5", res.header.Get("Retry-After"))
}

// Member names are exact and a member given twice is refused: a proxy that
// reads the exact key must see what the API acts on.
func TestJSONMemberNamesAreExact(t *testing.T) {
	t.Parallel()
	const path = "/api/v3/domains/email-scan/status"
	cases := []struct {
		name   string
		body   string
		status int
		detail string
	}{
		{"upper case", `{"domain_ids":["%ID%"],"EMAIL_SCAN_STATUS":"Selected"}`, 422, `unknown field "EMAIL_SCAN_STATUS"`},
		{"mixed case", `{"Domain_IDs":["%ID%"],"email_scan_status":"Selected"}`, 422, `unknown field "Domain_IDs"`},
		{"case twin", `{"domain_ids":["%ID%"],"email_scan_status":"Maybe","EMAIL_SCAN_STATUS":"Selected"}`, 422, `unknown field "EMAIL_SCAN_STATUS"`},
		{"duplicate", `{"domain_ids":["%ID%"],"email_scan_status":"Maybe","email_scan_status":"Selected"}`, 400, `member "email_scan_status" appears twice`},
		{"duplicate ids", `{"domain_ids":[],"email_scan_status":"Selected","domain_ids":["%ID%"]}`, 400, `member "domain_ids" appears twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			before := e.snapshot(t)
			body := strings.ReplaceAll(c.body, "%ID%", e.seed.fresh.ID.String())
			res := e.do(t, request{method: "PUT", path: path, body: body, token: userToken(t, "u")})
			require.Equal(t, c.status, res.status, string(res.raw))
			require.Contains(t, res.jsonObj["detail"], c.detail)
			require.Equal(t, before, e.snapshot(t))
			require.Zero(t, e.store.writes.Load())
		})
	}
}

func TestMultipartOnAJSONEndpointIs415(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, malformed := range []bool{false, true} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("email_scan_status", "Selected"))
		require.NoError(t, mw.Close())
		body := buf.String()
		if malformed {
			body = strings.TrimSuffix(body, "--\r\n") // no closing boundary
		}
		req := httptest.NewRequest("PUT", "/api/v3/domains/email-scan/status", strings.NewReader(body))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+userToken(t, "u"))
		res, err := e.server.App().Test(req, -1)
		require.NoError(t, err)
		require.Equal(t, 415, res.StatusCode, "malformed=%v", malformed)
		require.NoError(t, res.Body.Close())
	}
	require.Zero(t, e.store.writes.Load())
}

func TestJWTLifetimeLimits(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cases := []struct {
		name   string
		claims jwt.MapClaims
		detail string // "" for accepted
	}{
		{"one hour", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}, ""},
		{"small clock skew", jwt.MapClaims{"iat": now.Add(30 * time.Second).Unix(), "exp": now.Add(time.Hour).Unix()}, ""},
		{"issued in the future", jwt.MapClaims{"iat": now.Add(10 * time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}, "issued in the future"},
		{"lifetime too long", jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(48 * time.Hour).Unix()}, "lifetime"},
		{"old token, long lifetime", jwt.MapClaims{"iat": now.Add(-47 * time.Hour).Unix(), "exp": now.Add(time.Hour).Unix()}, "lifetime"},
		{"no iat, far exp", jwt.MapClaims{"exp": now.Add(48 * time.Hour).Unix()}, "lifetime"},
		{"no iat, near exp", jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}, ""},
	}
	e := newEnv(t, func(c *Config, _ *Deps) { c.JWTMaxTTL = 24 * time.Hour })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := jwt.MapClaims{"sub": "u", "aud": Audience}
			for k, v := range c.claims {
				claims[k] = v
			}
			tok := makeToken(t, jwt.SigningMethodHS256, testSecret, claims)
			res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: tok})
			if c.detail == "" {
				require.Equal(t, 200, res.status, string(res.raw))
				return
			}
			require.Equal(t, 401, res.status)
			require.Contains(t, res.jsonObj["detail"], c.detail)
		})
	}
}
