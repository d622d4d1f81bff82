package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrapersky/scrapersky-go/core/contact"
)

func plausibleReason(email string) (bool, string) { return contact.Plausible(email) }

// FuzzHTML checks the invariants of every result on arbitrary input: no
// panic, every address plausible and lowercase, no duplicates, contexts
// short and valid UTF-8. Text gets the same input.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		``,
		`<p>info@acme.com</p>`,
		`<td>a@b.com</td><td>Phone</td>`,
		`<a href="mailto:a@acme.com,b%40acme.com?x=y">m</a>`,
		`<span data-cfemail="3c4c4e5348595f487c5d5f515911485353504f125f5351"></span>`,
		`<a href="/cdn-cgi/l/email-protection#7112175c1d181f1a3110121c145c051e1e1d025f121e1c">x</a>`,
		`<script type="application/ld+json">{"email":["mailto:x@acme.com"]}</script>`,
		`<input value="v@acme.com"><meta content="m@acme.com">`,
		`info [at] acme (dot) com &amp;#64; x&#64;y.de`,
		`<b>in</b>fo@ac<i>me</i>.comPhone logo@2x.png react@18.2.0`,
		"\xff\xfe@\xc3.com a@\u00e9.com \\u003ca@b.co",
	} {
		f.Add([]byte(s))
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, got := range [][]Found{HTML(body, "https://acme.com/"), Text(body)} {
			checkInvariants(t, got)
		}
	})
}

// echoRunner "runs" scripts by returning their sources as fragments, so the
// fuzzer reaches the fragment path with arbitrary markup.
type echoRunner struct{}

func (echoRunner) Run(_ context.Context, scripts []string) []string { return scripts }

// FuzzTokens drives the one-pass token scanner with the script seam, the
// reversing styles and spelled-out forms on: the invariants of FuzzHTML,
// plus the canonical form (a result is its own canonical form).
func FuzzTokens(f *testing.F) {
	for _, s := range []string{
		`<td>Sales</td><td>mia@x.com</td>`,
		`<span style="direction: rtl; unicode-bidi: bidi-override">moc.emca@ofni</span>`,
		`<style>.r{unicode-bidi:bidi-override;direction:rtl}</style><b class="r">ed.amrif@relleum</b>`,
		`<p>Email: jane at acme dot co dot uk</p><a href="mailto:a[at]b[dot]com">x</a>`,
		`<a href="javascript:document.write('a'+'@'+'b.com')" onclick="x">y</a><script>document.write("<p>z@acme.com</p>")</script>`,
		`<span data-user="x" data-domain="acme.com" data-email="y@acme.com" title="t@acme.com"></span>`,
		"müller@firma.de josé@café.es 邮箱info@acme.cn o'brien@x.com d’x@y.it",
		"info@xn--mnchen-3ya.de vasb@npzr.pbz",
		`<bdo dir=rtl>moc.emca@ofni</bdo><template><script>q()</script></template>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := Extractor{Scripts: echoRunner{}}.HTML(context.Background(), body, "https://acme.com/")
		checkInvariants(t, got)
		for _, r := range got {
			if c := canonical(r.Email); c != r.Email {
				t.Fatalf("%q is not canonical (%q)", r.Email, c)
			}
		}
	})
}

// checkInvariants fails t unless every result is plausible, lowercase,
// unique, with a short valid context and a source.
func checkInvariants(t *testing.T, got []Found) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range got {
		// The pages claim to be acme.com's, whose own john.doe@ is a person.
		if ok, reason := contact.PlausibleAt(r.Email, "acme.com"); !ok {
			t.Fatalf("%q is not plausible: %s", r.Email, reason)
		}
		if r.Email != strings.ToLower(r.Email) {
			t.Fatalf("%q is not lowercase", r.Email)
		}
		if seen[r.Email] {
			t.Fatalf("%q twice", r.Email)
		}
		seen[r.Email] = true
		if n := utf8.RuneCountInString(r.Context); n > MaxContext {
			t.Fatalf("context of %q has %d runes", r.Email, n)
		}
		if !utf8.ValidString(r.Context) {
			t.Fatalf("context of %q is not UTF-8: %q", r.Email, r.Context)
		}
		if r.Source == "" {
			t.Fatalf("%q has no source", r.Email)
		}
	}
}
