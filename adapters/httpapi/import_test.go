package httpapi

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

const importPath = "/api/v3/domains/import"

// multipartBody returns a multipart/form-data body with one part per field;
// file parts carry a filename.
func multipartBody(t *testing.T, fields ...[3]string) (body, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields { // kind ("file" or "value"), name, content
		if f[0] == "file" {
			fw, err := w.CreateFormFile(f[1], "domains.csv")
			require.NoError(t, err)
			_, err = fw.Write([]byte(f[2]))
			require.NoError(t, err)
		} else {
			require.NoError(t, w.WriteField(f[1], f[2]))
		}
	}
	require.NoError(t, w.Close())
	return buf.String(), w.FormDataContentType()
}

func TestImportDomains(t *testing.T) {
	t.Parallel()
	file := "Domain,notes\n" +
		"https://www.Acme.example.com/about,first\n" +
		"exa mple.com,typo\n" +
		"fresh.example.com,already stored\n" +
		"ACME.example.com,duplicate\n" +
		"\n" +
		"new.example.org\n" +
		"ftp://x.example.org\n"
	multi, multiCT := multipartBody(t, [3]string{"file", "file", file}, [3]string{"value", "note", "ignored"})
	plain, plainCT := multipartBody(t, [3]string{"value", "file", file})
	cases := []struct {
		name, body, contentType string
	}{
		{"multipart file", multi, multiCT},
		{"multipart plain field", plain, plainCT},
		{"text/csv", file, "text/csv"},
		{"text/csv utf-8", file, "text/csv; charset=UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			res := e.do(t, request{method: "POST", path: importPath, token: userToken(t, "u"), body: tc.body,
				headers: map[string]string{"Content-Type": tc.contentType}})
			require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
			require.Equal(t, float64(2), res.jsonObj["created"])
			require.Equal(t, float64(1), res.jsonObj["existing"])
			require.Equal(t, []any{
				map[string]any{"row": float64(3), "input": "exa mple.com", "reason": `"exa mple.com" is not a valid host name`},
				map[string]any{"row": float64(8), "input": "ftp://x.example.org", "reason": `scheme "ftp" is not http or https`},
			}, res.jsonObj["rejected"])
			ids := res.jsonObj["domain_ids"].([]any)
			require.Len(t, ids, 3)
			require.Equal(t, e.seed.fresh.ID.String(), ids[1], "a stored host keeps its ID")
			for i, host := range map[int]string{0: "acme.example.com", 2: "new.example.org"} {
				d := e.get(t, uuid.MustParse(ids[i].(string)))
				require.Equal(t, host, d.Domain)
				require.Equal(t, core.CurationNew, d.EmailScanStatus)
				require.Equal(t, testNow, d.CreatedAt)
			}
		})
	}
}

func TestImportRefused(t *testing.T) {
	t.Parallel()
	var many strings.Builder
	for i := range 10_001 {
		fmt.Fprintf(&many, "d%d.io\n", i)
	}
	noFile, noFileCT := multipartBody(t, [3]string{"value", "upload", "a.example.org"})
	twoFiles, twoFilesCT := multipartBody(t, [3]string{"file", "file", "a.example.org"}, [3]string{"file", "file", "b.example.org"})
	cases := []struct {
		name        string
		body, ct    string
		enc         string
		network     bool // fasthttp refuses the body while reading it, before any handler
		status      int
		detail      []string
		rejectedLen int
	}{
		{name: "no valid row", body: "domain\nexa mple.com\n,\nftp://x.org\n", ct: "text/csv", status: 422,
			detail: []string{"none of the 3 row(s) holds a valid domain; nothing was stored"}, rejectedLen: 3},
		{name: "empty", body: "", ct: "text/csv", status: 422, detail: []string{"the file holds no domain"}},
		{name: "header only", body: "website\n", ct: "text/csv", status: 422, detail: []string{"the file holds no domain"}},
		{name: "too many rows", body: many.String(), ct: "text/csv", status: 422, detail: []string{"more than 10000 rows"}},
		{name: "binary", body: "PK\x03\x04\x00\x00\x00", ct: "text/csv", status: 422, detail: []string{"line 1 holds binary data"}},
		{name: "no file field", body: noFile, ct: noFileCT, status: 422, detail: []string{`no field "file"`}},
		{name: "two files", body: twoFiles, ct: twoFilesCT, status: 422, detail: []string{`2 fields "file"`}},
		{name: "broken multipart", body: "--xyz\r\nnonsense", ct: "multipart/form-data; boundary=xyz", network: true, status: 400,
			detail: []string{"malformed multipart"}},
		{name: "multipart without boundary", body: "a.example.org", ct: "multipart/form-data", status: 400, detail: []string{"malformed multipart"}},
		{name: "json", body: `{"domains":["a.example.org"]}`, ct: "application/json", status: 415, detail: []string{"multipart/form-data", "text/csv"}},
		{name: "no content type", body: "a.example.org", ct: "", status: 415, detail: []string{"not supported"}},
		{name: "latin-1", body: "a.example.org", ct: "text/csv; charset=iso-8859-1", status: 415, detail: []string{`charset "iso-8859-1"`}},
		{name: "compressed", body: "a.example.org", ct: "text/csv", enc: "gzip", status: 415, detail: []string{"Content-Encoding"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			before := e.snapshot(t)
			headers := map[string]string{"Content-Type": tc.ct}
			if tc.enc != "" {
				headers["Content-Encoding"] = tc.enc
			}
			res := e.do(t, request{method: "POST", path: importPath, token: userToken(t, "u"), body: tc.body, headers: headers, network: tc.network})
			require.Equal(t, tc.status, res.status, "%s", res.raw)
			for _, d := range tc.detail {
				require.Contains(t, res.jsonObj["detail"], d)
			}
			if tc.rejectedLen > 0 {
				rejected := res.jsonObj["rejected"].([]any)
				require.Len(t, rejected, tc.rejectedLen)
				require.Equal(t, map[string]any{"row": float64(2), "input": "exa mple.com", "reason": `"exa mple.com" is not a valid host name`}, rejected[0])
			}
			require.Zero(t, e.store.writes.Load(), "a refused import reached the store")
			require.Equal(t, before, e.snapshot(t))
		})
	}

	// Over the body limit (made small here, as a client that keeps sending
	// a large refused body sees a reset): refused before any parsing.
	e := newEnv(t, func(c *Config, _ *Deps) { c.BodyLimit = 1024 })
	res := e.do(t, request{method: "POST", path: importPath, token: userToken(t, "u"), network: true, headersOnly: true,
		body: strings.Repeat("a.example.org\n", 100), headers: map[string]string{"Content-Type": "text/csv"}})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status)
	require.Contains(t, res.jsonObj["detail"], "1024 bytes")
	require.Zero(t, e.store.writes.Load())

	// No token, no import.
	res = e.do(t, request{method: "POST", path: importPath, body: "a.example.org", headers: map[string]string{"Content-Type": "text/csv"}})
	require.Equal(t, http.StatusUnauthorized, res.status)
}
