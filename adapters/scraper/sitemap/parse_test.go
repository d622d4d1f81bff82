package sitemap

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/scrapersky/scrapersky-go/core/analysis"
)

const (
	nsSitemap = `xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"`
	declImage = `xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"`
	declVideo = `xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"`
	declNews  = `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testLimits() limits {
	return limits{maxURLs: 5, maxBytes: 1 << 20, maxChildren: 2, maxRun: 64 << 10, maxText: 4096}
}

func urlset(decl string, entries ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><urlset ` + nsSitemap + " " + decl + ">" + strings.Join(entries, "\n") + "</urlset>"
}

func entry(loc, lastmod, extra string) string {
	s := "<url><loc>" + loc + "</loc>"
	if lastmod != "" {
		s += "<lastmod>" + lastmod + "</lastmod>"
	}
	return s + extra + "</url>"
}

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := io.WriteString(zw, s)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

func TestParse(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://acme.example/maps/index.xml")
	d := func(s string) *time.Time { tm, err := time.Parse(time.RFC3339, s); require.NoError(t, err); return &tm }
	img := "<image:image><image:loc>https://acme.example/a.png</image:loc></image:image>"
	vid := "<video:video><video:title>t</video:title></video:video>"
	news := "<news:news><news:title>n</news:title></news:news>"
	latin1, err := charmap.ISO8859_1.NewEncoder().String(`<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://acme.example/caf` + "é" + `</loc></url></urlset>`)
	require.NoError(t, err)

	tests := []struct {
		name     string
		body     string
		typ      analysis.FileType
		count    int
		lastmod  *time.Time
		children []child
		dropped  int
		err      string // prefix
		notMap   bool
	}{
		{name: "standard", body: urlset("", entry("/a", "2025-01-02", ""), entry("/b", "2025-03-04T05:06:07+01:00", ""), entry("/c", "", "")),
			typ: analysis.TypeStandard, count: 3, lastmod: d("2025-03-04T04:06:07Z")},
		{name: "image used", body: urlset(declImage, entry("/a", "", img), entry("/b", "", "")), typ: analysis.TypeImage, count: 2},
		{name: "image declared only", body: urlset(declImage, entry("/a", "", "")), typ: analysis.TypeImage, count: 1},
		{name: "use beats declaration", body: urlset(declImage+" "+declVideo, entry("/a", "", img)), typ: analysis.TypeImage, count: 1},
		{name: "video", body: urlset(declVideo, entry("/a", "", vid)), typ: analysis.TypeVideo, count: 1},
		{name: "news with images", body: urlset(declNews+" "+declImage, entry("/a", "", img+news)), typ: analysis.TypeNews, count: 1},
		{name: "no namespace at all", body: "<urlset><url><loc>/a</loc></url></urlset>", typ: analysis.TypeStandard, count: 1},
		{name: "exactly at the URL limit", body: urlset("", strings.Repeat(entry("/a", "", ""), 5)), typ: analysis.TypeStandard, count: 5},
		{name: "past the URL limit", body: urlset("", strings.Repeat(entry("/a", "", ""), 6)), typ: analysis.TypeStandard, count: 5,
			err: "more than 5 URLs; stopped counting"},
		{name: "future and ancient lastmods ignored", body: urlset("", entry("/a", "2099-01-01", ""), entry("/b", "1970-01-01", ""), entry("/c", "2024-06", "")),
			typ: analysis.TypeStandard, count: 3, lastmod: d("2024-06-01T00:00:00Z")},
		{name: "index", body: `<sitemapindex ` + nsSitemap + `>
			<sitemap><loc> pages.xml </loc><lastmod>2025-05-06</lastmod></sitemap>
			<sitemap><loc>https://acme.example/img.xml#x</loc></sitemap>
			<sitemap><loc>javascript:alert(1)</loc></sitemap>
			<sitemap><lastmod>2025-07-08T09:10:11.123Z</lastmod></sitemap>
			<sitemap><loc>https://acme.example/late.xml</loc></sitemap>
			</sitemapindex>`,
			typ: analysis.TypeIndex, count: 5, lastmod: d("2025-07-08T09:10:11.123Z"), dropped: 1,
			children: []child{{url: "https://acme.example/maps/pages.xml", lastmod: d("2025-05-06T00:00:00Z")}, {url: "https://acme.example/img.xml"}}},
		{name: "gzip by magic bytes", body: gz(t, urlset("", entry("/a", "", ""), entry("/b", "", ""))), typ: analysis.TypeStandard, count: 2},
		{name: "declared latin-1", body: latin1, typ: analysis.TypeStandard, count: 1},
		{name: "html entities tolerated", body: urlset("", entry("/a?x=1&amp;y=&eacute;", "", "")), typ: analysis.TypeStandard, count: 1},
		{name: "malformed", body: urlset("", entry("/a", "", ""), "<url><loc>/b</lo></url>"), typ: analysis.TypeStandard, count: 2,
			err: "malformed XML at line 2: element <loc> closed by </lo>"},
		{name: "cut mid-file", body: strings.TrimSuffix(urlset("", entry("/a", "", "")), "</urlset>"), typ: analysis.TypeStandard, count: 1, err: "malformed XML at line 1: unexpected EOF"},
		{name: "rss feed", body: `<rss version="2.0"><channel/></rss>`, notMap: true, err: "not a sitemap: root element <rss>"},
		{name: "html page", body: `<!doctype html><html><body>soft 404</body></html>`, notMap: true, err: "not a sitemap: root element <html>"},
		{name: "empty", body: "", notMap: true, err: "empty file: no XML element"},
		{name: "broken gzip", body: "\x1f\x8bnot gzip at all", notMap: true, err: "broken gzip"},
		{name: "too big", body: urlset("", entry("/a", "", "")) + strings.Repeat("<!-- pad -->", 100_000), typ: analysis.TypeStandard, count: 1,
			err: "larger than 1 MB; cut"},
		{name: "gzip bomb", body: gz(t, strings.TrimSuffix(urlset("", entry("/a", "", "")), "</urlset>")+strings.Repeat("<!-- pad -->\n", 200_000)+"</urlset>"),
			typ: analysis.TypeStandard, count: 1, err: "larger than 1 MB uncompressed; cut"},
		{name: "long text run", body: "<urlset>" + strings.Repeat(" ", 100<<10) + "</urlset>", typ: analysis.TypeStandard,
			err: "more than 64 KB without markup; cut"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := parse(strings.NewReader(tt.body), base, testLimits(), testNow)
			require.Equal(t, !tt.notMap, p.sitemap)
			if tt.notMap {
				require.True(t, strings.HasPrefix(p.err, tt.err), p.err)
				return
			}
			require.Equal(t, tt.typ, p.typ)
			require.Equal(t, tt.count, p.count)
			if tt.err == "" {
				require.Empty(t, p.err)
			} else {
				require.True(t, strings.HasPrefix(p.err, tt.err), "error %q", p.err)
			}
			if tt.lastmod == nil {
				require.Nil(t, p.lastmod)
			} else {
				require.NotNil(t, p.lastmod)
				require.True(t, tt.lastmod.Equal(*p.lastmod), "lastmod %v", p.lastmod)
			}
			require.Equal(t, len(tt.children), len(p.children))
			for i, c := range tt.children {
				require.Equal(t, c.url, p.children[i].url)
				require.Equal(t, c.lastmod == nil, p.children[i].lastmod == nil)
				if c.lastmod != nil {
					require.True(t, c.lastmod.Equal(*p.children[i].lastmod))
				}
			}
			require.Equal(t, tt.dropped, p.dropped)
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // RFC 3339 in UTC; "" for nil
	}{
		{"2025-01-02", "2025-01-02T00:00:00Z"},
		{"2025-01", "2025-01-01T00:00:00Z"},
		{"2025", "2025-01-01T00:00:00Z"},
		{"2025-01-02T03:04Z", "2025-01-02T03:04:00Z"},
		{"2025-01-02T03:04+02:00", "2025-01-02T01:04:00Z"},
		{"2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z"},
		{"2025-01-02T03:04:05.678-05:00", "2025-01-02T08:04:05.678Z"},
		{"2025-01-02T03:04:05+0100", "2025-01-02T02:04:05Z"},
		{"2025-01-02T03:04:05", "2025-01-02T03:04:05Z"},
		{"2025-01-02 03:04:05", "2025-01-02T03:04:05Z"},
		{" 2025-01-02 03:04:05+00:00 ", "2025-01-02T03:04:05Z"},
		{"Thu, 02 Jan 2025 03:04:05 GMT", "2025-01-02T03:04:05Z"},
		{"Thu, 02 Jan 2025 03:04:05 +0100", "2025-01-02T02:04:05Z"},
		{"0001-01-01", ""},
		{"yesterday", ""},
		{"", ""},
		{"02/01/2025", ""},
	}
	for _, tt := range tests {
		got := parseDate(tt.in)
		if tt.want == "" {
			require.Nil(t, got, tt.in)
			continue
		}
		require.NotNil(t, got, tt.in)
		require.Equal(t, tt.want, got.Format(time.RFC3339Nano), tt.in)
		require.Equal(t, time.UTC, got.Location())
	}
}

func TestRunGuardAcrossChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		max   int64
		fail  bool
	}{
		{name: "short runs", input: strings.Repeat("<a>"+strings.Repeat("x", 9)+"</a>", 50), max: 10},
		{name: "run of max", input: "<a>" + strings.Repeat("x", 10) + "</a>", max: 10},
		{name: "run of max+1", input: "<a>" + strings.Repeat("x", 11) + "</a>", max: 10, fail: true},
		{name: "trailing run", input: "<a>" + strings.Repeat("x", 11), max: 10, fail: true},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 3, 7, 4096} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, chunk), func(t *testing.T) {
				g := &runGuard{r: &chunked{s: tt.input, n: chunk}, max: tt.max}
				_, err := io.ReadAll(g)
				if tt.fail {
					require.ErrorIs(t, err, errRunTooLong)
				} else {
					require.NoError(t, err)
				}
			})
		}
	}
}

// chunked hands out s n bytes at a time.
type chunked struct {
	s string
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}
