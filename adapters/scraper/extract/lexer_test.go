package extract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// lexerCases are the corners of the tokenizer's rules: raw text and its
// end tags, the escaped script states, comments and their odd endings,
// declarations, truncated tags, attribute syntax and decoding.
var lexerCases = []string{
	``,
	`plain text`,
	`a<`, `a</`, `a<!`, `a<?`, `a<b`, `a</b`, `<`, `</`, `<!`, `<!-`, `<!--`, `<!-->`, `<!--->`, `<!---->`,
	`a<<b>c`, `a < b > c`, `a <3 b`, `</>x`, `</ x>y`, `</1>z`, `<?xml version="1.0"?>t`, `<!DOCTYPE html>x`, `<!doctype`, `<!DOCTYP`, `<!x>y`, `<!>z`,
	`<!-- a -- b -->c`, `<!-- a --!>b`, `<!-- a --!-->b`, `<!-- a --!x -->b`, `<!--a-->b<!--c--!>d`, `<!-- --! x`,
	`<script>a<b</script>c`, `<script>x</scripty></script>z`, `<SCRIPT>x</ScRiPt >y`, `<script>x</script`, `<script>x</script/>y`,
	`<script><!-- a </script> b --></script>c`, `<script><!--<script>x</script>--></script>y`, `<script><!-- x`, `<script><!--<script></script></script>t`,
	`<script><!--<script>a<b</script>c</script>d`, `<script><!--<scr-x</script>y`, `<script><!--<script-</script>y`, `<script><!-- <1 </script>y`,
	`<script><!--<script>--></script>z</script>w`, `<script><!--<script>-></script>z`, `<script><!--<script><</script>x`, `<script><!--<script></scr</script>x`,
	`<script><!--<script></script`, `<script><!--<script> </`, `<script><!--<script> <`, `<script><!-- </scripts> --></script>q`, `<script><!-- x --> y </script>z`,
	`<script><!---> </script>r`, `<script><!--<SCRIPT/>--></SCRIPT>s`, `<script><!--<script>--!></script>t</script>u`, `<script><!--`, `<script><!--<`, `<script><!--</`,
	`<!-- a --!->b-->c`, `<!-- --!-- -->d`, `<!-- --!!> -->e`, `<!----!>f`, `<!-- --!`, `<!-- -!>x-->g`,
	`<script></script>e`, `<script/>x</script>y`, `<style>p{}</style >q`, `<style>a</sty</style>b`, `<title>a &amp; <b>b</b></title>c`,
	`<textarea>x&lt;y</textarea>`, `<xmp><p>x</xmp>y`, `<iframe><a>x</iframe>`, `<noscript><p>a@b.com</p></noscript>`, `<plaintext>a</plaintext><b>`,
	`<noembed>a</noembed><noframes>b</noframes>`, `<script>a` + "\x00" + `b</script>`, "a\x00b<p>c\r\nd\re</p>", "<style>a\r\nb\x00</style>",
	`<a href=x>y</a>`, `<a href='x' title="y">z</a>`, `<a href = "x" >y</a>`, `<a b c=d e>x`, `<a =b>`, `<a ==b>`, `<a b==c>`, `<a b=>c`, `<a b= >c`,
	`<a b="c>`, `<a b='c`, `<a b=c`, `<a b`, `<a/b>`, `<a / b>`, `<a b/>`, `<a b=/>`, `<a b="/"/>`, `<br/>`, `<br />`, `<a b=c/>`, `<a b='c'/>`,
	`<A HREF="X" Href="y" hReF=z>q</A>`, `<a b=1 B=2 c=3 C=4>`, `<a` + strings.Repeat(` k=v`, 40) + ` K=w>`,
	`<a href="?a=1&amp;b=2&c=3&copy=4&copy;&notit;&not">x</a>`, `<a title="&#64;&#x40;&#0;&#xD800;&#128;">y</a>`, "<a title=\"a\r\nb\rc\">", "<a ti\x00tle=\"v\x00\">",
	`<p>&amp;&lt;&gt&notit;&#64;&#x40;&#;&#x;&</p>`, `<a b='"' c="'">`, "<a\nb\t=\fc\r>", `<a b="x"c=d>`, `<a b=x"y>`,
	`<div><td>Sales</td><td>mia@x.com</td></div>`, `<span DATA-USER="mia" Data-Domain="acme.com">x</span>`, `<b DaTa-EmAiL="a[at]acme.com">`,
	`<style>.r{unicode-bidi:bidi-override;direction:rtl}</style><b CLASS="r">moc.emca@ofni</b><i class=r>ed.amrif@relleum</i>`,
	`<a HREF="MAILTO:a@acme.com">x</a><a href=" Mailto:b%40acme.com">y</a><a href="/cdn-cgi/l/email-protection#7112175c1d181f1a3110121c145c051e1e1d025f121e1c">z</a>`, `<span style="direction: rtl; unicode-bidi: bidi-override">moc.emca@ofni</span>`,
}

// fuzzSeedFiles reads the byte seeds of testdata/fuzz/<target>.
func fuzzSeedFiles(t testing.TB, target string) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, line := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(line, "[]byte("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				require.NoError(t, err, name)
				out = append(out, []byte(s))
			}
		}
	}
	return out
}

// differentialSeeds are lexerCases, the corpus pages and the committed seeds
// of every fuzz target.
func differentialSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, s := range lexerCases {
		out = append(out, []byte(s))
	}
	pages, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out = append(out, b)
	}
	for _, target := range []string{"FuzzHTML", "FuzzTokens", "FuzzLexer"} {
		out = append(out, fuzzSeedFiles(t, target)...)
	}
	return append(out, benchPage(20<<10), scriptPage(20<<10), homePage())
}

// requireSameTokens fails t unless the lexer yields x/net's tokens for body:
// types, raw bytes, text and attributes.
func requireSameTokens(t *testing.T, body []byte) {
	t.Helper()
	src := bytes.Clone(body) // x/net's Text rewrites its own copy; the lexer must not write
	want := html.NewTokenizer(bytes.NewReader(body))
	got := newLexer(src)
	for n := 0; ; n++ {
		wt, gt := want.Next(), got.Next()
		require.Equal(t, wt, gt, "token %d type", n)
		if wt == html.ErrorToken {
			break
		}
		require.Equal(t, string(want.Raw()), string(got.Raw()), "token %d raw", n)
		switch wt {
		case html.TextToken:
			require.Equal(t, string(want.Text()), string(got.Text()), "token %d text", n)
		case html.StartTagToken, html.SelfClosingTagToken:
			for more := true; more; {
				wk, wv, wm := want.TagAttr()
				gk, gv, gm := got.TagAttr()
				require.Equal(t, [3]any{string(wk), string(wv), wm}, [3]any{string(gk), string(gv), gm}, "token %d attribute", n)
				more = wm
			}
		}
	}
	require.Equal(t, body, src, "the lexer wrote to the page")
}

// requireSameResults fails t unless the extractor finds the same, in the
// same order, with the same sources and contexts, with either tokenizer.
func requireSameResults(t *testing.T, body []byte) {
	t.Helper()
	for _, x := range []Extractor{{}, {Scripts: echoRunner{}}} {
		want := x.html(context.Background(), body, "https://acme.com/", true)
		got := x.html(context.Background(), body, "https://acme.com/", false)
		require.Equal(t, want, got)
	}
}

func TestLexerMatchesXNet(t *testing.T) {
	t.Parallel()
	for _, body := range differentialSeeds(t) {
		requireSameTokens(t, body)
		requireSameResults(t, body)
	}
}

// FuzzLexer is the differential test of the lexer: on arbitrary input it
// yields x/net's token stream, and the extractor's results with it are
// those with x/net's tokenizer.
func FuzzLexer(f *testing.F) {
	for _, b := range differentialSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		requireSameTokens(t, body)
		requireSameResults(t, body)
	})
}

func TestTagFlags(t *testing.T) {
	t.Parallel()
	for name, f := range tagInfo {
		require.Equal(t, f, tagFlags(name), name)
		require.Zero(t, tagFlags(name+"\x00"), name)
		require.Zero(t, tagFlags(name[:len(name)-1]+"\x00"), name)
	}
	for _, name := range []string{"", "div", "td", "a", "p", "section", "blockquote", "spam", "scripts", "\x00", "noscrip"} {
		require.Equal(t, tagInfo[name], tagFlags(name), name)
	}
}

func TestSpelledFree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		want bool
	}{
		{"", true}, {"a at b dot c", false}, {"a AT b DOT c", false}, {"a @ b . c", false}, {" at  dot ", false},
		{"dot at", true}, {"a at b", true}, {"a dot b", true}, {"a at bdot c", true}, {"aat b dot c", true},
		{"a at b.dot c", false}, {"a at b.com", false}, {"a -at- b -dot- c", false}, {"a _AT_ b", true}, {"a @b.co", false},
		{"a@ b.co", false}, {"a at b. c", true}, {"meet at the park.", true}, {"x . y", true}, {"<p>mail a at b</p><p>c dot d</p>", false}, {"a\tat b dot c", true},
	} {
		require.Equal(t, tc.want, spelledFree([]byte(tc.body)), tc.body)
	}
}

// TestLexerHostile runs the differential test on TestHostile's markup.
func TestLexerHostile(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		strings.Repeat("<!-- --!x --!>", 5000) + "-->a@acme.com",
		strings.Repeat("<script><!--<script>-->", 3000) + "</script>a@acme.com",
		"<style>" + strings.Repeat("</styl", 5000) + "</style>a@acme.com",
	} {
		requireSameTokens(t, []byte(body))
		requireSameResults(t, []byte(body))
	}
}
