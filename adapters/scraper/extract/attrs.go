package extract

import (
	"encoding/hex"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The selectors, compiled once. cascadia.MustCompile panics at start-up on a
// typo instead of matching nothing, and TestSelectors checks what each one
// matches. Attribute values are checked again in Go: the selectors only pick
// the elements worth a look.
var (
	// selMailto finds links whose href mentions mailto: in any case; mailto
	// checks that the trimmed href starts with it.
	selMailto = cascadia.MustCompile(`[href*="mailto:" i]`)
	// selCFLink finds Cloudflare's email-protection links.
	selCFLink = cascadia.MustCompile(`[href*="/cdn-cgi/l/email-protection"]`)
	// selCFEmail finds any element that carries an encoded address.
	selCFEmail = cascadia.MustCompile(`[data-cfemail]`)
	// selJSONLD finds JSON-LD scripts, also with a charset parameter.
	selJSONLD = cascadia.MustCompile(`script[type*="ld+json" i]`)
	// selInput finds input values; placeholder attributes are hints, never
	// read.
	selInput = cascadia.MustCompile(`input[value]`)
	// selMeta finds meta elements with content.
	selMeta = cascadia.MustCompile(`meta[content]`)
)

// element is an element that matched at least one selector, with its range
// in the page text. The walk queues them in document order.
type element struct {
	n          *html.Node
	start, end int
}

// reader is what to do with an element that matches a selector.
type reader struct {
	sel  cascadia.Selector
	read func(p *page, e element)
}

// readers lists the selectors in the order their results are recorded; at
// one element, an earlier reader's address wins.
var readers = []reader{
	{selMailto, (*page).mailto},
	{selCFLink, (*page).cfLink},
	{selCFEmail, (*page).cfEmail},
	{selJSONLD, (*page).jsonLD},
	{selInput, func(p *page, e element) {
		p.attribute(e, "value", SourceInput, "name", "id", "type")
	}},
	{selMeta, func(p *page, e element) {
		p.attribute(e, "content", SourceMeta, "name", "property", "itemprop", "http-equiv")
	}},
}

// matches reports whether any reader wants n. Elements without attributes
// are skipped without running the selectors.
func matches(n *html.Node) bool {
	if len(n.Attr) == 0 {
		return false
	}
	for _, r := range readers {
		if r.sel.Match(n) {
			return true
		}
	}
	return false
}

// scanAttributes records the addresses held in attributes and JSON-LD, each
// at the text offset of its element.
func (p *page) scanAttributes() {
	for _, e := range p.elements {
		for _, r := range readers {
			if r.sel.Match(e.n) {
				r.read(p, e)
			}
		}
	}
}

// mailto reads the recipients of a mailto: link: the query is dropped, the
// rest percent-decoded and split at commas.
func (p *page) mailto(e element) {
	href := unescapeAgain(strings.TrimSpace(attr(e.n, "href")))
	if len(href) < len("mailto:") || !strings.EqualFold(href[:len("mailto:")], "mailto:") {
		return
	}
	to := href[len("mailto:"):]
	if i := strings.IndexAny(to, "?#"); i >= 0 {
		to = to[:i]
	}
	to = percentDecode(to)
	for _, r := range strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == ';' }) {
		p.addAll(e, r, SourceMailto, nil)
	}
}

// cfLink decodes the fragment of /cdn-cgi/l/email-protection#<hex>, resolved
// against the page's URL.
func (p *page) cfLink(e element) {
	href := strings.TrimSpace(attr(e.n, "href"))
	u, err := url.Parse(href)
	if err != nil {
		return
	}
	u = p.base.ResolveReference(u)
	if !strings.HasSuffix(u.Path, "/cdn-cgi/l/email-protection") {
		return
	}
	if s, ok := decodeCF(u.Fragment); ok {
		p.addAll(e, s, SourceCFEmail, nil)
	}
}

// cfEmail decodes a data-cfemail attribute.
func (p *page) cfEmail(e element) {
	if s, ok := decodeCF(attr(e.n, "data-cfemail")); ok {
		p.addAll(e, s, SourceCFEmail, nil)
	}
}

// decodeCF undoes Cloudflare's email obfuscation: hex bytes whose first byte
// is an XOR key for the rest.
func decodeCF(h string) (string, bool) {
	b, err := hex.DecodeString(strings.TrimSpace(h))
	if err != nil || len(b) < 2 {
		return "", false
	}
	key := b[0]
	out := b[1:]
	for i := range out {
		out[i] ^= key
	}
	return string(out), true
}

// jsonLD reads every "email" field, at any depth, of a JSON-LD script. A
// script that is not valid JSON (trailing commas, comments) is searched for
// "email": "…" pairs instead.
func (p *page) jsonLD(el element) {
	var raw strings.Builder
	for c := el.n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			raw.WriteString(c.Data)
		}
	}
	src := raw.String()
	var v any
	var emails []string
	if err := json.Unmarshal([]byte(src), &v); err == nil {
		emails = jsonEmails(v, emails)
	} else {
		for _, m := range jsonEmailRE.FindAllStringSubmatch(src, -1) {
			emails = append(emails, m[1])
		}
	}
	for _, e := range emails {
		e = unescapeAgain(strings.TrimSpace(e))
		if len(e) >= len("mailto:") && strings.EqualFold(e[:len("mailto:")], "mailto:") {
			e = percentDecode(e[len("mailto:"):])
		}
		p.addAll(el, e, SourceJSONLD, func() string {
			if i := strings.Index(src, e); i >= 0 {
				return contextAround(src, i, i+len(e))
			}
			return contextAround(e, 0, len(e))
		})
	}
}

// jsonEmailRE finds "email": "…" pairs in a script that is not valid JSON.
var jsonEmailRE = regexp.MustCompile(`(?i)"email"\s*:\s*"([^"]{1,400})"`)

// jsonEmails appends the strings under every "email" key of v.
func jsonEmails(v any, out []string) []string {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if strings.EqualFold(k, "email") {
				out = jsonStrings(x, out)
				continue
			}
			out = jsonEmails(x, out)
		}
	case []any:
		for _, x := range t {
			out = jsonEmails(x, out)
		}
	}
	return out
}

// jsonStrings appends v if it is a string, or its strings if it is a list.
func jsonStrings(v any, out []string) []string {
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// attribute reads the addresses in attribute key of n. The context names
// the element by the first of labels it has, as in "author: jane@acme.com".
func (p *page) attribute(e element, key string, src Source, labels ...string) {
	v := unescapeAgain(attr(e.n, key))
	p.addAll(e, v, src, func() string {
		for _, l := range labels {
			if name := attr(e.n, l); name != "" {
				return contextAround(name+": "+v, 0, 0)
			}
		}
		return contextAround(v, 0, 0)
	})
}

// addAll records every address in s for element e. Without a context
// function of its own, an address gets the visible text around e, or s
// itself when e has none.
func (p *page) addAll(e element, s string, src Source, context func() string) {
	scan(s, nil, p.site, func(h hit) {
		ctx := context
		if ctx == nil {
			ctx = func() string {
				if c := contextAround(p.text, e.start, e.end); c != "" {
					return c
				}
				return contextAround(s, h.start, h.end)
			}
		}
		p.add(e.start, h.email, src, ctx)
	})
}

// attr returns n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// unescapeAgain decodes entities the parser left because the page encoded
// them twice (href="mailto:&amp;#105;nfo@…").
func unescapeAgain(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return html.UnescapeString(s)
}

// percentDecode decodes %XX escapes, leaving malformed ones as they are
// (url.PathUnescape would reject the whole string).
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+3 <= len(s) && isHex(s[i+1:i+3]) {
			d, _ := hex.DecodeString(s[i+1 : i+3])
			b.WriteByte(d[0])
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
