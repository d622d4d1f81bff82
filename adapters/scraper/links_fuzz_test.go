package scraper

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzExtractLinks holds extractLinks to its contract on any input: no
// panic, at most maxLinksPerPage links, each absolute http(s) with a host.
func FuzzExtractLinks(f *testing.F) {
	for _, s := range []string{
		`<a href="/x">X</a><base href="http://b.com/"><area href="y" alt="Y">`,
		`<noscript><a href=/n>N</a><noscript><a href=/m>`,
		`<script type="application/ld+json">{"url":"/a","sameAs":["//b.com/c"],"x":[{"@id":"/d"}]}</script>`,
		`<meta http-equiv=refresh content="0;url=/r"><select><option value="/o">O<option value="http://[::1">`,
		`<span onclick="location.href='javascript:location=\'/x\''">`, `<a href="javascript:window.open('/w')">`,
		`<form action="/f"><link rel="next alternate" href="/n"><iframe src="/i"><a href="/not">`,
	} {
		f.Add([]byte(s))
	}
	page, _ := url.Parse("https://acme.com/dir/page")
	f.Fuzz(func(t *testing.T, body []byte) {
		links := extractLinks(page, body)
		require.LessOrEqual(t, len(links), maxLinksPerPage)
		for _, l := range links {
			require.Contains(t, []string{"http", "https"}, l.url.Scheme)
			require.NotEmpty(t, l.url.Host)
		}
	})
}
