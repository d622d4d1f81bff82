package extract

import (
	"bytes"
	"strings"
	"unsafe"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// unsafeString views b as a string without copying; b must not change while
// the string is used.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// maxOpen bounds how far back an end tag looks for the queued element it
// closes. Queued elements are few; a page of unclosed links must not make
// every end tag a long search.
const maxOpen = 64

// tokens fills p from the token stream of body in one pass: the visible
// text, with a boundary at every tag the source has (the tree builder drops
// stray <td> and <li> tags, and their cells would glue), and the elements
// whose attributes a reader wants, each with its range in the text. No tree
// is built: the lexer is many times faster than the parser and has no limit
// on open elements.
func (p *page) tokens(body []byte) {
	z := newLexer(body)
	if p.reference {
		z = newReferenceLexer(body)
	}
	hidden := 0      // depth inside hidden elements such as template
	veiled := 0      // depth inside an inline element hidden by its style
	var veil string  // the tag name of that element
	raw := rawNone   // what the text of the current raw-text element is for
	rawElem := -1    // the queued element (JSON-LD) that takes raw text
	var open []int   // queued elements waiting for their end tag
	var attrs []attr // the current tag's attributes, reused
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.closeAll(open)
			return
		case html.TextToken:
			text := z.Text()
			switch raw {
			case rawJSONLD:
				if rawElem >= 0 {
					p.elements[rawElem].text += string(text)
				}
				continue
			case rawScript:
				p.addScript(string(text))
				continue
			case rawStyle:
				p.readStyle(text)
				continue
			}
			if hidden == 0 && veiled == 0 {
				p.appendText(text, true)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			rawTag := z.Raw()
			var nb [maxTagName]byte
			tag := tagName(rawTag, &nb)
			info := tagFlags(tag)
			attrs = attrs[:0]
			inlineStart := info&(tagInline|tagVoid) == tagInline && tt == html.StartTagToken
			if p.wantsAttrs(tag, rawTag) || inlineStart && mayVeil(rawTag) {
				for more := true; more; {
					var k, v []byte
					k, v, more = z.TagAttr()
					if k != nil {
						attrs = append(attrs, attr{k, v})
					}
				}
			}
			raw, rawElem = rawNone, -1
			if info&tagHidden != 0 {
				// A self-closing slash on these is ignored by browsers and
				// by the tokenizer's raw-text mode alike. Inside a template
				// nothing runs and nothing is data.
				hidden++
				if hidden == 1 {
					raw = rawKind(tag, attrs)
				}
			}
			if k := p.inspect(tag, attrs); k != 0 {
				e := newElement(internTag(tag), attrs, k, len(p.buf))
				p.elements = append(p.elements, e)
				idx := len(p.elements) - 1
				if raw == rawJSONLD {
					rawElem = idx
				}
				if tt == html.StartTagToken && info&tagVoid == 0 {
					if len(open) == maxOpen {
						p.elements[open[0]].end = p.elements[open[0]].start
						open = open[1:]
					}
					open = append(open, idx)
				}
			}
			switch {
			case veiled > 0:
				if tag == veil {
					veiled++
				}
			case inlineStart && hidden == 0 && hiddenStyle(attrs):
				veiled, veil = 1, internTag(tag)
			}
			if hidden == 0 && veiled == 0 {
				p.separate(info&tagInline != 0)
			}
			if hidden == 0 && veiled == 0 && tt == html.StartTagToken && info&tagVoid == 0 {
				p.openReversal(tag, attrs)
			}
		case html.EndTagToken:
			var nb [maxTagName]byte
			tag := tagName(z.Raw(), &nb)
			info := tagFlags(tag)
			wasHidden := hidden
			raw, rawElem = rawNone, -1
			if info&tagHidden != 0 && hidden > 0 {
				hidden--
			}
			for i := len(open) - 1; i >= 0; i-- {
				if p.elements[open[i]].tag == tag {
					for _, j := range open[i:] {
						p.elements[j].end = len(p.buf)
					}
					open = open[:i]
					break
				}
			}
			if veiled > 0 {
				// The veil ends with its element, or with any block that
				// closes around it (an unclosed span must not hide the
				// rest of the page).
				switch {
				case tag == veil:
					veiled--
				case info&tagInline == 0:
					veiled = 0
				}
				if veiled > 0 || tag == veil {
					continue
				}
			}
			if wasHidden == 0 {
				p.closeReversal(tag)
				p.separate(info&tagInline != 0)
			}
		}
	}
}

// read fills p from body with tokens. Most pages spell out no address, and
// looking for one at every space of every text node was a tenth of the
// work: so the first reading copies text that needs no other rewriting
// without that check, and if the page's text then shows both a spaced "at"
// and a spaced "dot" anywhere, the page is read again with every check. The
// reference reading always checks.
func (p *page) read(body []byte) {
	p.deferSpelled = !p.reference
	p.tokens(body)
	if p.deferSpelled && !spelledFree(p.buf) {
		*p = page{base: p.base, site: p.site, collect: p.collect, reference: p.reference, buf: p.buf[:0]}
		p.tokens(body)
	}
}

// closeAll ends the elements the page never closed where they start: their
// text is unknown, and the rest of the page is not it.
func (p *page) closeAll(open []int) {
	for _, i := range open {
		p.elements[i].end = p.elements[i].start
	}
}

// rawKinds say what the text of a raw-text element is read for.
type rawKinds int

const (
	rawNone rawKinds = iota
	rawJSONLD
	rawScript
	rawStyle
)

// rawKind classifies a hidden element by its tag and type attribute.
func rawKind(tag string, attrs []attr) rawKinds {
	switch tag {
	case "style":
		return rawStyle
	case "script":
	default:
		return rawNone
	}
	typ, src := "", false
	for _, a := range attrs {
		switch string(a.key) {
		case "type":
			typ = string(bytes.ToLower(bytes.TrimSpace(a.val)))
		case "src":
			src = true
		}
	}
	switch {
	case bytes.Contains([]byte(typ), []byte("ld+json")):
		return rawJSONLD
	case !src && jsType(typ):
		return rawScript
	}
	return rawNone
}

// jsType reports whether a script type attribute (lowercase) means
// JavaScript that a browser runs: none, a JavaScript MIME type or module.
func jsType(typ string) bool {
	if i := bytes.IndexByte([]byte(typ), ';'); i >= 0 {
		typ = typ[:i]
	}
	switch typ {
	case "", "module", "text/javascript", "application/javascript", "application/x-javascript",
		"text/ecmascript", "application/ecmascript", "text/jscript", "text/livescript":
		return true
	}
	return false
}

// Tag flags, looked up once per tag by name.
const (
	tagHidden uint8 = 1 << iota
	tagInline
	tagVoid
)

// tagInfo holds the flags of every element named in hiddenElements,
// inlineElements and voidElements; any other tag separates words.
var tagInfo = func() map[string]uint8 {
	m := map[string]uint8{}
	for t := range hiddenElements {
		m[t] |= tagHidden
	}
	for t := range inlineElements {
		m[t] |= tagInline
	}
	for t := range voidElements {
		m[t] |= tagVoid
	}
	return m
}()

// tagSlot is one entry of tagTable: a name of at most 8 bytes packed into
// an integer, its length and its flags.
type tagSlot struct {
	key   uint64
	n     uint8
	flags uint8
}

// tagTable is tagInfo as an open-addressing hash table on packed names:
// looking up every tag of a page in a string map was a tenth of the work.
// Every name in tagInfo fits in 8 bytes.
var tagTable = func() (t [128]tagSlot) {
	for name, f := range tagInfo {
		if len(name) > 8 {
			panic("extract: tag name " + name + " does not fit tagTable")
		}
		key := packName(name)
		h := hashName(key)
		for t[h].n != 0 {
			h = (h + 1) % uint64(len(t))
		}
		t[h] = tagSlot{key: key, n: uint8(len(name)), flags: f}
	}
	return t
}()

func packName(name string) (key uint64) {
	for i := 0; i < len(name); i++ {
		key |= uint64(name[i]) << (8 * i)
	}
	return key
}

func hashName(key uint64) uint64 { return key * 0x9E3779B97F4A7C15 >> 57 }

// tagFlags returns tagInfo[tag].
func tagFlags(tag string) uint8 {
	if len(tag) == 0 || len(tag) > 8 {
		return 0
	}
	key := packName(tag)
	for h := hashName(key); tagTable[h].n != 0; h = (h + 1) % uint64(len(tagTable)) {
		if s := tagTable[h]; s.key == key && int(s.n) == len(tag) {
			return s.flags
		}
	}
	return 0
}

// voidElements have no end tag, so they are never waited for.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true,
	"track": true, "wbr": true, "param": true,
}

// maxTagName is the longest tag name read without allocating; longer names
// are no element any reader or rule knows.
const maxTagName = 16

// tagName returns the lowercase name of the raw tag "<Name …>" or
// "</Name>", in buf, without allocating.
// The result is only valid while buf is. A name too long for buf comes back
// truncated, which matches no known element.
func tagName(raw []byte, buf *[maxTagName]byte) string {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	n := 0
	for ; i < len(raw) && n < maxTagName; i++ {
		c := raw[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return unsafeString(buf[:n])
}

// internTag copies a tag name that outlives its token, without allocating
// for the elements HTML defines.
func internTag(tag string) string {
	if a := atom.Lookup([]byte(tag)); a != 0 {
		return a.String()
	}
	return strings.Clone(tag)
}

// wantsAttrs is the prefilter that spares most tags their attribute
// parsing: a tag can only interest a reader if its source holds an "@" or
// entity, a data- attribute, a mailto: or javascript: URL, Cloudflare's
// path, a bidi override or a reversing class, or is a script or bdo; with a
// script runner every tag is read, for its event handlers. Attribute names
// are matched without regard to case, as the tokenizer lowercases them. The
// reference reading reads every tag, so the differential tests check that
// the prefilter drops nothing a reader wants.
func (p *page) wantsAttrs(tag string, raw []byte) bool {
	switch {
	case p.reference, p.collect, tag == "script", tag == "bdo", tag == "style":
		return true
	case bytes.IndexByte(raw, '@') >= 0, bytes.IndexByte(raw, '&') >= 0, bytes.Contains(raw, bidiName):
		return true
	case len(p.reversedClasses) > 0 && containsFold(raw, "class"):
		return true
	}
	// "data-" and "email-protection" are found from their hyphen: their
	// first letters are everywhere in class lists and SVG paths.
	for i := bytes.IndexByte(raw, '-'); i >= 0; {
		if i >= len("data") && asciiFoldEqual(raw[i-len("data"):i], dataName) ||
			i >= len("email") && bytes.HasPrefix(raw[i-len("email"):], cfName) {
			return true
		}
		j := bytes.IndexByte(raw[i+1:], '-')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	for i := bytes.IndexByte(raw, ':'); i >= 0; {
		if i >= len("mailto") && bytes.EqualFold(raw[i-len("mailto"):i], mailtoPrefix[:len("mailto")]) ||
			i >= len("javascript") && bytes.EqualFold(raw[i-len("javascript"):i], jsPrefix[:len("javascript")]) {
			return true
		}
		j := bytes.IndexByte(raw[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// mayVeil is the prefilter of hiddenStyle: whether a raw inline start tag
// mentions "none" or "hidden" in any case.
func mayVeil(raw []byte) bool {
	for i, c := range raw {
		switch c | 0x20 {
		case 'n':
			if i+4 <= len(raw) && asciiEqualFold(raw[i:i+4], "none") {
				return true
			}
		case 'h':
			if i+6 <= len(raw) && asciiEqualFold(raw[i:i+6], "hidden") {
				return true
			}
		}
	}
	return false
}

// containsFold reports whether b holds the lowercase ASCII s in any case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if asciiEqualFold(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}

var (
	dataName = []byte("data")
	cfName   = []byte("email-protection")
	bidiName = []byte("bidi")
)
