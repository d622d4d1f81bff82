package scraper

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	htmltok "golang.org/x/net/html"
)

// maxLinksPerPage bounds the work one page with a huge link list can cause.
const maxLinksPerPage = 2000

// maxLinkText bounds the text kept for one link; its first words are what
// ranks it.
const maxLinkText = 200

// link is one outgoing link with the text a user would click on.
type link struct {
	url  *url.URL
	text string
}

// scriptNav finds the URL a script navigates to: location = '…',
// location.href = '…', location.assign('…'), location.replace('…') and
// window.open('…'), in onclick handlers and javascript: links.
var scriptNav = regexp.MustCompile(`location(?:\.href)?\s*=\s*["']([^"']+)["']|(?:location\.(?:assign|replace)|window\.open)\(\s*["']([^"']+)["']`)

// linkRels are the <link rel> values that name another page of the site a
// person can reach: translations, the next and previous page of a series,
// the canonical URL.
var linkRels = map[string]bool{"alternate": true, "next": true, "prev": true, "canonical": true, "author": true, "help": true}

// extractLinks returns the absolute http(s) links of an HTML page, resolved
// against its <base href> if there is one: every way a person can go from
// the page to another, not only <a href>. It reads <a> and <area> (also
// rel=nofollow: that asks search engines not to endorse a page, it does
// not forbid a visit), <iframe>/<frame src>, <link rel> alternate, next,
// prev, canonical, author and help (not feeds), <meta http-equiv=refresh>,
// the URL an onclick handler or javascript: link navigates to, data-href
// and data-url, the action of a GET <form> (without its fields),
// <option value> holding a path or URL (navigation drop-downs), the url,
// sameAs and @id members of JSON-LD, and the markup inside <noscript>.
// Which of them stay on the site is the crawl's to decide.
//
// It walks x/net/html's token stream, not a tree: several times faster,
// and it sees every tag the source has.
func extractLinks(pageURL *url.URL, body []byte) []link {
	e := linkExtractor{}
	e.scan(body, 0)
	base := pageURL
	if e.base != "" {
		if b, err := pageURL.Parse(e.base); err == nil {
			base = b
		}
	}
	links := make([]link, 0, len(e.raw))
	for _, r := range e.raw {
		u, err := base.Parse(r.href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		links = append(links, link{url: u, text: strings.Join(strings.Fields(r.text+" "+r.title), " ")})
	}
	return links
}

// rawLink is a link as written, resolved once the whole page (and so its
// <base>) is read.
type rawLink struct {
	href  string
	text  string // what the user clicks on
	title string // the title attribute, alt of an <area>
}

type linkExtractor struct {
	base string
	raw  []rawLink
	// open is the index in raw of the <a> or <option> whose text is being
	// read, or -1.
	open int
}

func (e *linkExtractor) full() bool { return len(e.raw) >= maxLinksPerPage }

// add records href (trimmed; fragments and empty values dropped) and
// returns its index, or -1.
func (e *linkExtractor) add(href, title string) int {
	href = strings.TrimSpace(href)
	if href == "" || href[0] == '#' || e.full() {
		return -1
	}
	if strings.HasPrefix(strings.ToLower(href), "javascript:") {
		href = navTarget(href)
		if href == "" {
			return -1
		}
	}
	e.raw = append(e.raw, rawLink{href: href, title: title})
	return len(e.raw) - 1
}

// addText appends to the text of the open link.
func (e *linkExtractor) addText(s string) {
	if e.open < 0 {
		return
	}
	if t := &e.raw[e.open].text; len(*t) < maxLinkText {
		*t += " " + s
	}
}

// scan reads one document; depth counts the <noscript> levels it is in.
func (e *linkExtractor) scan(body []byte, depth int) {
	e.open = -1
	z := htmltok.NewTokenizer(bytes.NewReader(body))
	inSelect := false
	var at attrs
	for !e.full() {
		tt := z.Next()
		switch tt {
		case htmltok.ErrorToken:
			return
		case htmltok.TextToken:
			if e.open >= 0 {
				e.addText(string(z.Text()))
			}
		case htmltok.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "a", "option":
				e.open = -1
			case "select":
				inSelect = false
			}
		case htmltok.StartTagToken, htmltok.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if hasAttr {
				at.read(z)
			} else {
				at = at[:0]
			}
			switch tag {
			case "script", "style", "textarea", "title":
				// Raw text, not words a user clicks on.
				if z.Next() == htmltok.TextToken && tag == "script" &&
					strings.EqualFold(strings.TrimSpace(at.get("type")), "application/ld+json") {
					e.jsonLD(z.Text())
				}
				continue
			case "noscript":
				if depth == 0 && z.Next() == htmltok.TextToken {
					open := e.open
					e.scan(bytes.Clone(z.Text()), depth+1)
					e.open = open
				}
				continue
			case "select":
				inSelect = tt == htmltok.StartTagToken
			}
			if hasAttr {
				e.element(tag, at, tt == htmltok.StartTagToken, inSelect)
			}
		}
	}
}

// attrs are a tag's attributes as the tokenizer gives them (names
// lowercased), valid until its next token; reused from tag to tag, so a
// page's many plain tags cost no allocation.
type attrs []attr

type attr struct{ key, val []byte }

// read replaces a with the current tag's attributes.
func (a *attrs) read(z *htmltok.Tokenizer) {
	*a = (*a)[:0]
	for {
		k, v, more := z.TagAttr()
		*a = append(*a, attr{k, v})
		if !more {
			return
		}
	}
}

// lookup returns the value of the first attribute named name, as a
// browser does with a repeated one.
func (a attrs) lookup(name string) (string, bool) {
	for _, at := range a {
		if string(at.key) == name {
			return string(at.val), true
		}
	}
	return "", false
}

// get is lookup without the flag.
func (a attrs) get(name string) string {
	v, _ := a.lookup(name)
	return v
}

// element records the links of one start tag with attributes.
func (e *linkExtractor) element(tag string, attrs attrs, start, inSelect bool) {
	switch tag {
	case "base":
		if href, ok := attrs.lookup("href"); ok && e.base == "" {
			e.base = strings.TrimSpace(href)
		}
	case "a":
		href, ok := attrs.lookup("href")
		if !ok {
			href, ok = attrs.lookup("data-href")
		}
		if ok {
			i := e.add(href, attrs.get("title"))
			if start {
				e.open = i
			}
		}
	case "area":
		if href, ok := attrs.lookup("href"); ok {
			e.add(href, attrs.get("alt")+" "+attrs.get("title"))
		}
	case "img":
		e.addText(attrs.get("alt"))
	case "iframe", "frame":
		e.add(attrs.get("src"), attrs.get("title"))
	case "link":
		if rel := strings.Fields(strings.ToLower(attrs.get("rel"))); len(rel) > 0 && linkRels[rel[0]] && !isFeedType(attrs.get("type")) {
			e.add(attrs.get("href"), attrs.get("title"))
		}
	case "meta":
		if strings.EqualFold(attrs.get("http-equiv"), "refresh") {
			e.add(refreshURL(attrs.get("content")), "")
		}
	case "form":
		if m := strings.ToLower(strings.TrimSpace(attrs.get("method"))); (m == "" || m == "get") && strings.TrimSpace(attrs.get("action")) != "" {
			e.add(attrs.get("action"), "")
		}
	case "option":
		if v := attrs.get("value"); inSelect && looksLikeURL(v) {
			i := e.add(v, "")
			if start {
				e.open = i
			}
		}
	}
	if tag != "a" {
		for _, k := range []string{"data-href", "data-url"} {
			if v, ok := attrs.lookup(k); ok && looksLikeURL(v) {
				e.add(v, attrs.get("title"))
			}
		}
	}
	if js, ok := attrs.lookup("onclick"); ok {
		if href := navTarget(js); href != "" {
			i := e.add(href, attrs.get("title"))
			if start && tag != "a" && i >= 0 {
				e.open = i
			}
		}
	}
}

// jsonLD records the url, sameAs and @id members of a JSON-LD block, at
// any depth.
func (e *linkExtractor) jsonLD(b []byte) {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return
	}
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			// In key order: the crawl's order must not depend on a map's.
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], k)
			}
		case []any:
			for _, c := range x {
				walk(c, key)
			}
		case string:
			if (key == "url" || key == "sameAs" || key == "@id") && looksLikeURL(x) {
				e.add(x, "")
			}
		}
	}
	walk(v, "")
}

// looksLikeURL reports whether an attribute or JSON value is a link rather
// than a word: an absolute http(s) URL or a path from the root.
func looksLikeURL(s string) bool {
	s = strings.TrimSpace(s)
	l := strings.ToLower(s)
	return strings.HasPrefix(s, "/") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// navTarget returns the URL a piece of script navigates to, or "".
func navTarget(js string) string {
	m := scriptNav.FindStringSubmatch(js)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// refreshURL returns the URL of a meta refresh's content ("5; url=/next"),
// or "".
func refreshURL(content string) string {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 4 || !strings.EqualFold(rest[:3], "url") {
		return ""
	}
	rest = strings.TrimLeft(rest[3:], " \t")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	return strings.Trim(strings.TrimSpace(rest[1:]), `"'`)
}

func isFeedType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "rss") || strings.Contains(t, "atom") || strings.Contains(t, "json") || strings.Contains(t, "xml")
}
