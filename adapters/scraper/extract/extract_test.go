package extract

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// pair is an expected result without its context.
type pair struct {
	email string
	src   Source
}

func pairs(fs []Found) []pair {
	out := make([]pair, 0, len(fs))
	for _, f := range fs {
		out = append(out, pair{f.Email, f.Source})
	}
	return out
}

func TestHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		html string
		want []pair
	}{
		{"plain text", `<p>Write to info@acme.com today.</p>`, []pair{{"info@acme.com", SourceText}}},
		{"lowercased", `<p>Jane.Miller@ACME.com</p>`, []pair{{"jane.miller@acme.com", SourceText}}},
		{"surrounding punctuation", `<p>("info@acme.com"), 'sales@acme.com'; -jobs@acme.com- .hr@acme.com.</p>`,
			[]pair{{"info@acme.com", SourceText}, {"sales@acme.com", SourceText}, {"jobs@acme.com", SourceText}, {"hr@acme.com", SourceText}}},
		{"table cells separate", `<table><tr><td>a@b.com</td><td>Phone</td></tr></table>`, []pair{{"a@b.com", SourceText}}},
		// Outside a table the parser drops td tags and glues the cells;
		// the case change still ends the domain.
		{"bare cells", `<td>a@b.com</td><td>Phone</td>`, []pair{{"a@b.com", SourceText}}},
		{"list items separate", `<ul><li>x@acme.com</li><li>Manager</li></ul>`, []pair{{"x@acme.com", SourceText}}},
		{"divs and paragraphs separate", `<div>x@acme.com</div><div>Fax</div><p>y@acme.com</p><p>Tel</p>`,
			[]pair{{"x@acme.com", SourceText}, {"y@acme.com", SourceText}}},
		{"br separates", `Email: x@acme.com<br>Phone: 1`, []pair{{"x@acme.com", SourceText}}},
		{"inline elements glue", `<b>info</b>@<i>acme</i>.com`, []pair{{"info@acme.com", SourceText}}},
		{"inline neighbour cut at bound", `<span>x@acme.com</span><span>tel</span>`, []pair{{"x@acme.com", SourceText}}},
		{"case change cut", `Mail: x@acme.comContact`, []pair{{"x@acme.com", SourceText}}},
		{"digit cut", `Mail: x@acme.de2024`, []pair{{"x@acme.de", SourceText}}},
		{"capitalized sentence after dot", `Mail x@acme.com.Email us.`, []pair{{"x@acme.com", SourceText}}},
		{"no cut at a dot", `admin@db.prod.lan`, nil},
		{"js escape before local part", `<p>\u003cinfo@acme.com\u003e and \x22sales@acme.com</p>`,
			[]pair{{"info@acme.com", SourceText}, {"sales@acme.com", SourceText}}},
		{"percent escape before local part", `<p>?to=%20info@acme.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"hidden elements skipped", `<script>a@acme.com</script><style>b@acme.com{}</style><noscript>c@acme.com</noscript><template>d@acme.com</template><!-- e@acme.com --><p>f@acme.com</p>`,
			[]pair{{"f@acme.com", SourceText}}},
		{"decimal entities", `<p>&#105;&#110;&#102;&#111;&#64;acme.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"hex entities", `<p>info&#x40;acme&#x2E;com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"named entity at", `<p>info&commat;acme&period;com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"doubly encoded text", `<p>info&amp;#64;acme&amp;#46;com</p>`, []pair{{"info@acme.com", SourceEntity}}},
		{"doubly encoded without semicolon", `<p>info&amp;#64acme.com</p>`, []pair{{"info@acme.com", SourceEntity}}},
		{"doubly encoded attribute", `<a href="mailto:info&amp;#64;acme.com">x</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"brackets", `info [at] acme [dot] com`, []pair{{"info@acme.com", SourceObfuscated}}},
		{"parentheses upper case", `info(AT)acme(DOT)com`, []pair{{"info@acme.com", SourceObfuscated}}},
		{"braces with spaces", `info { at } acme { dot } co { dot } uk`, []pair{{"info@acme.co.uk", SourceObfuscated}}},
		{"only at obfuscated", `info [at] acme.com`, []pair{{"info@acme.com", SourceObfuscated}}},
		{"only dot obfuscated", `info@acme(dot)com`, []pair{{"info@acme.com", SourceObfuscated}}},
		{"angle brackets", `info &lt;at&gt; acme &lt;dot&gt; com`, []pair{{"info@acme.com", SourceObfuscated}}},
		{"bare at is prose", `meet us at acme dot com`, nil},
		{"bracket prose", `meet us [at the fair] or (dotted lines)`, nil},
		{"mailto", `<a href="mailto:info@acme.com">Mail</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"mailto upper case and spaces", `<a href="  MAILTO:Info@Acme.com ">Mail</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"zero-width space inside an address", "<p>in\u200bfo@acme.com</p>", []pair{{"info@acme.com", SourceText}}},
		{"soft hyphen entity inside a domain", `<p>info@ac&shy;me.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"doubly encoded zero-width joiner", `<p>in&amp;#8205;fo@acme.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"fullwidth at and dot", "<p>メール：info\uff20acme\uff0ejp</p>", []pair{{"info@acme.jp", SourceObfuscated}}},
		{"fullwidth dot alone is not folded", "<p>info@acme\uff0ejp</p>", nil},
		{"hidden inline text is not read", `<p>info<span style="display:none">zz</span>@acme.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"an unclosed hidden span ends with its block", `<p>x<span hidden>zz</p><p>info@acme.com</p>`, []pair{{"info@acme.com", SourceText}}},
		{"a hidden block is still read", `<div style="display:none"><p>info@acme.com</p></div>`, []pair{{"info@acme.com", SourceText}}},
		{"a visible span with none in its class", `<p>info<span class="none">x</span>@acme.com</p>`, []pair{{"infox@acme.com", SourceText}}},
		{"mailto cc is a recipient, subject is not", `<a href="mailto:info@acme.com?subject=Ask%20sales@acme.com&cc=cc@acme.com">Mail</a>`,
			[]pair{{"info@acme.com", SourceMailto}, {"cc@acme.com", SourceMailto}}},
		{"mailto to= and bcc= fields", `<a href="mailto:?To=to%40acme.com&amp;bcc=b1@acme.com%2Cb2@acme.com&body=x@acme.com">Mail</a>`,
			[]pair{{"to@acme.com", SourceMailto}, {"b1@acme.com", SourceMailto}, {"b2@acme.com", SourceMailto}}},
		{"mailto percent decoded", `<a href="mailto:info%40acme.com">Mail</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"mailto malformed percent", `<a href="mailto:info%40acme.com%zz">Mail</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"mailto several recipients", `<a href="mailto:a@acme.com,%20b@acme.com;c@acme.com">Mail</a>`,
			[]pair{{"a@acme.com", SourceMailto}, {"b@acme.com", SourceMailto}, {"c@acme.com", SourceMailto}}},
		{"mailto with display name", `<a href="mailto:Jane%20Doe%20%3Cjane@acme.com%3E">Mail</a>`, []pair{{"jane@acme.com", SourceMailto}}},
		{"mailto on area", `<map><area href="mailto:map@acme.com"></map>`, []pair{{"map@acme.com", SourceMailto}}},
		{"mailto wins over its text", `<a href="mailto:info@acme.com">info@acme.com</a>`, []pair{{"info@acme.com", SourceMailto}}},
		{"first occurrence wins", `<p>info@acme.com</p><a href="mailto:info@acme.com">x</a>`, []pair{{"info@acme.com", SourceText}}},
		{"not a mailto link", `<a href="/contact?mailto:info@acme.com">x</a>`, nil},
		{"cfemail attribute", `<span data-cfemail="3c4c4e5348595f487c5d5f515911485353504f125f5351">[email&#160;protected]</span>`,
			[]pair{{"protect@acme-tools.com", SourceCFEmail}}},
		{"cfemail link", `<a href="/cdn-cgi/l/email-protection#7112175c1d181f1a3110121c145c051e1e1d025f121e1c">x</a>`,
			[]pair{{"cf-link@acme-tools.com", SourceCFEmail}}},
		{"cfemail relative link", `<a href="../cdn-cgi/l/email-protection#7112175c1d181f1a3110121c145c051e1e1d025f121e1c">x</a>`,
			[]pair{{"cf-link@acme-tools.com", SourceCFEmail}}},
		{"cfemail odd length", `<span data-cfemail="3c4c4">x</span>`, nil},
		{"cfemail one byte", `<span data-cfemail="3c">x</span>`, nil},
		{"cfemail decoy", `<span data-cfemail="11637e7e65517d7e72707d797e6265">x</span>`, nil},
		{"jsonld nested", `<script type="application/ld+json">{"@graph":[{"a":{"b":[{"email":"deep@acme.com"}]}}]}</script>`,
			[]pair{{"deep@acme.com", SourceJSONLD}}},
		{"jsonld mailto and list", `<script type="application/ld+json">{"Email":["mailto:a@acme.com","MAILTO:b%40acme.com"]}</script>`,
			[]pair{{"a@acme.com", SourceJSONLD}, {"b@acme.com", SourceJSONLD}}},
		{"jsonld other fields ignored", `<script type="application/ld+json">{"description":"x@acme.com","email":"y@acme.com"}</script>`,
			[]pair{{"y@acme.com", SourceJSONLD}}},
		{"jsonld invalid falls back", `<script type="application/ld+json">{"email": "z@acme.com",}</script>`, []pair{{"z@acme.com", SourceJSONLD}}},
		{"jsonld entity in value", `<script type="application/ld+json">{"email":"w&#64;acme.com"}</script>`, []pair{{"w@acme.com", SourceJSONLD}}},
		{"plain json script ignored", `<script type="application/json">{"email":"j@acme.com"}</script>`, nil},
		{"input value", `<input type="hidden" name="to" value="form@acme.com">`, []pair{{"form@acme.com", SourceInput}}},
		{"input placeholder ignored", `<input type="email" placeholder="jane@acme.com">`, nil},
		{"textarea placeholder ignored", `<textarea placeholder="jane@acme.com"></textarea>`, nil},
		{"meta content", `<meta name="reply-to" content="meta@acme.com">`, []pair{{"meta@acme.com", SourceMeta}}},
		{"decoys dropped", `<p>logo@2x.png react@18.2.0 git@github.com you@yourdomain.com root@localhost x@example.com k@o1.ingest.sentry.io</p>`, nil},
		{"empty", ``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := HTML([]byte(tc.html), "https://www.acme.com/about/")
			require.Equal(t, tc.want, nilIfEmpty(pairs(got)))
			for _, f := range got {
				checkFound(t, f)
			}
		})
	}
}

func nilIfEmpty(ps []pair) []pair {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// checkFound asserts what every result must satisfy.
func checkFound(t *testing.T, f Found) {
	t.Helper()
	ok, reason := plausibleReason(f.Email)
	require.True(t, ok, "%q: %s", f.Email, reason)
	require.Equal(t, strings.ToLower(f.Email), f.Email)
	require.LessOrEqual(t, utf8.RuneCountInString(f.Context), MaxContext, "context of %s", f.Email)
	require.NotEmpty(t, f.Source)
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []pair
	}{
		{"plain", "Sales: sales@acme.com\nSupport: support@acme.com", []pair{{"sales@acme.com", SourceText}, {"support@acme.com", SourceText}}},
		{"obfuscated", "support [at] acme [dot] com", []pair{{"support@acme.com", SourceObfuscated}}},
		{"entities stay literal", "info&#64;acme.com", nil},
		{"angle address", "Max <max@acme.com>, Eva <eva@acme.com>.", []pair{{"max@acme.com", SourceText}, {"eva@acme.com", SourceText}}},
		{"dedupe", "a@acme.com A@ACME.COM a@acme.com", []pair{{"a@acme.com", SourceText}}},
		{"decoys", "logo@2x.png git@github.com name@domain.com", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Text([]byte(tc.text))
			require.Equal(t, tc.want, nilIfEmpty(pairs(got)))
			for _, f := range got {
				checkFound(t, f)
			}
		})
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("lorem  ipsum\n\t dolor ", 40)
	tests := []struct {
		name string
		html string
		want string // "" means: only check the invariants
	}{
		{"collapsed", "<p>Mail:\n\n   info@acme.com \t now</p>", "Mail: info@acme.com now"},
		{"separators become spaces", "<table><tr><td>Sales</td><td>info@acme.com</td><td>Phone</td></tr></table>", "Sales info@acme.com Phone"},
		{"centered and capped", "<p>" + long + " info@acme.com " + long + "</p>", ""},
		{"multibyte", "<p>" + strings.Repeat("ü€😀 ", 300) + "info@acme.com" + strings.Repeat(" ü€😀", 300) + "</p>", ""},
		{"attribute names the element", `<meta name="author" content="Jane, jane@acme.com">`, "author: Jane, jane@acme.com"},
		{"link text around", `<p>Write <a href="mailto:info@acme.com">to us</a> now</p>`, "Write to us now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := HTML([]byte(tc.html), "")
			require.Len(t, got, 1)
			f := got[0]
			checkFound(t, f)
			require.True(t, utf8.ValidString(f.Context))
			require.NotContains(t, f.Context, "  ")
			require.Equal(t, strings.TrimSpace(f.Context), f.Context)
			if tc.want != "" {
				require.Equal(t, tc.want, f.Context)
				return
			}
			require.Contains(t, f.Context, "info@acme.com")
			require.Greater(t, utf8.RuneCountInString(f.Context), MaxContext-5, "the budget is used")
			i := strings.Index(f.Context, "info@acme.com")
			left := utf8.RuneCountInString(f.Context[:i])
			right := utf8.RuneCountInString(f.Context[i+len("info@acme.com"):])
			require.InDelta(t, left, right, 3, "the match is centered")
		})
	}
}

// TestReaders checks which elements each reader takes: a reader that wants
// the wrong elements fails silently, by finding nothing.
func TestReaders(t *testing.T) {
	t.Parallel()
	const page = `<html><head>
<meta id="m1" name="author" content="x@acme.com"><meta id="m2" charset="utf-8"><meta id="m3" name="x" content="none">
<script id="j1" type="application/ld+json">{}</script>
<script id="j2" type="Application/LD+JSON; charset=utf-8">{}</script>
<script id="j3" type="application/json">{}</script><script id="j4">1</script>
</head><body>
<a id="a1" href="mailto:x@acme.com">1</a><a id="a2" href=" MAILTO:x@acme.com">2</a><area id="a3" href="mailto:y@acme.com">
<a id="a4" href="/contact">4</a><a id="a5">5</a>
<a id="c1" href="/cdn-cgi/l/email-protection#00">6</a><a id="c2" href="https://acme.com/cdn-cgi/l/email-protection">7</a>
<span id="d1" data-cfemail="00"></span><span id="d2" data-email="00"></span><span id="d3" data-mail="x"></span><span id="d4" data-contact="x"></span>
<span id="u1" data-user="x" data-domain="acme.com"></span><span id="u2" data-user="x"></span>
<input id="i1" value="v@acme.com"><input id="i2" placeholder="p@acme.com"><textarea id="i3">t</textarea><input id="i4" value="plain">
<button id="l1" title="x@acme.com"></button><span id="l2" aria-label="x@acme.com"></span><option id="l3" value="x@acme.com"></option>
<div id="l4" content="x@acme.com"></div><span id="l5" title="no address"></span>
</body></html>`
	p := newPage("")
	p.tokens([]byte(page))
	got := map[kind][]string{}
	for _, e := range p.elements {
		for k := kindMailto; k <= kindLabel; k <<= 1 {
			if e.kinds&k != 0 {
				got[k] = append(got[k], e.get("id"))
			}
		}
	}
	tests := []struct {
		name string
		k    kind
		want []string
	}{
		{"mailto", kindMailto, []string{"a1", "a2", "a3"}},
		{"cloudflare link", kindCFLink, []string{"c1", "c2"}},
		{"cloudflare attribute", kindCFEmail, []string{"d1"}},
		{"json-ld", kindJSONLD, []string{"j1", "j2"}},
		{"input", kindInput, []string{"i1"}},
		{"meta", kindMeta, []string{"m1"}},
		{"email data", kindEmailData, []string{"d2", "d3", "d4"}},
		{"user and domain", kindUserDomain, []string{"u1"}},
		{"labels", kindLabel, []string{"l1", "l2", "l3", "l4"}},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, got[tc.k], tc.name)
	}
}

func TestDecodeCF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"3c4c4e5348595f487c5d5f515911485353504f125f5351", "protect@acme-tools.com", true},
		{" 00616263 ", "abc", true},
		{"ff9e", "a", true},
		{"3c", "", false},
		{"", "", false},
		{"3c4", "", false},
		{"zz12", "", false},
	}
	for _, tc := range tests {
		got, ok := decodeCF(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestRewriteRemap(t *testing.T) {
	t.Parallel()
	in := "a [at] b [dot] c"
	out, eds := rewrite(in, obfuscationRE, deobfuscate)
	require.Equal(t, "a@b.c", out)
	require.Len(t, eds, 2)
	for pos, want := range map[int]int{0: 0, 1: 1, 3: 1, 6: 1, 7: 2, 8: 3, 9: 3, 15: 4, 16: 5} {
		require.Equal(t, want, remap(eds, pos), "remap(%d)", pos)
	}
	same, none := rewrite("no tokens", obfuscationRE, deobfuscate)
	require.Equal(t, "no tokens", same)
	require.Empty(t, none)
}

// TestHTMLDeepNesting covers the tokenizer fallback: html.Parse rejects more
// than 512 open elements, which unclosed tags on old sites reach.
func TestHTMLDeepNesting(t *testing.T) {
	t.Parallel()
	page := `<html><head><script type="application/ld+json">{"email":"ld@acme.com"}</script>
<script>var x = "script@acme.com";</script><meta name="author" content="meta@acme.com"></head><body>` +
		strings.Repeat("<div><font>", 400) +
		`<table><tr><td>cell@acme.com</td><td>Phone</td></tr></table>
<a href="mailto:link@acme.com?subject=x">write</a> <b>bold</b>@acme.com
<span data-cfemail="3c4c4e5348595f487c5d5f515911485353504f125f5351">[email&#160;protected]</span>
<template>template@acme.com</template><style>.a{content:"style@acme.com"}</style>
<input placeholder="placeholder@acme.com" value="value@acme.com"> info [at] acme [dot] de`
	want := []pair{
		{"ld@acme.com", SourceJSONLD},
		{"meta@acme.com", SourceMeta},
		{"cell@acme.com", SourceText},
		{"link@acme.com", SourceMailto},
		{"bold@acme.com", SourceText},
		{"protect@acme-tools.com", SourceCFEmail},
		{"value@acme.com", SourceInput},
		{"info@acme.de", SourceObfuscated},
	}
	got := HTML([]byte(page), "")
	require.Equal(t, want, pairs(got))
	for _, f := range got {
		checkFound(t, f)
	}
}

// TestHostile feeds inputs built to make a naive scanner slow or wrong; the
// scanning limits keep them linear.
func TestHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want int
	}{
		{"run of ats", strings.Repeat("a@", 50000), 0},
		{"case changes in domains", strings.Repeat("x@a."+strings.Repeat("aA1-", 62)+" ", 200), 0},
		{"long local part", strings.Repeat("a", 100000) + "@acme.com", 0},
		{"long dotted local part", strings.Repeat("a.", 50000) + "b@acme.com", 0},
		{"rule glued to an address", "<p>" + strings.Repeat("-", 80) + "info@acme.com</p>", 1},
		{"local part at the limit", "<p>" + strings.Repeat("a", 64) + "@acme.com</p>", 1},
		{"blank page around an address", strings.Repeat(" ", 100000) + "a@acme.com" + strings.Repeat("\n", 100000), 1},
		{"tokens everywhere", strings.Repeat("[at](dot)", 10000), 0},
		{"entities everywhere", strings.Repeat("&amp;#64;", 10000), 0},
		{"one address many times", strings.Repeat("<p>x@acme.com</p>", 5000), 1},
		// Each of these is linear in the lexer; searching for a comment's or
		// a script's end to the end of the page each time would not be.
		{"comments ended by --!>", strings.Repeat("<!-- --!x --!>", 50000) + "-->a@acme.com", 1},
		{"escaped scripts", strings.Repeat("<script><!--<script>-->", 30000) + "</script>a@acme.com", 1},
		{"many end tags in a style", "<style>" + strings.Repeat("</styl", 50000) + "</style>a@acme.com", 1},
		{"many distinct attributes", "<a k=v" + func() string {
			var b strings.Builder
			for i := range 30000 {
				fmt.Fprintf(&b, " k%d=v", i)
			}
			return b.String()
		}() + ` data-user="a" data-domain="acme.com">a@acme.com</a>`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, got := range [][]Found{HTML([]byte(tc.body), ""), Text([]byte(tc.body))} {
				require.Len(t, got, tc.want)
				for _, f := range got {
					checkFound(t, f)
				}
			}
		})
	}
}

// TestJSONLDOrder: the addresses of one JSON-LD script come in the order the
// script spells them, every time, not in a map's iteration order.
func TestJSONLDOrder(t *testing.T) {
	t.Parallel()
	page := []byte(`<script type="application/ld+json">{"contactPoint": {"email": "b@acme.com"}, "email": "a@acme.com",
		"founder": {"email": "c@acme.com"}, "member": [{"Email": "d@acme.com"}], "x": {"y": {"email": "e@acme.com"}}}</script>`)
	want := []pair{{"b@acme.com", SourceJSONLD}, {"a@acme.com", SourceJSONLD}, {"c@acme.com", SourceJSONLD}, {"d@acme.com", SourceJSONLD}, {"e@acme.com", SourceJSONLD}}
	for range 20 {
		require.Equal(t, want, pairs(HTML(page, "https://acme.com/")))
	}
}

// TestUppercaseKeys: attribute names are case-insensitive, so the
// prefilter that spares tags their attribute parsing must be too.
func TestUppercaseKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page string
		want []pair
	}{
		{`<span DATA-USER="mia" Data-Domain="acme.com">Mia</span>`, []pair{{"mia@acme.com", SourceAttribute}}},
		{`<style>.r{unicode-bidi:bidi-override;direction:rtl}</style><p>Mail <b CLASS="r">moc.emca@ofni</b></p>`, []pair{{"info@acme.com", SourceReversed}}},
	} {
		require.Equal(t, tc.want, pairs(HTML([]byte(tc.page), "https://acme.com/")), tc.page)
	}
}
