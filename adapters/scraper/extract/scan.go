package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Scanning limits. An address has at most 64 octets before the "@" and 253
// after it; the scanner looks no further, which keeps it linear on hostile
// input such as a megabyte of "a@a@a@".
const (
	maxLocal  = 64
	maxDomain = 253
	// maxCuts bounds the cut points chooseEnd tries. Real glue needs one;
	// a hostile "a@b.aAaA…" would otherwise cost a Plausible call per letter.
	maxCuts = 8
)

// hit is one address found by scan: s[start:end] in canonical form, or its
// ROT13 decoding.
type hit struct {
	start, end int
	email      string
	rot13      bool
}

// source is src, or SourceROT13 for a decoded hit.
func (h hit) source(src Source) Source {
	if h.rot13 {
		return SourceROT13
	}
	return src
}

// scan calls fn for every plausible address in s, left to right. bounds are
// sorted offsets in s where inline elements open or close (nil for plain
// strings); see chooseEnd. site is the page's host for contact.PlausibleAt.
//
// Local parts and domains may hold Unicode letters, marks and digits
// (RFC 6531, IDN), except letters of scripts written without spaces (Han,
// Kana, Thai, …): there the text before an address is glued to it
// ("邮箱info@acme.cn") and ends the local part. Anything else the scanner
// cannot take into a local part, when glued to it by a letter, voids the
// candidate: "m\xfcller@" or "d’angelo@" yield nothing rather than a
// stranger's ASCII tail.
func scan(s string, bounds []int, site string, fn func(hit)) {
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '@')
		if k < 0 {
			return
		}
		at := i + k
		i = at + 1

		start, ok := localStart(s, at)
		if !ok {
			continue
		}
		if inURLAuthority(s, start) {
			continue
		}
		start = skipEscape(s, start, at)
		for start < at && strings.IndexByte("._+-", s[start]) >= 0 {
			start++
		}
		if start == at || at-start > maxLocal {
			continue
		}

		end := domainEnd(s, at)
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		chosen := chooseEnd(s, start, at, end, bounds, site)
		if chosen < 0 {
			if d, ok := rot13Address(s[start:end], site); ok {
				fn(hit{start: start, end: end, email: d, rot13: true})
				i = end
			}
			continue
		}
		end = chosen
		fn(hit{start: start, end: end, email: canonical(s[start:end])})
		i = end
	}
}

// localStart walks back from the "@" at s[at] over the local part and
// returns where it starts, or false when the candidate must be dropped
// whole: an undecodable byte, or a quote glued between letters.
func localStart(s string, at int) (int, bool) {
	start := at
	for start > 0 && at-start <= maxLocal {
		c := s[start-1]
		if c < utf8.RuneSelf {
			if isLocalChar(c) {
				start--
				continue
			}
			// An apostrophe between letters belongs to the name: o'brien@.
			if c == '\'' && start < at && isAlnum(s[start]) && letterBefore(s, start-1) {
				start--
				continue
			}
			break
		}
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if r == utf8.RuneError {
			return 0, false
		}
		if !unicodeNameRune(r) {
			break
		}
		start -= size
	}
	if start == 0 {
		return start, true
	}
	// What stopped the walk must not be a quote inside a word.
	r, size := utf8.DecodeLastRuneInString(s[:start])
	if strings.ContainsRune("'\"`’‘ʼ´", r) && letterBefore(s, start-size) {
		return 0, false
	}
	return start, true
}

// domainEnd walks forward from the "@" at s[at] over host-name characters.
func domainEnd(s string, at int) int {
	end := at + 1
	for end < len(s) && end-at <= maxDomain {
		c := s[end]
		if c < utf8.RuneSelf {
			if !isDomainChar(c) {
				break
			}
			end++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[end:])
		if r == utf8.RuneError || !unicodeNameRune(r) {
			break
		}
		end += size
	}
	return end
}

// inURLAuthority reports whether the local part starting at s[start] is
// the user name or password of a URL ("https://user:secret@host/",
// "ftp://anonymous@ftp.host"): credentials, not a mailbox.
func inURLAuthority(s string, start int) bool {
	i := start
	if i > 0 && s[i-1] == ':' { // a password: the user name is before it
		i--
		for i > 0 && start-i <= maxLocal && isLocalChar(s[i-1]) {
			i--
		}
	}
	return i >= 2 && s[i-1] == '/' && s[i-2] == '/'
}

// letterBefore reports whether the rune ending at s[:i] is a letter.
func letterBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r)
}

// unicodeNameRune reports whether a non-ASCII rune may be part of a local
// part or host name as the scanner reads them.
func unicodeNameRune(r rune) bool {
	if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)) {
		return false
	}
	if unicode.Is(unicode.Variation_Selector, r) {
		return false // the emoji presentation of a symbol glued to an address: "✉️info@"
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// skipEscape moves start past an escape that the local-part characters
// swallowed: "\u003einfo@", "\x3cinfo@", "\ninfo@" in script-like text and
// "%20info@" in URLs.
func skipEscape(s string, start, at int) int {
	if start == 0 {
		return start
	}
	switch s[start-1] {
	case '\\':
		switch {
		case s[start] == 'u' && start+5 <= at && isHex(s[start+1:start+5]):
			return start + 5
		case s[start] == 'x' && start+3 <= at && isHex(s[start+1:start+3]):
			return start + 3
		case strings.IndexByte("nrtfv", s[start]) >= 0:
			return start + 1
		}
	case '%':
		if start+2 <= at && isHex(s[start:start+2]) {
			return start + 2
		}
	}
	return start
}

// chooseEnd decides where the domain of the candidate s[start:end] ends, or
// returns -1 if no prefix of it is plausible. Text glued on from a
// neighbouring inline element or sentence ("info@acme.comPhone",
// "info@acme.com.Contact us") makes the raw match too long, so when it is
// implausible, or when its last label alone is capitalized after a lowercase
// domain, the domain is cut back at an inline-element bound, a lowercase to
// uppercase change or a letter followed by a digit or hyphen, longest first.
// It never cuts at a dot: "admin@db.prod.lan" must not become db.prod.
func chooseEnd(s string, start, at, end int, bounds []int, site string) int {
	dom := s[at+1 : end]
	firstDot := strings.IndexByte(dom, '.')
	if firstDot <= 0 {
		return -1
	}
	if last := strings.LastIndexByte(dom, '.'); last > firstDot && last+1 < len(dom) && isUpper(dom[last+1]) && !hasUpper(dom[:last]) {
		if plausibleAt(s[start:at+1+last], site) {
			return at + 1 + last
		}
	}
	if plausibleAt(s[start:end], site) {
		return end
	}
	minEnd := at + 1 + firstDot + 2 // a dot and a two-letter TLD at least
	tries := 0
	for k := end - 1; k >= minEnd && tries < maxCuts; k-- {
		prev, cur := s[k-1], s[k]
		if isLetter(prev) && (isDigit(cur) || cur == '-' || isLower(prev) && isUpper(cur) || isBound(bounds, k)) {
			if plausibleAt(s[start:k], site) {
				return k
			}
			tries++
		}
	}
	return -1
}

func plausibleAt(email, site string) bool {
	ok, _ := contact.PlausibleAt(email, site)
	return ok
}

func isBound(bounds []int, k int) bool {
	i := sort.SearchInts(bounds, k)
	return i < len(bounds) && bounds[i] == k
}

// contextAround returns the text around s[start:end], whitespace collapsed,
// at most MaxContext runes, the match in the middle when there is room.
func contextAround(s string, start, end int) string {
	mid := collapse(s[start:end])
	nm := utf8.RuneCountInString(mid)
	if nm >= MaxContext {
		return strings.TrimSpace(firstRunes(mid, MaxContext))
	}
	budget := MaxContext - nm
	left, nl := textBefore(s, start, budget)
	right, nr := textAfter(s, end, budget)
	hl := min(nl, budget/2)
	hr := min(nr, budget-hl)
	hl = min(nl, budget-hr)
	// Joining can put two spaces together; collapsing again only shortens.
	return strings.TrimSpace(collapse(lastRunes(left, hl) + mid + firstRunes(right, hr)))
}

// textBefore returns the text before end, collapsed, with at least n runes
// when there are so many, and its rune count. It reads at most a few times
// n bytes, so a page of blanks cannot make it slow.
func textBefore(s string, end, n int) (string, int) {
	i, count, space := end, 0, false
	for i > 0 && count < n && end-i < 8*n {
		c := s[i-1]
		size, isSp := 1, false
		if c < utf8.RuneSelf {
			isSp = asciiSpace[c]
		} else {
			var r rune
			r, size = utf8.DecodeLastRuneInString(s[:i])
			isSp = unicode.IsSpace(r)
		}
		i -= size
		if isSp {
			if !space {
				count++
			}
			space = true
			continue
		}
		space = false
		count++
	}
	t := collapse(s[i:end])
	return t, utf8.RuneCountInString(t)
}

// textAfter is textBefore forwards from start.
func textAfter(s string, start, n int) (string, int) {
	i, count, space := start, 0, false
	for i < len(s) && count < n && i-start < 8*n {
		c := s[i]
		size, isSp := 1, false
		if c < utf8.RuneSelf {
			isSp = asciiSpace[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			isSp = unicode.IsSpace(r)
		}
		i += size
		if isSp {
			if !space {
				count++
			}
			space = true
			continue
		}
		space = false
		count++
	}
	t := collapse(s[start:i])
	return t, utf8.RuneCountInString(t)
}

// firstRunes returns the first n runes of s.
func firstRunes(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// lastRunes returns the last n runes of s.
func lastRunes(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// asciiSpace holds the ASCII bytes unicode.IsSpace accepts.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// collapse replaces every run of white space with one space and invalid
// UTF-8 with U+FFFD. It keeps a leading or trailing space so that pieces can
// be joined.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				if !space {
					b.WriteByte(' ')
				}
				space = true
				continue
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func isLocalChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-' }

func isDomainChar(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return isLower(c) || isUpper(c) }

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			return true
		}
	}
	return false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
