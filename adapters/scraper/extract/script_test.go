package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScriptSeam checks what reaches a ScriptRunner and what comes back.
func TestScriptSeam(t *testing.T) {
	t.Parallel()
	page := `<html><head>
<script>var a = 1;</script>
<script type="application/javascript; charset=utf-8">document.write('head' + '@' + 'acme-tools.com')</script>
<script type="module">let m = 2;</script>
<script type="application/ld+json">{"email": "ld@acme-tools.com"}</script>
<script src="/app.js">ignored()</script>
<script type="text/x-template">not js</script>
</head><body>
<a href="javascript:document.write('link'%2B'@'%2B'acme-tools.com')">x</a>
<a href="JavaScript:void(0)" onclick="this.innerHTML='click'+'@'+'acme-tools.com'" onmouseover="">y</a>
<template><script>inTemplate()</script></template>
<p>text@acme-tools.com</p>
</body></html>`
	var got []string
	found := Extractor{Scripts: writerRunner{got: &got}}.HTML(context.Background(), []byte(page), "https://acme-tools.com/")
	require.Equal(t, []string{
		"var a = 1;",
		"document.write('head' + '@' + 'acme-tools.com')",
		"let m = 2;",
		"document.write('link'+'@'+'acme-tools.com')",
		"void(0)",
		"this.innerHTML='click'+'@'+'acme-tools.com'",
	}, got, "inline JavaScript, javascript: URLs (percent-decoded) and handlers, in document order")
	require.Equal(t, []pair{
		{"ld@acme-tools.com", SourceJSONLD},
		{"text@acme-tools.com", SourceText},
		{"head@acme-tools.com", SourceScript},
		{"link@acme-tools.com", SourceScript},
		{"click@acme-tools.com", SourceScript},
	}, pairs(found))
	for _, f := range found {
		checkFound(t, f)
	}

	// Without a runner nothing is collected or run.
	require.Equal(t, []pair{{"ld@acme-tools.com", SourceJSONLD}, {"text@acme-tools.com", SourceText}}, pairs(HTML([]byte(page), "")))
}

// fixedRunner returns the same fragments whatever it is given.
type fixedRunner []string

func (r fixedRunner) Run(context.Context, []string) []string { return r }

// TestScriptFragments: fragments are read as HTML, their scripts are not
// run again, decoys stay decoys, and the output read back is bounded.
func TestScriptFragments(t *testing.T) {
	t.Parallel()
	page := []byte(`<script>x()</script>`)
	calls := 0
	counting := countingRunner{calls: &calls, out: []string{
		`<a href="mailto:frag@acme-tools.com">m</a><script>document.write('again@acme-tools.com')</script>`,
		`logo@2x.png you@yourdomain.com <span data-cfemail="3c4c4e5348595f487c5d5f515911485353504f125f5351"></span>`,
	}}
	found := Extractor{Scripts: counting}.HTML(context.Background(), page, "")
	require.Equal(t, 1, calls, "fragments are not run again")
	require.Equal(t, []pair{{"frag@acme-tools.com", SourceScript}, {"protect@acme-tools.com", SourceScript}}, pairs(found))

	huge := strings.Repeat("a", maxFragmentBytes) + " late@acme-tools.com"
	found = Extractor{Scripts: fixedRunner{"early@acme-tools.com", huge}}.HTML(context.Background(), page, "")
	require.Equal(t, []pair{{"early@acme-tools.com", SourceScript}}, pairs(found), "output beyond the budget is not read")

	require.Empty(t, Extractor{Scripts: fixedRunner{"x@acme-tools.com"}}.HTML(context.Background(), []byte(`<p>no scripts</p>`), ""),
		"a page without scripts does not call the runner")
}

type countingRunner struct {
	calls *int
	out   []string
}

func (r countingRunner) Run(context.Context, []string) []string {
	*r.calls++
	return r.out
}
