// Package extract finds email addresses in fetched pages. It is the pure
// half of the email scanner: the crawler fetches a page, converts its body to
// UTF-8 and hands it here; what comes back is a deduplicated list of
// plausible addresses in canonical form, each with where and how it was
// found.
//
// A page is read in one pass over its token stream (no tree is built), so
// every tag in the source separates words. The stream is x/net/html's,
// tokenized by the package's own zero-copy lexer (lexer.go), which the
// differential tests hold to x/net's tokenizer token for token. On the
// benchmark pages a pass reads about 220 (BenchmarkHTML) and 320
// (BenchmarkHTMLHome) MB per CPU-second, where the previous version, which
// read x/net's tokenizer, read about 105 and 120 (see README, Benchmarks).
//
// Beyond plain text the extractor undoes the disguises sites use against
// harvesters: mailto links (with their cc= and bcc=), HTML entities (also
// doubly encoded), "[at]" and spelled-out "at"/"dot" spellings, fullwidth
// at signs, invisible characters and style-hidden inline text inside
// addresses, Cloudflare email protection, JSON-LD,
// form values, meta tags and other attributes, reversed text and ROT13; with
// a ScriptRunner, also what the page's scripts write. Every candidate must pass contact.Plausible (or
// PlausibleAt), which drops the decoys a page is full of (logo@2x.png,
// react@18.2.0, Sentry DSNs).
package extract

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Source says how an address was found on a page.
type Source string

// The sources, in no particular order.
const (
	// SourceText is plain visible text.
	SourceText Source = "text"
	// SourceEntity is visible text that was HTML-escaped twice, so that the
	// parser's own decoding still left entities such as "&#64;".
	SourceEntity Source = "entity"
	// SourceObfuscated is visible text spelled with "[at]", "(dot)" and the
	// like, or with a fullwidth at sign.
	SourceObfuscated Source = "obfuscated"
	// SourceMailto is the href of a mailto: link.
	SourceMailto Source = "mailto"
	// SourceCFEmail is Cloudflare email protection: a data-cfemail attribute
	// or a /cdn-cgi/l/email-protection#… link.
	SourceCFEmail Source = "cfemail"
	// SourceJSONLD is an "email" field of a JSON-LD script.
	SourceJSONLD Source = "jsonld"
	// SourceInput is the value attribute of an input element.
	SourceInput Source = "input"
	// SourceMeta is the content attribute of a meta element.
	SourceMeta Source = "meta"
	// SourceAttribute is another attribute that holds an address:
	// data-email, data-mail, data-contact, a data-user and data-domain pair,
	// title, aria-label, or value and content outside input and meta.
	SourceAttribute Source = "attribute"
	// SourceReversed is text a style sheet displays reversed
	// (unicode-bidi: bidi-override; direction: rtl, or <bdo dir="rtl">).
	SourceReversed Source = "reversed"
	// SourceROT13 is an address encoded with ROT13 (vasb@npzr.pbz).
	SourceROT13 Source = "rot13"
	// SourceScript is what the page's scripts wrote, when an Extractor has
	// a ScriptRunner.
	SourceScript Source = "script"
)

// MaxContext is the longest Found.Context, in runes.
const MaxContext = 200

// Found is one address found on a page.
type Found struct {
	// Email is the address, lowercase.
	Email string
	// Source says how it was found.
	Source Source
	// Context is the text around the address (or, for attributes, around its
	// element), whitespace collapsed, at most MaxContext runes.
	Context string
}

// Extractor finds the addresses of pages. The zero value reads what the
// page's markup holds; with Scripts set it also runs the page's inline
// scripts, javascript: links and event handlers through that runner and
// reads what they write (SourceScript).
type Extractor struct {
	// Scripts, when not nil, runs the page's scripts.
	Scripts ScriptRunner
}

// HTML returns the addresses in an HTML page whose body is already UTF-8.
// The page is read in one pass over its token stream: every tag in the
// source separates words, whether or not a tree builder would keep it.
// pageURL, the address the page was fetched from, resolves relative links
// and names the site whose own people may be called john.doe@; it may be
// empty. Each address appears once, in canonical form (see canonical), with
// the source and context of its first occurrence in document order; at the
// same position an attribute (a mailto href, say) wins over the element's
// text, and what scripts write comes after everything the page shows.
func (e Extractor) HTML(ctx context.Context, body []byte, pageURL string) []Found {
	return e.html(ctx, body, pageURL, false)
}

// html is HTML, reading the tokens with x/net's tokenizer when reference is
// set (the differential tests' reference).
func (e Extractor) html(ctx context.Context, body []byte, pageURL string, reference bool) []Found {
	p := newPage(pageURL)
	p.collect = e.Scripts != nil
	p.reference = reference
	buf := textBuffers.Get().(*[]byte)
	defer func() {
		// Nothing returned points into the text: results copies the
		// emails and builds the contexts anew.
		if cap(*buf) <= maxPooledText {
			textBuffers.Put(buf)
		}
	}()
	if need := len(body) + len(body)/8; cap(*buf) < need {
		*buf = make([]byte, 0, need)
	}
	p.buf = (*buf)[:0]
	p.read(body)
	if cap(p.buf) > cap(*buf) {
		*buf = p.buf[:0] // keep the grown one
	}
	p.finish()
	p.scanAttributes() // first: at equal offsets the earlier candidate wins
	p.scanText()
	if p.collect {
		p.runScripts(ctx, e.Scripts)
	}
	return p.results()
}

// textBuffers recycles the buffers the visible text of a page is collected
// in; pages over maxPooledText bytes of text get a buffer of their own.
var textBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledText = 4 << 20

// HTML is Extractor{}.HTML: the page's markup, no scripts run.
func HTML(body []byte, pageURL string) []Found {
	return Extractor{}.HTML(context.Background(), body, pageURL)
}

// Text returns the addresses in a plain-text page: visible text and its
// "[at]" spellings. Each address appears once, with its first context.
func Text(body []byte) []Found {
	p := newPage("")
	p.appendText(body, false)
	p.finish()
	p.scanText()
	return p.results()
}

// candidate is a Found with its position in document order. Its context is
// built only if it survives deduplication: most pages repeat an address.
type candidate struct {
	pos int // byte offset in page.text of the match or of its element
	Found
	context func() string
}

// results orders the candidates by position (stable, so that at one position
// the order of discovery decides), drops implausible ones and keeps the first
// of each address.
func (p *page) results() []Found {
	slices.SortStableFunc(p.found, func(a, b candidate) int { return cmp.Compare(a.pos, b.pos) })
	seen := make(map[string]struct{}, len(p.found))
	out := make([]Found, 0, len(p.found))
	for _, c := range p.found {
		if _, dup := seen[c.Email]; dup {
			continue
		}
		if !c.Source.plausible(c.Email, p.site) {
			continue
		}
		seen[c.Email] = struct{}{}
		c.Email = strings.Clone(c.Email) // not a view of the page's text
		c.Context = c.context()
		out = append(out, c.Found)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// add records an address found at pos.
func (p *page) add(pos int, email string, src Source, context func() string) {
	p.found = append(p.found, candidate{pos: pos, Found: Found{Email: email, Source: src}, context: context})
}

// plausible applies contact.PlausibleAt to what a reader sees on the page
// (text and links) and contact.Plausible to everything else: a form value or
// a meta tag saying john.doe@ is a template, whatever its domain.
func (s Source) plausible(email, site string) bool {
	switch s {
	case SourceText, SourceEntity, SourceObfuscated, SourceMailto, SourceReversed, SourceROT13, SourceScript:
	default:
		site = ""
	}
	ok, _ := contact.PlausibleAt(email, site)
	return ok
}
