package extract

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scrapersky/scrapersky-go/core/contact"
)

// This file undoes the disguises that are not encodings: addresses spelled
// with words ("jane at acme dot com"), text a style sheet shows reversed,
// and ROT13.

// spelledRE matches an address whose "@" and dots are words or spaced
// symbols: "jane at acme dot com", "JANE AT ACME DOT CO DOT UK",
// "jane @ acme . com". Group 1 is the local part; the separators are found
// again by spelledSepRE.
//
// The "at" may also be "-at-"/"_at_" between spaces, or an "@" with space
// on one side only, and the domain may be written with its dots ("jane at
// acme.com", "jane @acme.com"): those weaker forms need their contact cue in
// the same sentence (see unspell).
var spelledRE = regexp.MustCompile(`([\p{L}\p{N}][\p{L}\p{N}._+'-]*)(?:\s+(?:at|AT|@)\s+|\s+[-_](?:at|AT)[-_]\s+|\s+@|@\s+)[\p{L}\p{N}][\p{L}\p{N}-]*(?:(?:\s+(?:dot|DOT|\.)\s+|\s+[-_](?:dot|DOT)[-_]\s+|\.)[\p{L}\p{N}][\p{L}\p{N}-]*)+`)

// spelledSepRE matches one spelled separator inside a spelledRE match.
var spelledSepRE = regexp.MustCompile(`\s+(?:at|AT|dot|DOT|\.)\s+|\s+[-_](?:at|AT|dot|DOT)[-_]\s+|\s*@\s*`)

// strongSepRE matches the separators of the strong forms: a spaced "dot"
// or " . " in the domain.
var strongSepRE = regexp.MustCompile(`\s+(?:dot|DOT|\.)\s+`)

// sentenceEndRE finds the end of a sentence or line.
var sentenceEndRE = regexp.MustCompile(`[.!?]\s|\n`)

// determiners before a word make it a noun of a sentence ("email the team
// at acme.com"), not a mailbox.
var determiners = map[string]bool{
	"the": true, "a": true, "an": true, "our": true, "your": true, "my": true,
	"their": true, "his": true, "her": true, "its": true, "this": true, "that": true,
}

// contactCueRE finds words that announce an address. Spelled-out forms are
// only read after one of them: "meet us at the park dot com" is prose.
var contactCueRE = regexp.MustCompile(`(?i)(?:e-?mail|mail|contact|write to|kontakt|courriel|correo|enquir|inquir)`)

// cueWindow is how many bytes before a spelled-out address may hold its cue.
const cueWindow = 80

// proseLocals are words that stand before "at" in sentences far more often
// than they name a mailbox ("look at", "meet us at", "see you at").
var proseLocals = map[string]bool{
	"look": true, "looking": true, "meet": true, "us": true, "me": true, "you": true,
	"him": true, "her": true, "them": true, "it": true, "this": true, "that": true,
	"here": true, "there": true, "home": true, "work": true, "see": true, "stay": true,
	"arrive": true, "arrived": true, "arrives": true, "stop": true, "be": true, "is": true,
	"are": true, "was": true, "were": true, "held": true, "located": true, "based": true,
	"available": true, "open": true, "closed": true, "once": true, "least": true,
	"best": true, "most": true, "all": true, "online": true, "buy": true,
	"sold": true, "find": true, "found": true, "visit": true, "call": true,
	"lives": true, "live": true, "hosted": true, "posted": true, "listed": true, "priced": true,
	"works": true, "smiled": true, "laughed": true, "code": true,
	"join": true, "started": true, "start": true, "ends": true, "end": true, "and": true,
	"or": true, "but": true, "we": true, "i": true, "they": true, "directly": true,
}

// maybeSpelled is a cheap test that saves running spelledRE over ordinary
// text: a spelled address needs an "at" and a "dot" (or spaced symbols).
func maybeSpelled(b []byte) bool {
	hasDot := bytes.Contains(b, []byte(" dot ")) || bytes.Contains(b, []byte(" DOT ")) || bytes.Contains(b, []byte(" . "))
	if !hasDot {
		return false
	}
	return bytes.Contains(b, []byte(" at ")) || bytes.Contains(b, []byte(" AT ")) || bytes.Contains(b, []byte(" @ "))
}

// unspell rewrites the spelled-out addresses of one text node that follow a
// contact cue, in this node or in the page text just before it, and lists
// the edits.
func (p *page) unspell(s string) (string, []edit) {
	return unspell(s, func(start int, weak bool) bool {
		before := s[max(0, start-cueWindow):start]
		if rest := cueWindow - start; rest > 0 {
			before = string(p.buf[max(0, len(p.buf)-rest):]) + before
		}
		if weak {
			// The cue must be in the same sentence: "Mail arrives at
			// noon. The service sits at acme.com" is prose.
			if ends := sentenceEndRE.FindAllStringIndex(before, -1); len(ends) > 0 {
				last := ends[len(ends)-1][1]
				if strings.TrimSpace(before[last:]) == "" && len(ends) > 1 {
					last = ends[len(ends)-2][1] // a cue line right before: "Email:\n"
				}
				before = before[last:]
			}
		}
		return contactCueRE.MatchString(before)
	})
}

// despell undoes "[at]" and spelled-out separators in a string that is
// meant to be an address (a mailto: href, a data-email attribute), where no
// cue is needed.
func despell(s string) string {
	if strings.ContainsAny(s, "])}>") {
		s, _ = rewrite(s, obfuscationRE, deobfuscate)
	}
	if maybeSpelled([]byte(" " + s + " ")) {
		s, _ = unspell(s, func(int, bool) bool { return true })
	}
	return s
}

// unspell rewrites every spelledRE match of s that cued accepts (by its
// start) and that makes a plausible address with a public suffix.
func unspell(s string, cued func(start int, weak bool) bool) (string, []edit) {
	locs := spelledRE.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return s, nil
	}
	var b strings.Builder
	var eds []edit
	prev := 0
	for _, l := range locs {
		local := strings.ToLower(s[l[2]:l[3]])
		m := s[l[0]:l[1]]
		weak := !strongSepRE.MatchString(m[l[3]-l[0]:])
		if proseLocals[local] || midWord(s, l[2]) || determiners[strings.ToLower(wordBefore(s, l[2]))] ||
			!cued(l[0], weak) || !endsPhrase(s[l[1]:]) {
			continue
		}
		if sentenceDot(m) {
			continue
		}
		addr := spelledSepRE.ReplaceAllStringFunc(m, func(sep string) string {
			switch strings.Trim(sep, " \t\r\n\f\v-_") {
			case "at", "AT", "@":
				return "@"
			}
			return "."
		})
		if ok, _ := contact.Plausible(addr); !ok {
			continue
		}
		b.WriteString(s[prev:l[0]])
		o := b.Len()
		b.WriteString(addr)
		eds = append(eds, edit{in: [2]int{l[0], l[1]}, out: [2]int{o, b.Len()}})
		prev = l[1]
	}
	if eds == nil {
		return s, nil
	}
	b.WriteString(s[prev:])
	return b.String(), eds
}

// followWords may follow a spelled-out address in the same phrase ("write
// to jane at acme dot com for details"); any other word means the "dot com"
// was part of a sentence ("dot com prices").
var followWords = map[string]bool{
	"for": true, "or": true, "and": true, "if": true, "with": true, "to": true,
	"anytime": true, "please": true, "thanks": true, "at": true, "about": true,
}

// endsPhrase reports whether the text after a spelled-out address ends its
// phrase: nothing, punctuation, or one of followWords.
func endsPhrase(rest string) bool {
	if strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, ":") && len(rest) > 1 && isDigit(rest[1]) {
		return false // a URL's path or port: "acme.com/contact"
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || rest[0] == '\n' {
		return true
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
	if end == 0 {
		return true
	}
	if end < 0 {
		end = len(rest)
	}
	return followWords[strings.ToLower(rest[:end])]
}

// wordBefore returns the word that ends, with the spaces after it, at
// s[:i].
func wordBefore(s string, i int) string {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	k := j
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:k])
		if !unicode.IsLetter(r) {
			break
		}
		k -= size
	}
	return s[k:j]
}

// midWord reports whether s[i] continues a word rather than starting one.
func midWord(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._+'-", r)
}

// sentenceDot reports whether a spaced " . " in a spelled-out match is a
// full stop: the word after it is capitalized ("at rest . Boats").
func sentenceDot(m string) bool {
	for i := strings.Index(m, " . "); i >= 0; {
		rest := strings.TrimLeft(m[i+3:], " ")
		if r, size := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) {
			r2, _ := utf8.DecodeRuneInString(rest[size:])
			if unicode.IsLower(r2) {
				return true
			}
		}
		j := strings.Index(m[i+3:], " . ")
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return false
}

// reversal is an open element whose text a style sheet displays reversed.
type reversal struct {
	tag  string
	from int // offset in page.buf where its text starts
}

// bidiClassRE finds CSS rules: a selector and its declarations.
var bidiClassRE = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)

// classNameRE finds the class names in a selector.
var classNameRE = regexp.MustCompile(`\.([A-Za-z0-9_-]+)`)

// readStyle remembers the classes a style sheet displays reversed:
// unicode-bidi: bidi-override with direction: rtl.
func (p *page) readStyle(css []byte) {
	if !bytes.Contains(css, []byte("bidi-override")) {
		return
	}
	for _, m := range bidiClassRE.FindAllSubmatch(css, -1) {
		if !reversedStyle(m[2]) {
			continue
		}
		for _, c := range classNameRE.FindAllSubmatch(m[1], -1) {
			if p.reversedClasses == nil {
				p.reversedClasses = map[string]bool{}
			}
			p.reversedClasses[string(c[1])] = true
		}
	}
}

// reversedStyle reports whether CSS declarations display text right to
// left with the letters' own direction overridden.
func reversedStyle(decl []byte) bool {
	d := bytes.ToLower(decl)
	return bytes.Contains(d, []byte("bidi-override")) && bytes.Contains(d, []byte("rtl"))
}

// openReversal starts collecting an element's text when it is displayed
// reversed: a style attribute or class saying so, or <bdo dir="rtl">.
func (p *page) openReversal(tag string, attrs []attr) {
	rev := false
	for _, a := range attrs {
		switch string(a.key) {
		case "style":
			rev = rev || bytes.Contains(a.val, []byte("bidi-override")) && reversedStyle(a.val)
		case "class":
			if len(p.reversedClasses) > 0 {
				for _, c := range bytes.Fields(a.val) {
					rev = rev || p.reversedClasses[string(c)]
				}
			}
		case "dir":
			rev = rev || tag == "bdo" && bytes.EqualFold(bytes.TrimSpace(a.val), []byte("rtl"))
		}
	}
	if rev {
		p.reversals = append(p.reversals, reversal{tag: internTag(tag), from: len(p.buf)})
	}
}

// closeReversal ends the innermost reversed element when tag closes it, and
// scans its text read the way it is displayed.
func (p *page) closeReversal(tag string) {
	k := len(p.reversals)
	if k == 0 || p.reversals[k-1].tag != tag {
		return
	}
	r := p.reversals[k-1]
	p.reversals = p.reversals[:k-1]
	text := p.buf[r.from:]
	if bytes.IndexByte(text, '@') < 0 {
		return
	}
	rs := []rune(string(text))
	slices.Reverse(rs)
	shown := string(rs)
	scan(shown, nil, p.site, func(h hit) {
		p.add(r.from, h.email, SourceReversed, func() string { return contextAround(shown, h.start, h.end) })
	})
}

// rot13TLDs are the top-level domains a ROT13-encoded address must decode
// to. The encoded form's own TLD must be unknown (pbz, qr, arg), so a real
// address is never "decoded".
var rot13TLDs = map[string]bool{
	"com": true, "net": true, "org": true, "de": true, "uk": true, "eu": true, "io": true,
	"it": true, "es": true, "nl": true, "ch": true, "at": true, "be": true, "info": true,
	"co": true, "us": true, "ca": true, "au": true,
}

// rot13Address decodes s when it is evidently a ROT13-encoded address: s
// itself fails only for its unknown top-level domain, and its decoding is a
// plausible address under a common one.
func rot13Address(s, site string) (string, bool) {
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 || !rot13TLDs[rot13(strings.ToLower(s[dot+1:]))] {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", false
		}
	}
	if _, reason := contact.Plausible(s); reason != "host without a public suffix" {
		return "", false
	}
	d := strings.ToLower(rot13(s))
	if ok, _ := contact.PlausibleAt(d, site); !ok {
		return "", false
	}
	return d, true
}

// rot13 rotates the ASCII letters of s by 13.
func rot13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}
