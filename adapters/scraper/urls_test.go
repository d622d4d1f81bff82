package scraper

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestHomeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		site    string
		want    string
		wantErr bool
	}{
		{site: "acme.com", want: "https://acme.com/"},
		{site: "ACME.com", want: "https://acme.com/"},
		{site: "127.0.0.1:8080", want: "https://127.0.0.1:8080/"},
		{site: "[::1]:9000", want: "https://[::1]:9000/"},
		{site: "acme.com:443", want: "https://acme.com/"},
		{site: "", wantErr: true},
		{site: "acme.com/about", wantErr: true},
		{site: "user@acme.com", wantErr: true},
		{site: "https://acme.com", wantErr: true},
		{site: "acme.com?q=1", wantErr: true},
		{site: "acme .com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			t.Parallel()
			u, err := homeURL(tt.site)
			if tt.wantErr {
				require.ErrorIs(t, err, errInvalidURL)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, u.String())
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, wantURL, wantKey string
	}{
		{"HTTP://Acme.COM", "http://acme.com/", "acme.com/"},
		{"https://acme.com:443/a#frag", "https://acme.com/a", "acme.com/a"},
		{"http://acme.com:80/a?b=1&c=2", "http://acme.com/a?b=1&c=2", "acme.com/a?b=1&c=2"},
		{"http://acme.com:8080/a", "http://acme.com:8080/a", "acme.com:8080/a"},
		{"https://acme.com:80/a", "https://acme.com:80/a", "acme.com:80/a"},
		{"http://user:pw@acme.com/x", "http://acme.com/x", "acme.com/x"},
		{"http://[::1]:80/", "http://[::1]/", "[::1]/"},
		{"http://[::1]:9000/a%20b", "http://[::1]:9000/a%20b", "[::1]:9000/a%20b"},
		{"http://acme.com/a?", "http://acme.com/a", "acme.com/a"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			u, key := normalize(mustURL(t, tt.in))
			require.Equal(t, tt.wantURL, u.String())
			require.Equal(t, tt.wantKey, key)
		})
	}
	// http and https versions of a page are one page.
	_, k1 := normalize(mustURL(t, "http://acme.com/a"))
	_, k2 := normalize(mustURL(t, "https://acme.com/a"))
	require.Equal(t, k1, k2)
}

func TestScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start string
		other string
		in    bool
	}{
		{"https://acme.com/", "https://www.acme.com/x", true},
		{"https://www.acme.com/", "http://acme.com/", true},
		{"https://acme.com/", "https://blog.shop.acme.com/", true},
		{"https://acme.com/", "https://acme.com:8443/", true},
		{"https://acme.com/", "https://evilacme.com/", false},
		{"https://acme.com/", "https://acme.com.evil.net/", false},
		{"https://acme.co.uk/", "https://www.acme.co.uk/", true},
		{"https://acme.co.uk/", "https://other.co.uk/", false},
		{"https://alice.github.io/", "https://bob.github.io/", false},
		{"https://alice.github.io/", "https://www.alice.github.io/", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/a", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8081/a", false},
		{"http://127.0.0.1/", "https://127.0.0.1/", true},
		{"http://[::1]:9000/", "http://[::1]:9000/x", true},
		{"http://[::1]:9000/", "http://[::2]:9000/x", false},
		{"http://localhost:8080/", "http://localhost:8080/a", true},
		{"http://localhost:8080/", "http://www.localhost:8080/a", false},
		{"http://intranet/", "http://intranet:81/", false},
	}
	for _, tt := range tests {
		t.Run(tt.start+" "+tt.other, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.in, scopeOf(mustURL(t, tt.start)).contains(mustURL(t, tt.other)))
		})
	}
}

func TestIsBinaryPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"/brochure.pdf", true},
		{"/IMG/Logo.PNG", true},
		{"/a/b.tar.gz", true},
		{"/fonts/x.woff2", true},
		{"/static/app.js", true},
		{"/video.mp4", true},
		{"/contact", false},
		{"/index.html", false},
		{"/page.php", false},
		{"/notes.txt", false},
		{"/v1.2/about", false},
		{"/", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, isBinaryPath(tt.path), tt.path)
	}
}

func TestExtractLinks(t *testing.T) {
	t.Parallel()
	page := mustURL(t, "http://acme.com/dir/page")
	tests := []struct {
		name string
		body string
		want []string // "url|text"
	}{
		{
			name: "relative, absolute and odd schemes",
			body: `<a href="a">A</a><a href="/b?x=1#f"> B  text </a><a href="https://x.com/">X</a>
				<a href="mailto:a@b.c">m</a><a href="tel:1">t</a><a href="javascript:void(0)">j</a><a href="#top">top</a><a>none</a>`,
			want: []string{"http://acme.com/dir/a|A", "http://acme.com/b?x=1#f|B text", "https://x.com/|X"},
		},
		{
			name: "base href",
			body: `<head><base href="http://cdn.acme.com/root/"></head><a href="c">C</a>`,
			want: []string{"http://cdn.acme.com/root/c|C"},
		},
		{
			name: "area and title",
			body: `<map><area href="/contact" alt="Contact"></map><a href="/t" title="Team">img</a>`,
			want: []string{"http://acme.com/contact|Contact", "http://acme.com/t|img Team"},
		},
		{
			name: "nofollow is followed, image alt is link text",
			body: `<a rel="nofollow" href="/imprint">Legal</a><a href="/team"><img src="t.png" alt="Our team"></a>`,
			want: []string{"http://acme.com/imprint|Legal", "http://acme.com/team|Our team"},
		},
		{
			name: "frames, link rel and meta refresh",
			body: `<head><meta http-equiv="Refresh" content="5; URL='/moved'"><link rel="alternate" hreflang="de" href="/de/">
				<link rel="next" href="/news/2"><link rel="canonical" href="/dir/page">
				<link rel="alternate" type="application/rss+xml" href="/feed"><link rel="stylesheet" href="/s.css"></head>
				<iframe src="/map" title="Find us">fallback <a href="/in-iframe">x</a></iframe><frameset><frame src="/nav"></frameset>`,
			want: []string{"http://acme.com/moved|", "http://acme.com/de/|", "http://acme.com/news/2|",
				"http://acme.com/dir/page|", "http://acme.com/map|Find us", "http://acme.com/nav|"},
		},
		{
			name: "scripts that navigate, data-href",
			body: `<span onclick="window.location='/press'">Press</span><button onclick="location.href = &quot;/jobs&quot;">Jobs</button>
				<div onclick="window.open('/brochure')"></div><a href="javascript:location.assign('/legal')">Legal</a>
				<tr data-href="/office/berlin"><td>Berlin</td></tr><div data-url="ajax-endpoint"></div><span onclick="toggle()">?</span>`,
			want: []string{"http://acme.com/press|Press", "http://acme.com/jobs|Jobs", "http://acme.com/brochure|",
				"http://acme.com/legal|Legal", "http://acme.com/office/berlin|"},
		},
		{
			name: "GET forms and navigation drop-downs",
			body: `<form action="/search"><input name="q"></form><form method="POST" action="/send"></form>
				<select onchange="location.href=this.value"><option value="">Offices</option><option value="/offices/oslo">Oslo</option>
				<option value="https://acme.com/offices/rome">Rome</option></select><select name="size"><option value="m">M</option></select>
				<option value="/not-in-a-select">x</option>`,
			want: []string{"http://acme.com/search|", "http://acme.com/offices/oslo|Oslo", "https://acme.com/offices/rome|Rome"},
		},
		{
			name: "JSON-LD",
			body: `<script type="application/ld+json">{"@type":"Organization","url":"https://acme.com/","sameAs":["https://social.example/acme"],
				"contactPoint":{"@type":"ContactPoint","url":"/contact","name":"/not-a-url-key"}}</script>
				<script>var u = "/in-a-script"; <a href="/nope">x</a></script><script type="application/ld+json">{broken</script>`,
			want: []string{"http://acme.com/contact|", "https://social.example/acme|", "https://acme.com/|"},
		},
		{
			name: "noscript and markup the tree would drop",
			body: `<noscript><a href="/no-js">Site map</a></noscript><td><a href="/stray">Stray</td><li><a href=/bare>Bare`,
			want: []string{"http://acme.com/no-js|Site map", "http://acme.com/stray|Stray", "http://acme.com/bare|Bare"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, l := range extractLinks(page, []byte(tt.body)) {
				got = append(got, l.url.String()+"|"+l.text)
			}
			require.Equal(t, tt.want, got)
		})
	}
}
