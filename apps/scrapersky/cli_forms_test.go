package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCrawlFindsEveryForm crawls a local site whose addresses hide in the
// forms of issue 9: stray table cells, attributes, spelled-out words, IDN,
// accented local parts, reversed text and ROT13. Each is found once, in
// canonical form, and classified against the site's A-label.
func TestCrawlFindsEveryForm(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/kontakt">Kontakt</a> <td>Vertrieb</td><td>vertrieb@münchen-bäckerei.de</td>`)
		case "/kontakt":
			fmt.Fprint(w, `<p>Inhaber: jürgen.weiß@xn--mnchen-bckerei-dib09a.de</p>
<span data-user="backstube" data-domain="münchen-bäckerei.de">Backstube</span>
<p>Email: laden at münchen-bäckerei dot de</p>
<p>Meet us at the park dot com.</p>
<span style="unicode-bidi: bidi-override; direction: rtl">ed.ierekcäb-nehcnüm@otsip</span>
<p>partner: cnegare@jvqtrgf-bayvar.pbz</p>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"crawl", "--allow-private", "--json", "--site", "xn--mnchen-bckerei-dib09a.de", srv.URL}, env(nil), strings.NewReader(""), &out, &errOut)
	require.NoError(t, err, errOut.String())
	got := map[string]string{}
	for _, r := range jsonLines(t, out.String()) {
		got[r.Email] = r.EmailType
	}
	require.Equal(t, map[string]string{
		"vertrieb@münchen-bäckerei.de":    "corporate",
		"jürgen.weiß@münchen-bäckerei.de": "corporate",
		"backstube@münchen-bäckerei.de":   "corporate",
		"laden@münchen-bäckerei.de":       "corporate",
		"pisto@münchen-bäckerei.de":       "corporate",
		"partner@widgets-online.com":      "unknown",
	}, got)
}
