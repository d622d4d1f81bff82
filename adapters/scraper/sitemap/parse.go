package sitemap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/core/analysis"
)

// limits bound the reading of one file.
type limits struct {
	maxURLs     int   // entries counted per file
	maxBytes    int64 // bytes read per file, after decompression
	maxChildren int   // index entries kept for following
	maxRun      int64 // bytes between two markup characters
	maxText     int   // bytes kept of a <loc> or <lastmod>
	// page, when set, receives the absolute URL of every <url> entry.
	page func(loc string)
}

// child is one entry of a sitemap index.
type child struct {
	url     string
	lastmod *time.Time
}

// parsed is what reading one file found. Counts cover what was read before
// an error.
type parsed struct {
	// sitemap is true once the root element was <urlset> or <sitemapindex>.
	sitemap bool
	typ     analysis.FileType
	count   int
	lastmod *time.Time
	// children are the first maxChildren entries of an index; dropped
	// counts the entries after them.
	children []child
	dropped  int
	err      string
}

// Namespaces of the Google sitemap extensions, matched by substring so that
// http/https and version variants count too.
const (
	nsImage = "sitemap-image"
	nsVideo = "sitemap-video"
	nsNews  = "sitemap-news"
)

// extension returns the file type an element namespace stands for, or "".
func extension(space string) analysis.FileType {
	switch {
	case strings.Contains(space, nsNews):
		return analysis.TypeNews
	case strings.Contains(space, nsVideo):
		return analysis.TypeVideo
	case strings.Contains(space, nsImage):
		return analysis.TypeImage
	}
	return ""
}

// errRunTooLong means a run of bytes without markup exceeded limits.maxRun.
var errRunTooLong = errors.New("text run too long")

// errInflatedTooLarge means a gzip file inflated past limits.maxBytes.
var errInflatedTooLarge = errors.New("inflated size exceeds the cap")

// parse reads one sitemap file from r as a token stream: gzip (recognized
// by its magic bytes) is decompressed, and every limit is enforced while
// reading, so a hostile file costs at most maxBytes of reading. base
// resolves relative <loc>s; lastmods after now plus a day are ignored.
func parse(r io.Reader, base *url.URL, lim limits, now time.Time) parsed {
	dec, closeSrc, err := newDecoder(r, lim)
	if err != nil {
		return parsed{err: describe(err, lim)}
	}
	defer closeSrc()
	w := walker{base: base, lim: lim, latest: now.Add(24 * time.Hour), used: map[analysis.FileType]bool{}, entry: "url"}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !w.p.sitemap {
				w.p.err = "empty file: no XML element"
			}
			break
		}
		if err != nil {
			w.p.err = describe(err, lim)
			break
		}
		if stop := w.token(tok); stop {
			return w.p
		}
	}
	w.p.typ = fileType(w.p.typ, w.used, w.declared)
	return w.p
}

// newDecoder returns an XML decoder over r, gunzipped if it starts with
// the gzip magic, capped at lim.maxBytes (after inflation) and guarded
// against long runs; close releases the gzip reader.
func newDecoder(r io.Reader, lim limits) (dec *xml.Decoder, close func(), err error) {
	br := bufio.NewReader(r)
	var src io.Reader
	close = func() {}
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		close = func() { _ = zr.Close() }
		src = &capReader{r: zr, left: lim.maxBytes, err: errInflatedTooLarge}
	} else {
		src = &capReader{r: br, left: lim.maxBytes, err: scraper.ErrBodyTooLarge}
	}
	dec = xml.NewDecoder(&runGuard{r: src, max: lim.maxRun})
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity
	return dec, close, nil
}

// walker is parse's state while it reads the tokens of one file.
type walker struct {
	p      parsed
	base   *url.URL
	lim    limits
	latest time.Time // a lastmod after this is ignored

	depth    int
	entry    string // the entry element: "url", or "sitemap" in an index
	inEntry  bool
	field    string // "loc" or "lastmod" while inside one
	text     bytes.Buffer
	loc, mod string
	declared analysis.FileType
	used     map[analysis.FileType]bool
}

// token takes one token and reports whether parsing must stop here, the
// result being final.
func (w *walker) token(tok xml.Token) (stop bool) {
	switch t := tok.(type) {
	case xml.StartElement:
		return w.start(t)
	case xml.CharData:
		if w.field != "" && w.text.Len() < w.lim.maxText {
			w.text.Write(t[:min(len(t), w.lim.maxText-w.text.Len())])
		}
	case xml.EndElement:
		w.end()
	}
	return false
}

func (w *walker) start(t xml.StartElement) (stop bool) {
	w.depth++
	ext := extension(t.Name.Space)
	if ext != "" {
		w.used[ext] = true
	}
	switch {
	case w.depth == 1:
		return w.root(t)
	case w.depth == 2 && ext == "" && t.Name.Local == w.entry:
		if w.p.count == w.lim.maxURLs {
			noun := "URLs"
			if w.p.typ == analysis.TypeIndex {
				noun = "sitemaps"
			}
			w.p.err = fmt.Sprintf("more than %d %s; stopped counting", w.lim.maxURLs, noun)
			w.p.typ = fileType(w.p.typ, w.used, w.declared)
			return true
		}
		w.p.count++
		w.inEntry, w.loc, w.mod = true, "", ""
	case w.depth == 3 && w.inEntry && ext == "" && (t.Name.Local == "loc" || t.Name.Local == "lastmod"):
		w.field = t.Name.Local
		w.text.Reset()
	}
	return false
}

// root takes the root element: a urlset or a sitemapindex, and the
// extensions its namespaces declare.
func (w *walker) root(t xml.StartElement) (stop bool) {
	switch t.Name.Local {
	case "urlset":
		w.p.typ = analysis.TypeStandard
	case "sitemapindex":
		w.p.typ, w.entry = analysis.TypeIndex, "sitemap"
	default:
		w.p.err = fmt.Sprintf("not a sitemap: root element <%s>", t.Name.Local)
		return true
	}
	w.p.sitemap = true
	for _, a := range t.Attr {
		if e := extension(a.Value); a.Name.Space == "xmlns" && e != "" && rank(e) > rank(w.declared) {
			w.declared = e
		}
	}
	return false
}

func (w *walker) end() {
	switch {
	case w.depth == 3 && w.field != "":
		if w.field == "loc" {
			w.loc = strings.TrimSpace(w.text.String())
		} else {
			w.mod = strings.TrimSpace(w.text.String())
		}
		w.field = ""
	case w.depth == 2 && w.inEntry:
		w.endEntry()
	}
	w.depth--
}

// endEntry records a finished entry: its lastmod (unless in the future)
// and, in an index, its child sitemap.
func (w *walker) endEntry() {
	w.inEntry = false
	lm := parseDate(w.mod)
	if lm != nil && lm.After(w.latest) {
		lm = nil
	}
	if lm != nil && (w.p.lastmod == nil || lm.After(*w.p.lastmod)) {
		w.p.lastmod = lm
	}
	if w.p.typ != analysis.TypeIndex && w.loc != "" && w.lim.page != nil {
		if u := resolve(w.base, w.loc); u != "" {
			w.lim.page(u)
		}
	}
	if w.p.typ == analysis.TypeIndex && w.loc != "" {
		switch u := resolve(w.base, w.loc); {
		case u == "":
		case len(w.p.children) == w.lim.maxChildren:
			w.p.dropped++
		default:
			w.p.children = append(w.p.children, child{url: u, lastmod: lm})
		}
	}
}

// rank orders the extension types: a news sitemap may carry images, and a
// video one thumbnails, so the rarer kind wins.
func rank(t analysis.FileType) int {
	switch t {
	case analysis.TypeNews:
		return 3
	case analysis.TypeVideo:
		return 2
	case analysis.TypeImage:
		return 1
	}
	return 0
}

// fileType refines a urlset's type: an extension whose elements are used
// decides; failing that, a declared extension namespace.
func fileType(t analysis.FileType, used map[analysis.FileType]bool, declared analysis.FileType) analysis.FileType {
	if t == analysis.TypeIndex {
		return t
	}
	best := analysis.FileType("")
	for e := range used {
		if rank(e) > rank(best) {
			best = e
		}
	}
	switch {
	case best != "":
		return best
	case declared != "":
		return declared
	}
	return analysis.TypeStandard
}

// resolve returns loc as an absolute http(s) URL without fragment, or "".
func resolve(base *url.URL, loc string) string {
	u, err := base.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// describe words a reading failure for File.Error.
func describe(err error, lim limits) string {
	var se *xml.SyntaxError
	var ne net.Error
	switch {
	case errors.Is(err, scraper.ErrBodyTooLarge):
		return fmt.Sprintf("larger than %s; cut", size(lim.maxBytes))
	case errors.Is(err, errInflatedTooLarge):
		return fmt.Sprintf("larger than %s uncompressed; cut", size(lim.maxBytes))
	case errors.Is(err, errRunTooLong):
		return fmt.Sprintf("more than %s without markup; cut", size(lim.maxRun))
	case errors.As(err, &se):
		return fmt.Sprintf("malformed XML at line %d: %s", se.Line, se.Msg)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), isFlate(err):
		return "broken gzip: " + err.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout while reading"
	case strings.HasPrefix(err.Error(), "xml: "):
		return "malformed XML: " + strings.TrimPrefix(err.Error(), "xml: ")
	}
	return "read failed: " + err.Error()
}

func isFlate(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "flate: ")
}

// size words a byte count: "50 MB" for whole mebibytes, as sitemaps.org
// spells its 52,428,800-byte limit.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// capReader returns err once more than left bytes were asked of it, after
// delivering left bytes.
type capReader struct {
	r    io.Reader
	left int64
	err  error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), c.err
	}
	return n, err
}

// runGuard fails a stream with more than max bytes between two markup
// characters ('<' or '>'). encoding/xml buffers a whole text, comment or
// attribute value before returning it, so without the guard one long run
// would sit in memory whole.
type runGuard struct {
	r   io.Reader
	max int64
	run int64
	err error
}

func (g *runGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexAny(b, "<>")
		if i < 0 {
			g.run += int64(len(b))
			break
		}
		if g.run+int64(i) > g.max {
			g.run += int64(i)
			break
		}
		g.run, b = 0, b[i+1:]
	}
	if g.run > g.max {
		g.err = fmt.Errorf("%w: more than %d bytes", errRunTooLong, g.max)
		return 0, g.err
	}
	return n, err
}
