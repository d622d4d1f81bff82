package httpapi

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
)

// row returns the error table's row for sentinel.
func row(t *testing.T, sentinel error) (status int, detail string) {
	t.Helper()
	for _, m := range sentinelStatus {
		if errors.Is(m.err, sentinel) {
			return m.status, m.detail
		}
	}
	t.Fatalf("no row for %v in the error table", sentinel)
	return 0, ""
}

// TestErrorTableRowsAreReached sends requests that end in the not-found
// and the invalid-query rows of the error table: handlers hand these
// errors to the table instead of answering them themselves, so removing a
// row turns its answers into 500s. The detail is the one the error carries
// for the client (the missing domain; core's sentence naming the
// parameter), and the row's status.
func TestErrorTableRowsAreReached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ghost := uuid.New()
	long := strings.Repeat("x", catalog.MaxFilterLength+1)
	cases := []struct {
		name     string
		sentinel error
		path     string
		detail   []string
	}{
		{"unknown domain", core.ErrNotFound, "/api/v3/domains/" + ghost.String(),
			[]string{"domain " + ghost.String() + " not found"}},
		{"contacts of an unknown domain", core.ErrNotFound, "/api/v3/domains/" + ghost.String() + "/contacts",
			[]string{"domain " + ghost.String() + " not found"}},
		{"sitemaps of an unknown domain", core.ErrNotFound, "/api/v3/domains/" + ghost.String() + "/sitemaps",
			[]string{"domain " + ghost.String() + " not found"}},
		{"unknown sort key", catalog.ErrInvalidQuery, "/api/v3/domains?sort_by=colour",
			[]string{`sort_by "colour" is not a sort key; allowed:`}},
		{"domain filter too long", catalog.ErrInvalidQuery, "/api/v3/domains?domain_filter=" + long,
			[]string{"domain_filter "}},
		{"contact search too long", catalog.ErrInvalidQuery, "/api/v3/contacts?q=" + url.QueryEscape(long),
			[]string{"q "}},
		{"contact search too long, one domain", catalog.ErrInvalidQuery, "/api/v3/domains/" + ghost.String() + "/contacts?q=" + long,
			[]string{"q "}},
	}
	reached := map[error]bool{}
	for _, c := range cases {
		res := e.do(t, request{method: "GET", path: c.path, token: userToken(t, "u1")})
		status, _ := row(t, c.sentinel)
		require.Equal(t, status, res.status, "%s: %s", c.name, res.raw)
		detail, _ := res.jsonObj["detail"].(string)
		for _, want := range c.detail {
			require.Contains(t, detail, want, c.name)
		}
		reached[c.sentinel] = true
	}
	require.Len(t, reached, 2)
}

// TestRowDetail pins which errors speak for themselves: a query error and
// a not-found error give their own text; any other error matching a row,
// whatever a store wrote into it, gets the row's fixed detail.
func TestRowDetail(t *testing.T) {
	t.Parallel()
	_, fixed := row(t, core.ErrNotFound)
	require.Equal(t, "domain x not found", rowDetail(notFound("domain %s", "x"), fixed))
	require.Equal(t, fixed, rowDetail(errors.Join(errors.New("pq: relation secret_table"), core.ErrNotFound), fixed))
	_, fixed = row(t, catalog.ErrInvalidQuery)
	q := &catalog.QueryError{Param: "size", Reason: "must be at most 100"}
	require.Equal(t, "size must be at most 100", rowDetail(q, fixed))
}
