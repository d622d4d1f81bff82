// Package sitemap is the sitemap.Analyzer of the sitemap analysis: it finds
// a site's sitemaps (robots.txt, <link rel="sitemap"> on the home page,
// well-known paths), follows sitemap indexes within bounds and reads every
// file as a stream, counting its URLs without keeping them.
package sitemap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/charset"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/core/analysis"
)

// Config bounds one analysis. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// MaxFiles caps the files recorded per site, failed ones included.
	// Default 50.
	MaxFiles int
	// MaxDepth caps how deep indexes are followed: the files found directly
	// are depth 0, the entries of their indexes depth 1, and so on. Default
	// 3.
	MaxDepth int
	// MaxURLsPerFile caps the entries counted per file; the protocol allows
	// 50,000. Default 50000.
	MaxURLsPerFile int
	// MaxFileBytes caps the bytes read per file, both on the wire and after
	// gzip decompression; the protocol allows 50 MB uncompressed. Default
	// 50 MiB.
	MaxFileBytes int64
	// MaxHomeBytes caps the home page read for <link rel="sitemap">.
	// Default 2 MiB.
	MaxHomeBytes int64
	// MaxRunBytes caps a run of bytes without '<' or '>' (a text, comment
	// or attribute value), which the XML decoder buffers whole. Default
	// 1 MiB.
	MaxRunBytes int64
	// CommonPaths are tried when nothing else listed them; a missing file
	// or one that is not a sitemap is not recorded. Default /sitemap.xml,
	// /sitemap_index.xml, /wp-sitemap.xml, /sitemap.xml.gz.
	CommonPaths []string
}

// DefaultConfig returns the production bounds.
func DefaultConfig() Config {
	return Config{
		MaxFiles:       50,
		MaxDepth:       3,
		MaxURLsPerFile: 50_000,
		MaxFileBytes:   50 << 20,
		MaxHomeBytes:   2 << 20,
		MaxRunBytes:    1 << 20,
		CommonPaths:    []string{"/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap.xml.gz"},
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxFiles <= 0 {
		c.MaxFiles = d.MaxFiles
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = d.MaxDepth
	}
	if c.MaxURLsPerFile <= 0 {
		c.MaxURLsPerFile = d.MaxURLsPerFile
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = d.MaxFileBytes
	}
	if c.MaxHomeBytes <= 0 {
		c.MaxHomeBytes = d.MaxHomeBytes
	}
	if c.MaxRunBytes <= 0 {
		c.MaxRunBytes = d.MaxRunBytes
	}
	if c.CommonPaths == nil {
		c.CommonPaths = d.CommonPaths
	}
	return c
}

// Analyzer reads the sitemaps of sites over a scraper.Crawler, so the
// crawler's SSRF guard, timeouts, retries and rate limit apply to every
// request. It is safe for concurrent use.
type Analyzer struct {
	crawler *scraper.Crawler
	cfg     Config
	now     func() time.Time
}

var _ analysis.Analyzer = (*Analyzer)(nil)

// New returns an analyzer over crawler bounded by cfg.
func New(crawler *scraper.Crawler, cfg Config) *Analyzer {
	return &Analyzer{crawler: crawler, cfg: cfg.withDefaults(), now: time.Now}
}

// Analyze finds and reads the sitemaps of site, a stored domain such as
// "acme.com". Files are looked for in this order, each URL read once: the
// Sitemap lines of robots.txt, the <link rel="sitemap"> of the home page,
// then the common paths; indexes are followed breadth first. Every file
// found is recorded, with File.Error set when it could not be read or was
// cut at a limit. The error is the crawler's *Error when the site cannot be
// reached at all (robots.txt unreadable), or wraps ctx.Err() when ctx ends
// first; a site without sitemaps is an empty Analysis.
func (a *Analyzer) Analyze(ctx context.Context, site string) (analysis.Analysis, error) {
	s, err := a.crawler.OpenSite(ctx, site)
	if err != nil {
		return analysis.Analysis{}, err
	}
	w := &walk{a: a, site: s, seen: map[string]bool{}, lim: limits{
		maxURLs:     a.cfg.MaxURLsPerFile,
		maxBytes:    a.cfg.MaxFileBytes,
		maxChildren: a.cfg.MaxFiles,
		maxRun:      a.cfg.MaxRunBytes,
		maxText:     4096,
	}}
	for _, u := range s.Sitemaps() {
		w.enqueue(task{url: u, discovery: analysis.DiscoveryRobotsTxt})
	}
	w.drain(ctx)
	for _, u := range a.homeLinks(ctx, s) {
		w.enqueue(task{url: u, discovery: analysis.DiscoveryHTMLLink})
	}
	w.drain(ctx)
	home, _ := url.Parse(s.Home())
	for _, p := range a.cfg.CommonPaths {
		w.enqueue(task{url: home.JoinPath(p).String(), discovery: analysis.DiscoveryCommonPath, optional: true})
	}
	w.drain(ctx)
	if err := ctx.Err(); err != nil {
		return analysis.Analysis{}, fmt.Errorf("analyze %s: %w", site, err)
	}
	return analysis.Analysis{Files: w.files}, nil
}

// linkSel finds <link> elements; their rel is checked in code because rel
// is a case-insensitive token list.
var (
	linkSel = cascadia.MustCompile("link[href]")
	baseSel = cascadia.MustCompile("base[href]")
)

// homeLinks returns the hrefs of the home page's <link rel="sitemap">,
// resolved. A home page that cannot be read has none.
func (a *Analyzer) homeLinks(ctx context.Context, s *scraper.Site) []string {
	st, err := s.Open(ctx, s.Home(), a.cfg.MaxHomeBytes)
	if err != nil {
		return nil
	}
	defer st.Close()
	body, err := io.ReadAll(st)
	if err != nil && !errors.Is(err, scraper.ErrBodyTooLarge) {
		return nil
	}
	r, err := charset.NewReader(bytes.NewReader(body), st.ContentType)
	if err != nil {
		return nil
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return nil
	}
	base, err := url.Parse(st.URL)
	if err != nil {
		return nil
	}
	if href, ok := doc.FindMatcher(baseSel).First().Attr("href"); ok {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	var out []string
	doc.FindMatcher(linkSel).EachWithBreak(func(_ int, l *goquery.Selection) bool {
		rel, _ := l.Attr("rel")
		for _, tok := range strings.Fields(strings.ToLower(rel)) {
			if tok != "sitemap" {
				continue
			}
			href, _ := l.Attr("href")
			if u := resolve(base, strings.TrimSpace(href)); u != "" {
				out = append(out, u)
			}
			break
		}
		return len(out) < a.cfg.MaxFiles
	})
	return out
}

// task is one file to read.
type task struct {
	url       string
	discovery analysis.Discovery
	depth     int
	lastmod   *time.Time // from the index entry that listed the file
	// optional marks a guess (a common path): if it is missing or not a
	// sitemap, nothing is recorded.
	optional bool
}

// walk is the state of one analysis: a FIFO of files to read and the files
// read. It runs on one goroutine.
type walk struct {
	a        *Analyzer
	site     *scraper.Site
	lim      limits
	queue    []task
	reserved int // queued tasks that will be recorded whatever happens
	seen     map[string]bool
	files    []analysis.File
}

// enqueue adds t unless its URL was seen or the file budget is spent, and
// reports whether the budget refused it.
func (w *walk) enqueue(t task) (full bool) {
	k := key(t.url)
	if w.seen[k] {
		return false
	}
	if len(w.files)+w.reserved >= w.a.cfg.MaxFiles {
		return true
	}
	w.seen[k] = true
	if !t.optional {
		w.reserved++
	}
	w.queue = append(w.queue, t)
	return false
}

// drain reads the queued files, and the entries of the indexes among them,
// until the queue is empty or ctx ends.
func (w *walk) drain(ctx context.Context) {
	for len(w.queue) > 0 && ctx.Err() == nil {
		t := w.queue[0]
		w.queue = w.queue[1:]
		if !t.optional {
			w.reserved--
		}
		if len(w.files) >= w.a.cfg.MaxFiles {
			continue
		}
		w.read(ctx, t)
	}
	w.queue = nil
}

// read fetches and parses one file, records it and queues an index's
// entries.
func (w *walk) read(ctx context.Context, t task) {
	f := analysis.File{URL: t.url, Type: analysis.TypeStandard, Discovery: t.discovery, LastModified: t.lastmod}
	st, err := w.site.Open(ctx, t.url, w.lim.maxBytes)
	if err != nil {
		if t.optional || ctx.Err() != nil {
			return
		}
		f.Error = err.Error()
		w.files = append(w.files, f)
		return
	}
	base, perr := url.Parse(st.URL)
	if perr != nil {
		base, _ = url.Parse(t.url)
	}
	p := parse(st, base, w.lim, w.a.now())
	_ = st.Close()
	if ctx.Err() != nil || (t.optional && !p.sitemap) {
		return
	}
	f.Type, f.URLCount, f.Error = p.typ, p.count, p.err
	if f.LastModified == nil {
		f.LastModified = p.lastmod
	}
	w.files = append(w.files, f)
	if p.typ != analysis.TypeIndex {
		return
	}
	i := len(w.files) - 1
	if t.depth >= w.a.cfg.MaxDepth {
		if n := len(p.children) + p.dropped; n > 0 {
			w.note(i, fmt.Sprintf("nested more than %d indexes deep; %d listed sitemaps not followed", w.a.cfg.MaxDepth, n))
		}
		return
	}
	self, refused := key(t.url), p.dropped
	for _, c := range p.children {
		if k := key(c.url); k == self || k == key(st.URL) {
			w.note(i, "lists itself; not followed again")
			continue
		}
		if w.enqueue(task{url: c.url, discovery: analysis.DiscoverySitemapIndex, depth: t.depth + 1, lastmod: c.lastmod}) {
			refused++
		}
	}
	if refused > 0 {
		w.note(i, fmt.Sprintf("%d listed sitemaps not followed (limit of %d files)", refused, w.a.cfg.MaxFiles))
	}
}

// note appends msg to the error of the i-th file.
func (w *walk) note(i int, msg string) {
	if w.files[i].Error == "" {
		w.files[i].Error = msg
		return
	}
	if !strings.Contains(w.files[i].Error, msg) {
		w.files[i].Error += "; " + msg
	}
}

// key identifies a URL for the seen set: host, path and query, without
// scheme (http and https name the same file), fragment or default port.
func key(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		host += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return host + path
}
