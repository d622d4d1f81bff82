package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"
)

// The OpenAPI document as kin-openapi reads it, validated with its strict
// options, and a router over it: every response the tests see is checked
// with openapi3filter.ValidateResponse.
var (
	kinOnce   sync.Once
	kinDoc    *openapi3.T
	kinRouter routers.Router
	kinErr    error
)

// strictValidation are the kin-openapi options the document must pass:
// formats, patterns, defaults and examples checked, every problem reported.
var strictValidation = []openapi3.ValidationOption{
	openapi3.EnableSchemaFormatValidation(),
	openapi3.EnableSchemaPatternValidation(),
	openapi3.EnableSchemaDefaultsValidation(),
	openapi3.EnableExamplesValidation(),
	openapi3.EnableMultiError(),
}

func loadKin(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	kinOnce.Do(func() {
		kinDoc, kinErr = openapi3.NewLoader().LoadFromData(openAPI)
		if kinErr != nil {
			return
		}
		if kinErr = kinDoc.Validate(context.Background(), strictValidation...); kinErr != nil {
			return
		}
		kinRouter, kinErr = legacy.NewRouter(kinDoc)
	})
	require.NoError(t, kinErr, "the OpenAPI document does not load or validate")
	return kinDoc, kinRouter
}

// checkResponse validates one response against the document: for a
// documented operation the status must be documented (IncludeResponseStatus)
// and the body must match the schema of its content type; a path or method
// the document does not have may only answer 404/405 (or 401 under /api)
// with the Error schema.
func checkResponse(t *testing.T, method, path string, status int, header http.Header, raw []byte) {
	t.Helper()
	doc, router := loadKin(t)
	req := httptest.NewRequest(method, path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized}, status,
			"%s %s is not documented (%v), so only 404/405 (or 401 under /api) may answer", method, path, err)
		var v any
		require.NoError(t, json.Unmarshal(raw, &v), "body of %s %s is JSON: %s", method, path, raw)
		require.NoError(t, doc.Components.Schemas["Error"].Value.VisitJSON(v), "body of %s %s -> %d: %s", method, path, status, raw)
		return
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(raw)),
		Options:                opts,
	}
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in),
		"%s %s -> %d %s: %s", method, path, status, header.Get("Content-Type"), clipBody(raw))
}

func clipBody(raw []byte) string {
	if len(raw) > 600 {
		return string(raw[:600]) + "..."
	}
	return string(raw)
}

// TestOpenAPILint is the document's linter: kin-openapi's loader and
// Validate with the strict options, plus the OAS 3.0 rules kin-openapi
// lets through: "nullable" only counts beside a "type" (so allOf + nullable
// allows nothing), and a nullable enum must list null.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	doc, _ := loadKin(t)
	var problems []string
	seen := map[*openapi3.Schema]bool{}
	var walk func(at string, ref *openapi3.SchemaRef)
	walk = func(at string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Nullable && (s.Type == nil || len(*s.Type) == 0) {
			problems = append(problems, at+": nullable without a type is ignored in OAS 3.0")
		}
		if s.Nullable && len(s.Enum) > 0 && !containsNil(s.Enum) {
			problems = append(problems, at+": a nullable enum must list null")
		}
		for name, p := range s.Properties {
			walk(at+"."+name, p)
		}
		walk(at+"[]", s.Items)
		for i, sub := range append(append(append(openapi3.SchemaRefs{}, s.AllOf...), s.OneOf...), s.AnyOf...) {
			walk(fmt.Sprintf("%s/of[%d]", at, i), sub)
		}
	}
	for name, s := range doc.Components.Schemas {
		walk("#/components/schemas/"+name, s)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				walk(method+" "+path+" ?"+p.Value.Name, p.Value.Schema)
			}
		}
	}
	require.Empty(t, problems)
}

func containsNil(vs []any) bool {
	for _, v := range vs {
		if v == nil {
			return true
		}
	}
	return false
}

// TestSpecCheckerRejects makes sure the validation every test relies on
// does fail on answers that break the document.
func TestSpecCheckerRejects(t *testing.T) {
	t.Parallel()
	doc, _ := loadKin(t)
	cases := []struct {
		name, schema, body string
	}{
		{"missing detail", "Error", `{}`},
		{"empty detail", "Error", `{"detail":""}`},
		{"extra member", "Error", `{"detail":"x","code":1}`},
		{"wrong type", "Error", `{"detail":5}`},
		{"domain missing fields", "Domain", `{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}`},
		{"bad enum", "CurationStatus", `"selected"`},
		{"null not allowed", "CurationStatus", `null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v any
			require.NoError(t, json.Unmarshal([]byte(tc.body), &v))
			require.Error(t, doc.Components.Schemas[tc.schema].Value.VisitJSON(v))
		})
	}

	// A live domain with a null sitemap_analysis_status validates; an
	// unknown status in that member does not.
	e := newEnv(t)
	res := e.do(t, request{method: "GET", path: "/api/v3/domains/" + e.seed.fresh.ID.String(), token: userToken(t, "u")})
	require.Nil(t, res.jsonObj["sitemap_analysis_status"])
	bad := strings.Replace(string(res.raw), `"sitemap_analysis_status":null`, `"sitemap_analysis_status":"Sideways"`, 1)
	require.NotEqual(t, string(res.raw), bad)
	in := func(body string, status int) error {
		_, router := loadKin(t)
		req := httptest.NewRequest("GET", "/api/v3/domains/"+e.seed.fresh.ID.String(), nil)
		route, params, err := router.FindRoute(req)
		require.NoError(t, err)
		opts := &openapi3filter.Options{IncludeResponseStatus: true}
		return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
			Status:                 status, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Options: opts,
		})
	}
	require.NoError(t, in(string(res.raw), 200))
	require.Error(t, in(bad, 200), "an unknown status is refused")
	require.Error(t, in(string(res.raw), 418), "an undocumented status is refused")
}
