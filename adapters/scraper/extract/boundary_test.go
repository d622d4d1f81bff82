package extract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLocalPartBoundary is the whole-or-nothing rule: a letter the scanner
// cannot take into the local part, or a quote glued between letters, must
// not leave the ASCII tail behind as an address of its own.
func TestLocalPartBoundary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"umlaut", "Kontakt: müller@firma.de", []string{"müller@firma.de"}},
		{"accents", "Escriba a josé.garcía@acme.es hoy", []string{"josé.garcía@acme.es"}},
		{"apostrophe inside", "Mail o'brien@x.com now", []string{"o'brien@x.com"}},
		{"quotes around", "'sales@acme.com' \"info@acme.com\" ‘press@acme.com’ “jobs@acme.com”",
			[]string{"sales@acme.com", "info@acme.com", "press@acme.com", "jobs@acme.com"}},
		{"typographic apostrophe glued", "d’angelo@acme.it", nil},
		{"double quote glued", `foo"bar@acme.com`, nil},
		{"backtick glued", "foo`bar@acme.com", nil},
		{"latin-1 byte left undecoded", "m\xfcller@firma.de", nil},
		{"symbol before", "©info@acme.com ·sales@acme.com", []string{"info@acme.com", "sales@acme.com"}},
		{"cjk glued", "邮箱info@acme.cn，电话", []string{"info@acme.cn"}},
		{"cjk colon", "联系邮箱：sales@acme.cn", []string{"sales@acme.cn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, got := range [][]Found{Text([]byte(tc.text)), HTML([]byte("<p>"+tc.text+"</p>"), "")} {
				var emails []string
				for _, f := range got {
					emails = append(emails, f.Email)
				}
				require.Equal(t, tc.want, emails)
			}
		})
	}
}

// TestPeopleNamedDoe: john.doe@ in the visible text of the site's own pages
// is a person; as a form value, on another domain or on an example domain it
// stays a placeholder.
func TestPeopleNamedDoe(t *testing.T) {
	t.Parallel()
	page := `<p>Write to John at john.doe@brightlane-legal.com or <a href="mailto:jane.doe@brightlane-legal.com">Jane</a>.</p>
<p>Example: john.doe@other-firm.com, you@example.com, name@yourcompany.com, jane.doe@example.com</p>
<input type="email" placeholder="john.doe@brightlane-legal.com"><input name="x" value="johndoe@brightlane-legal.com">
<meta name="author" content="jane_doe@brightlane-legal.com">`
	got := HTML([]byte(page), "https://www.brightlane-legal.com/team")
	require.Equal(t, []pair{{"john.doe@brightlane-legal.com", SourceText}, {"jane.doe@brightlane-legal.com", SourceMailto}}, pairs(got))
	require.Empty(t, HTML([]byte(page), "https://acme-tools.com/"), "on a third site they are examples")
	require.Empty(t, Text([]byte("Write to John at john.doe@brightlane-legal.com")), "without a site it is a template name")
}
