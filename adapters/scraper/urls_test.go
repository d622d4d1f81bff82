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
