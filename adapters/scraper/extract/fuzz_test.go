package extract

import (
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
			seen := map[string]bool{}
			for _, r := range got {
				if ok, reason := contact.Plausible(r.Email); !ok {
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
	})
}
