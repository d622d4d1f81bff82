package extract

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// attr is one attribute of the current tag as the lexer returns it:
// lowercase key, value with its entities decoded. Both point into the
// page or the lexer's buffers and are only valid until the next token.
type attr struct{ key, val []byte }

// kind is a set of readers that want an element.
type kind uint16

// The readers, in the order their results are recorded: at one element an
// earlier reader's address wins.
const (
	kindMailto     kind = 1 << iota // href="mailto:…"
	kindCFLink                      // href="…/cdn-cgi/l/email-protection#…"
	kindCFEmail                     // data-cfemail="…"
	kindJSONLD                      // <script type="application/ld+json">
	kindInput                       // <input value="…@…">
	kindMeta                        // <meta content="…@…">
	kindEmailData                   // data-email, data-mail, data-contact
	kindUserDomain                  // data-user + data-domain
	kindLabel                       // title, aria-label, value, content holding "@"
)

// emailDataKeys are attributes whose whole value is meant to be an address,
// however it is spelled.
var emailDataKeys = []string{"data-email", "data-mail", "data-contact"}

// labelKeys are attributes that show or announce text; they count when they
// hold an "@".
var labelKeys = []string{"title", "aria-label", "value", "content"}

// element is an element that at least one reader wants, with its range in
// the page text and its attributes copied out of the lexer.
type element struct {
	tag        string
	kinds      kind
	attrs      []html.Attribute
	start, end int
	text       string // a JSON-LD script's source
}

func newElement(tag string, attrs []attr, k kind, pos int) element {
	e := element{tag: tag, kinds: k, start: pos, end: pos, attrs: make([]html.Attribute, len(attrs))}
	for i, a := range attrs {
		e.attrs[i] = html.Attribute{Key: string(a.key), Val: string(a.val)}
	}
	return e
}

// get returns e's attribute key, or "".
func (e element) get(key string) string {
	for _, a := range e.attrs {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

var (
	mailtoPrefix = []byte("mailto:")
	jsPrefix     = []byte("javascript:")
	cfPath       = []byte("/cdn-cgi/l/email-protection")
	ldJSON       = []byte("ld+json")
)

// inspect says which readers want the tag, and hands its script attributes
// (javascript: links, on* handlers) to the script collector. It looks at
// bytes only: the common tag, wanted by no reader, costs no allocation.
func (p *page) inspect(tag string, attrs []attr) kind {
	var k kind
	user, domain := false, false
	for _, a := range attrs {
		key, val := a.key, a.val
		switch {
		case string(key) == "href":
			v := bytes.TrimSpace(val)
			switch {
			case hasPrefixFold(v, mailtoPrefix):
				k |= kindMailto
			case bytes.Contains(v, cfPath):
				k |= kindCFLink
			case hasPrefixFold(v, jsPrefix):
				p.addScript(percentDecode(string(v[len(jsPrefix):])))
			}
		case string(key) == "data-cfemail":
			k |= kindCFEmail
		case string(key) == "type" && tag == "script":
			if bytes.Contains(bytes.ToLower(val), ldJSON) {
				k |= kindJSONLD
			}
		case string(key) == "data-user":
			user = len(val) > 0
		case string(key) == "data-domain":
			domain = len(val) > 0
		case len(key) > 2 && key[0] == 'o' && key[1] == 'n':
			p.addScript(string(val))
		case bytes.IndexByte(val, '@') >= 0 || bytes.IndexByte(val, '&') >= 0 || len(val) > 0 && isEmailDataKey(key):
			switch {
			case isEmailDataKey(key):
				k |= kindEmailData
			case string(key) == "value" && tag == "input":
				k |= kindInput
			case string(key) == "content" && tag == "meta":
				k |= kindMeta
			case isLabelKey(key):
				k |= kindLabel
			}
		}
	}
	if user && domain {
		k |= kindUserDomain
	}
	return k
}

func isEmailDataKey(key []byte) bool {
	for _, k := range emailDataKeys {
		if string(key) == k {
			return true
		}
	}
	return false
}

func isLabelKey(key []byte) bool {
	for _, k := range labelKeys {
		if string(key) == k {
			return true
		}
	}
	return false
}

func hasPrefixFold(b, prefix []byte) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], prefix)
}

// scanAttributes records the addresses held in attributes and JSON-LD, each
// at the text offset of its element.
func (p *page) scanAttributes() {
	for _, e := range p.elements {
		if e.kinds&kindMailto != 0 {
			p.mailto(e)
		}
		if e.kinds&kindCFLink != 0 {
			p.cfLink(e)
		}
		if e.kinds&kindCFEmail != 0 {
			p.cfEmail(e)
		}
		if e.kinds&kindJSONLD != 0 {
			p.jsonLD(e)
		}
		if e.kinds&kindInput != 0 {
			p.attribute(e, "value", SourceInput, "name", "id", "type")
		}
		if e.kinds&kindMeta != 0 {
			p.attribute(e, "content", SourceMeta, "name", "property", "itemprop", "http-equiv")
		}
		if e.kinds&kindEmailData != 0 {
			for _, key := range emailDataKeys {
				if v := e.get(key); v != "" {
					p.addAll(e, despell(unescapeAgain(v)), SourceAttribute, nil)
				}
			}
		}
		if e.kinds&kindUserDomain != 0 {
			user := strings.TrimSpace(unescapeAgain(e.get("data-user")))
			domain := strings.TrimSpace(unescapeAgain(e.get("data-domain")))
			if !strings.ContainsAny(user, "@ \t\n") {
				p.addAll(e, user+"@"+domain, SourceAttribute, nil)
			}
		}
		if e.kinds&kindLabel != 0 {
			for _, key := range labelKeys {
				if key == "value" && e.tag == "input" || key == "content" && e.tag == "meta" {
					continue
				}
				if v := e.get(key); strings.IndexByte(v, '@') >= 0 {
					p.attribute(e, key, SourceAttribute, "name", "id")
				}
			}
		}
	}
}

// mailto reads the recipients of a mailto: link, in its path and in its
// to=, cc= and bcc= fields: each percent-decoded, its invisible characters
// dropped, its "[at]" and " at " spellings undone, and split at commas.
func (p *page) mailto(e element) {
	href := unescapeAgain(strings.TrimSpace(e.get("href")))
	if len(href) < len("mailto:") || !strings.EqualFold(href[:len("mailto:")], "mailto:") {
		return
	}
	to, query, _ := strings.Cut(href[len("mailto:"):], "?")
	to, _, _ = strings.Cut(to, "#")
	query, _, _ = strings.Cut(query, "#")
	lists := []string{to}
	// RFC 6068: to=, cc= and bcc= name recipients too; subject= and body=
	// are text, whatever addresses they mention.
	for _, field := range strings.Split(query, "&") {
		name, val, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(percentDecode(name)) {
		case "to", "cc", "bcc":
			lists = append(lists, val)
		}
	}
	for _, list := range lists {
		list = despell(unhideString(percentDecode(list)))
		for _, r := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' }) {
			p.addAll(e, r, SourceMailto, nil)
		}
	}
}

// cfLink decodes the fragment of /cdn-cgi/l/email-protection#<hex>, resolved
// against the page's URL.
func (p *page) cfLink(e element) {
	href := strings.TrimSpace(e.get("href"))
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
	if s, ok := decodeCF(e.get("data-cfemail")); ok {
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
	src := el.text
	var v any
	var emails []string
	if err := json.Unmarshal([]byte(src), &v); err == nil {
		emails = jsonEmails(v, emails)
		// A map has no order: put them back in the order the script spells
		// them (those spelled with escapes last, by key order).
		at := func(e string) int {
			if i := strings.Index(src, e); i >= 0 {
				return i
			}
			return len(src)
		}
		slices.SortStableFunc(emails, func(a, b string) int { return cmp.Compare(at(a), at(b)) })
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
		for _, k := range slices.Sorted(maps.Keys(t)) {
			x := t[k]
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

// attribute reads the addresses in attribute key of e. The context names
// the element by the first of labels it has, as in "author: jane@acme.com".
func (p *page) attribute(e element, key string, src Source, labels ...string) {
	v := unescapeAgain(e.get(key))
	p.addAll(e, v, src, func() string {
		for _, l := range labels {
			if name := e.get(l); name != "" {
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
	s = unhideString(s)
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
		p.add(e.start, h.email, h.source(src), ctx)
	})
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
