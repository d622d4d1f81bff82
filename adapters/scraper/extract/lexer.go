package extract

import (
	"bytes"

	"golang.org/x/net/html"
)

// lexer is the token stream of a page: the same tokens, raw bytes, text and
// attributes as golang.org/x/net/html's Tokenizer (without AllowCDATA), read
// straight from the body instead of through an io.Reader byte by byte, which
// is most of the tokenizer's cost. Text runs are found with IndexByte, tags
// are parsed in place, and nothing is copied unless the tokenizer would
// rewrite it (entities, carriage returns, NULs, uppercase attribute keys).
//
// The attributes of a tag holding "&", "\r" or NUL are handed to x/net
// itself (a long-lived tokenizer fed that one tag), so that the entity rules
// of attribute values are exactly x/net's. TestLexerMatchesXNet and
// FuzzLexer check on arbitrary input that the whole stream, and what the
// extractor makes of it, equals x/net's.
type lexer struct {
	src []byte
	pos int // where the next token starts
	err bool

	tt         html.TokenType
	start, end int // the current token's raw bytes

	// A text token's text is src[start:end], rewritten on demand.
	textRaw bool // no entity decoding (script, style and the like)
	convNUL bool // NUL becomes U+FFFD (raw text)

	// A start tag's attributes, deduplicated, and how many were returned.
	attrs    []attrSpan
	returned int
	keys     []byte // lowercased keys of the current tag
	seen     map[string]bool
	decoding bool // TagAttr forwards to dec for the current tag

	// rawTag is the raw-text element ("script", "title", …) whose text the
	// next token is, as in x/net.
	rawTag string

	text []byte // scratch for rewritten text

	// dec decodes the attributes of the tags that need entity decoding: a
	// long-lived x/net tokenizer fed one complete tag at a time.
	dec  *html.Tokenizer
	feed feeder

	// ref, when set, is the whole stream: the lexer only forwards (the
	// reference the differential tests compare against).
	ref *html.Tokenizer
}

// attrSpan is one attribute as offsets into the source.
type attrSpan struct{ k0, k1, v0, v1 int }

// maxLinearAttrs is how many attributes a tag may have before duplicates
// are found with a map rather than by comparing with every earlier key.
const maxLinearAttrs = 16

func newLexer(src []byte) *lexer { return &lexer{src: src} }

// newReferenceLexer is a lexer that forwards to x/net's tokenizer.
func newReferenceLexer(src []byte) *lexer {
	return &lexer{ref: html.NewTokenizer(bytes.NewReader(src))}
}

// rawTextElements are the elements whose content x/net reads as raw text.
var rawTextElements = []string{"iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"}

// Next reads the next token and returns its type, as Tokenizer.Next.
func (l *lexer) Next() html.TokenType {
	if l.ref != nil {
		return l.ref.Next()
	}
	l.attrs, l.returned, l.keys, l.decoding = l.attrs[:0], 0, l.keys[:0], false
	l.textRaw, l.convNUL = false, false
	if l.err {
		return l.fail()
	}
	l.start = l.pos
	if tag := l.rawTag; tag != "" {
		l.rawTag = ""
		end := l.rawTextEnd(tag)
		if end > l.start {
			l.textRaw = tag != "textarea" && tag != "title"
			l.convNUL = true
			return l.emit(html.TextToken, end)
		}
	}
	src := l.src
	for i := l.start; ; {
		k := bytes.IndexByte(src[i:], '<')
		if k < 0 || i+k+1 >= len(src) {
			// No tag opens before the end ("a<" is text too).
			if l.start == len(src) {
				return l.fail()
			}
			return l.emit(html.TextToken, len(src))
		}
		lt := i + k
		switch c := src[lt+1]; {
		case isLetter(c), c == '/', c == '!', c == '?':
			if lt > l.start {
				return l.emit(html.TextToken, lt)
			}
			return l.markup(lt)
		}
		i = lt + 1
	}
}

// emit makes src[l.start:end] the current token.
func (l *lexer) emit(tt html.TokenType, end int) html.TokenType {
	l.tt, l.end, l.pos = tt, end, end
	return tt
}

// fail ends the stream: at the end of the page, or inside a tag, which
// x/net drops.
func (l *lexer) fail() html.TokenType {
	l.err = true
	l.tt = html.ErrorToken
	return l.tt
}

// markup reads the tag, comment or declaration at src[lt] == '<'.
func (l *lexer) markup(lt int) html.TokenType {
	src := l.src
	switch c := src[lt+1]; {
	case isLetter(c):
		end, ok := l.tag(lt+1, true)
		if !ok {
			return l.fail()
		}
		tt := html.StartTagToken
		if src[end-2] == '/' && (len(l.attrs) == 0 || end-2 != l.attrs[len(l.attrs)-1].v1-1) {
			tt = html.SelfClosingTagToken
		}
		l.rawTag = rawTextName(src[lt+1 : l.nameEnd(lt+1)])
		return l.emit(tt, end)
	case c == '/':
		if lt+2 >= len(src) {
			return l.emit(html.TextToken, len(src)) // "</" at the end is text
		}
		switch c := src[lt+2]; {
		case c == '>':
			return l.emit(html.CommentToken, lt+3)
		case isLetter(c):
			end, ok := l.tag(lt+2, false)
			if !ok {
				return l.fail()
			}
			return l.emit(html.EndTagToken, end)
		}
		return l.emit(html.CommentToken, closeAngle(src, lt+2))
	case c == '?':
		return l.emit(html.CommentToken, closeAngle(src, lt+1))
	}
	// "<!": a comment, or a doctype or bogus comment up to the next ">".
	if !bytes.HasPrefix(src[lt+2:], []byte("--")) {
		tt := html.CommentToken
		if len(src) >= lt+9 && asciiEqualFold(src[lt+2:lt+9], "doctype") {
			tt = html.DoctypeToken
		}
		return l.emit(tt, closeAngle(src, lt+2))
	}
	return l.emit(html.CommentToken, commentEnd(src, lt+4))
}

// commentEnd returns where the comment whose text starts at src[i] ends:
// after the first ">" that follows "--" or "--!", or that only "-" or
// nothing precedes, or at the end of the page. This is x/net's rule (its
// count of dashes is the run of dashes just before each byte, even across
// "--!"), found by hopping from ">" to ">".
func commentEnd(src []byte, i int) int {
	rest := src[i:]
	for k := 0; ; k++ {
		j := bytes.IndexByte(rest[k:], '>')
		if j < 0 {
			return len(src)
		}
		k += j
		if k == 0 || k == 1 && rest[0] == '-' ||
			k >= 2 && rest[k-2] == '-' && rest[k-1] == '-' ||
			k >= 3 && rest[k-3] == '-' && rest[k-2] == '-' && rest[k-1] == '!' {
			return i + k + 1
		}
	}
}

// closeAngle returns the offset after the first ">" at or after i, or the
// end of src.
func closeAngle(src []byte, i int) int {
	if k := bytes.IndexByte(src[i:], '>'); k >= 0 {
		return i + k + 1
	}
	return len(src)
}

// nameEnd returns where the tag name starting at src[i] ends.
func (l *lexer) nameEnd(i int) int {
	for i++; i < len(l.src); i++ {
		switch l.src[i] {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return i
		}
	}
	return i
}

// rawTextName returns the element of rawTextElements that name spells
// (ASCII case-insensitively), or "".
func rawTextName(name []byte) string {
	if len(name) < 3 || len(name) > len("plaintext") {
		return ""
	}
	for _, t := range rawTextElements {
		if asciiEqualFold(name, t) {
			return t
		}
	}
	return ""
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

// skipSpace returns the first offset at or after i that is not white space.
func (l *lexer) skipSpace(i int) int {
	for i < len(l.src) && isTagSpace(l.src[i]) {
		i++
	}
	return i
}

// tag parses the tag whose name starts at src[i] and returns the offset
// after its ">", or false when the page ends first. With save, the
// attributes are kept (first of each key, ASCII case-insensitively, as
// x/net does).
func (l *lexer) tag(i int, save bool) (int, bool) {
	src, n := l.src, len(l.src)
	i = l.skipSpace(l.nameEnd(i))
	for {
		if i >= n {
			return 0, false
		}
		if src[i] == '>' {
			return i + 1, true
		}
		// The key: up to "=", white space, "/" or ">"; a leading "=" is
		// part of it.
		k0 := i
		if src[i] == '=' {
			i++
		}
		for i < n {
			c := src[i]
			if c == '=' || c == '/' || c == '>' || isTagSpace(c) {
				break
			}
			i++
		}
		k1 := i
		// The value; x/net leaves an absent one empty at the key's end.
		v0, v1 := k1, k1
		if i = l.skipSpace(i); i >= n {
			return 0, false
		}
		switch src[i] {
		case '/':
			i++
		case '=':
			if i = l.skipSpace(i + 1); i >= n {
				return 0, false
			}
			switch q := src[i]; q {
			case '>':
			case '"', '\'':
				k := bytes.IndexByte(src[i+1:], q)
				if k < 0 {
					return 0, false
				}
				v0, v1 = i+1, i+1+k
				i = v1 + 1
			default:
				v0 = i
				for i++; i < n && src[i] != '>' && !isTagSpace(src[i]); i++ {
				}
				if i >= n {
					return 0, false
				}
				v1 = i
				if src[i] != '>' {
					i++
				}
			}
		}
		if save && k1 > k0 && !l.dup(src[k0:k1]) {
			l.attrs = append(l.attrs, attrSpan{k0, k1, v0, v1})
		}
		i = l.skipSpace(i)
	}
}

// dup reports whether the current tag already has key, and remembers it
// when there are many keys.
func (l *lexer) dup(key []byte) bool {
	if len(l.attrs) < maxLinearAttrs {
		for _, a := range l.attrs {
			if asciiFoldEqual(l.src[a.k0:a.k1], key) {
				return true
			}
		}
		return false
	}
	if len(l.attrs) == maxLinearAttrs {
		if l.seen == nil {
			l.seen = map[string]bool{}
		}
		clear(l.seen)
		for _, a := range l.attrs {
			l.seen[string(asciiLower(l.src[a.k0:a.k1]))] = true
		}
	}
	k := string(asciiLower(key))
	if l.seen[k] {
		return true
	}
	l.seen[k] = true
	return false
}

func asciiFoldEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// asciiLower returns a lowercased copy of b.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// rawTextEnd returns where the raw text of tag starting at l.start ends:
// before its end tag, or at the end of the page. A script holding "<!--"
// follows the escaped-script rules (scriptEnd).
func (l *lexer) rawTextEnd(tag string) int {
	src := l.src
	if tag == "plaintext" {
		return len(src)
	}
	end := len(src)
	for i := l.start; ; {
		k := bytes.Index(src[i:], []byte("</"))
		if k < 0 {
			break
		}
		lt := i + k
		if endTagAt(src, lt, tag) {
			end = lt
			break
		}
		i = lt + 2
	}
	if tag == "script" && bytes.Contains(src[l.start:end], []byte("<!--")) {
		return scriptEnd(src, l.start)
	}
	return end
}

// endTagAt reports whether src[i:] is "</"+tag (any case) followed by white
// space, "/" or ">".
func endTagAt(src []byte, i int, tag string) bool {
	j := i + 2 + len(tag)
	return j < len(src) && src[i] == '<' && src[i+1] == '/' && asciiEqualFold(src[i+2:j], tag) && isTagDelim(src[j])
}

func isTagDelim(c byte) bool { return isTagSpace(c) || c == '/' || c == '>' }

// scriptEnd returns where the text of a script starting at src[i] ends
// when it holds "<!--": the escaped and double-escaped script states, in
// which "<script>" inside a comment hides the next "</script>", as x/net
// implements them (after "<!--…<" and a character that is neither "/" nor
// a letter, it returns to plain script text).
func scriptEnd(src []byte, i int) int {
	const (
		data = iota
		escaped
		escapedDash
		escapedDashDash
		double
		doubleDash
		doubleDashDash
	)
	state := data
	for i < len(src) {
		c := src[i]
		switch state {
		case data:
			k := bytes.IndexByte(src[i:], '<')
			if k < 0 {
				return len(src)
			}
			i += k
			switch {
			case endTagAt(src, i, "script"):
				return i
			case bytes.HasPrefix(src[i:], []byte("<!--")):
				i += 4
				state = escapedDashDash
			default:
				i++
			}
			continue
		case escaped, escapedDash, escapedDashDash:
			switch {
			case c == '-':
				state = min(state+1, escapedDashDash)
			case c == '>' && state == escapedDashDash:
				state = data
			case c == '<':
				if i+1 >= len(src) {
					return len(src)
				}
				switch n := src[i+1]; {
				case n == '/':
					if endTagAt(src, i, "script") {
						return i
					}
					i += 2
					state = escaped
					continue
				case isLetter(n):
					if j := i + 1 + len("script"); j < len(src) && asciiEqualFold(src[i+1:j], "script") && isTagDelim(src[j]) {
						i = j + 1
						state = double
						continue
					}
					state = escaped
				default:
					state = data
				}
			default:
				state = escaped
			}
		case double, doubleDash, doubleDashDash:
			switch {
			case c == '-':
				state = min(state+1, doubleDashDash)
			case c == '>' && state == doubleDashDash:
				state = data
			case c == '<':
				state = double
				if i+1 < len(src) && src[i+1] == '/' {
					if endTagAt(src, i, "script") {
						i += len("</script>")
						state = escaped
					} else {
						i += 2
					}
					continue
				}
			default:
				state = double
			}
		}
		i++
	}
	return len(src)
}

// Raw returns the current token's bytes, as Tokenizer.Raw.
func (l *lexer) Raw() []byte {
	if l.ref != nil {
		return l.ref.Raw()
	}
	return l.src[l.start:l.end]
}

// Text returns a text token's text, as Tokenizer.Text: carriage returns
// normalized, NULs replaced in raw text, entities decoded outside it.
func (l *lexer) Text() []byte {
	if l.ref != nil {
		return l.ref.Text()
	}
	if l.tt != html.TextToken {
		return nil
	}
	s := l.src[l.start:l.end]
	cr := bytes.IndexByte(s, '\r') >= 0
	nul := l.convNUL && bytes.IndexByte(s, 0) >= 0
	amp := !l.textRaw && bytes.IndexByte(s, '&') >= 0
	if !cr && !nul && !amp {
		return s
	}
	b := append(l.text[:0], s...)
	if cr {
		b = normalizeNewlines(b)
	}
	if nul {
		b = bytes.ReplaceAll(b, []byte{0}, []byte("\ufffd"))
	}
	if amp {
		b = append(b[:0], html.UnescapeString(string(b))...)
	}
	l.text = b
	return b
}

// normalizeNewlines rewrites "\r\n" and lone "\r" in b as "\n", in place.
func normalizeNewlines(b []byte) []byte {
	w := 0
	for r := 0; r < len(b); r++ {
		c := b[r]
		if c == '\r' {
			c = '\n'
			if r+1 < len(b) && b[r+1] == '\n' {
				r++
			}
		}
		b[w] = c
		w++
	}
	return b[:w]
}

// TagAttr returns the next attribute of a start tag, as Tokenizer.TagAttr:
// lowercase key, decoded value. The slices stay valid until Next.
func (l *lexer) TagAttr() (key, val []byte, more bool) {
	if l.ref != nil {
		return l.ref.TagAttr()
	}
	if l.tt != html.StartTagToken && l.tt != html.SelfClosingTagToken || l.returned >= len(l.attrs) {
		return nil, nil, false
	}
	if l.decoding || l.returned == 0 && needsDecoding(l.src[l.start:l.end]) {
		return l.decodeAttr()
	}
	a := l.attrs[l.returned]
	l.returned++
	key = l.src[a.k0:a.k1]
	if hasUpper(unsafeString(key)) {
		k := len(l.keys)
		for _, c := range key {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			l.keys = append(l.keys, c)
		}
		key = l.keys[k:len(l.keys):len(l.keys)]
	}
	return key, l.src[a.v0:a.v1], l.returned < len(l.attrs)
}

// needsDecoding reports whether a tag's attributes need more than slicing:
// entities, carriage returns or NULs.
func needsDecoding(raw []byte) bool {
	return bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 || bytes.IndexByte(raw, 0) >= 0
}

// decodeAttr returns the current tag's attributes as x/net decodes them,
// feeding the tag to l.dec on the first call.
func (l *lexer) decodeAttr() (key, val []byte, more bool) {
	if !l.decoding {
		if l.dec == nil {
			l.dec = html.NewTokenizer(&l.feed)
		}
		l.feed.b = l.src[l.start:l.end]
		l.dec.Next()
		l.dec.NextIsNotRawText()
		l.decoding = true
	}
	key, val, more = l.dec.TagAttr()
	l.returned++
	return key, val, more
}

// feeder hands a tokenizer one complete tag at a time. It never reports the
// end of its input: a tokenizer keeps an error once it has seen one, and
// it never reads past the ">" of the tag it was given.
type feeder struct{ b []byte }

func (f *feeder) Read(p []byte) (int, error) {
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}
