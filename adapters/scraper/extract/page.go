package extract

import (
	"bytes"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// page is the state of one extraction: the visible text with its element
// boundaries, the elements whose attributes are read, and the candidates.
type page struct {
	base *url.URL
	site string // base's host, for contact.PlausibleAt

	buf  []byte // visible text while walking
	text string // buf once the walk is done

	// bounds are offsets in text where an inline element (span, b, …) opens
	// or closes. Such elements do not separate words, so "<b>info</b>@x.com"
	// stays one address; but a domain that runs over a bound may be cut
	// there.
	bounds []int
	// marks are ranges of text rewritten from entities or "[at]" spellings.
	marks []mark
	// elements are those a reader wants, in document order.
	elements []element

	found []candidate

	// reversals are the open elements whose text is displayed reversed,
	// reversedClasses the style-sheet classes that do it.
	reversals       []reversal
	reversedClasses map[string]bool

	// collect says whether scripts are collected for a ScriptRunner;
	// scripts and scriptBytes are what was collected.
	collect     bool
	scripts     []string
	scriptBytes int

	// deferSpelled says appendText leaves the spelled-out check of text it
	// copies unchanged to read.
	deferSpelled bool

	// reference reads the tokens with x/net's tokenizer instead of the
	// lexer: the differential tests' reference.
	reference bool
}

// mark is a range of page text that did not appear literally in the page.
type mark struct {
	from, to int
	src      Source
}

func newPage(pageURL string) *page {
	base, err := url.Parse(pageURL)
	if err != nil {
		base = &url.URL{}
	}
	return &page{base: base, site: base.Hostname()}
}

// hiddenElements hold no visible text; JSON-LD scripts are read separately.
var hiddenElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"iframe": true, "noembed": true, "noframes": true,
}

// inlineElements do not break words when rendered. Every other element
// (td, li, div, p, br, a, …) separates its text from its neighbours', so
// "<td>a@b.com</td><td>Phone</td>" cannot become a@b.comphone. Links count
// as separators: a link's text is its own phrase.
var inlineElements = map[string]bool{
	"span": true, "b": true, "strong": true, "i": true, "em": true, "u": true,
	"small": true, "big": true, "font": true, "sup": true, "sub": true,
	"mark": true, "abbr": true, "acronym": true, "code": true, "tt": true,
	"s": true, "strike": true, "del": true, "ins": true, "bdi": true,
	"bdo": true, "cite": true, "q": true, "time": true, "data": true,
	"kbd": true, "samp": true, "var": true, "wbr": true, "dfn": true,
}

// separate marks an element boundary: a bound for inline elements, a
// newline otherwise.
func (p *page) separate(inline bool) {
	if inline {
		if k := len(p.bounds); k == 0 || p.bounds[k-1] != len(p.buf) {
			p.bounds = append(p.bounds, len(p.buf))
		}
		return
	}
	if k := len(p.buf); k > 0 && !isSpace(p.buf[k-1]) {
		p.buf = append(p.buf, '\n')
	}
}

// appendText appends one text node, decoding leftover entities (when
// entities is set), "[at]" and spelled-out ("name at acme dot com")
// spellings, and marks what it rewrote. Text without any of them, nearly
// all of a page, is copied as it is. With p.deferSpelled, text that needs no
// other rewriting is copied without the spelled-out check (see read).
func (p *page) appendText(b []byte, entities bool) {
	amp, obf, wide := textFlags(b)
	amp = amp && entities
	wide = wide && hasHiddenGlyphs(b)
	spelled := false
	if amp || obf || wide || !p.deferSpelled {
		spelled = spelledForms(b)
	}
	if !amp && !obf && !wide && !spelled {
		p.buf = append(p.buf, b...)
		return
	}
	s := string(b)
	var ms []mark
	if amp {
		var eds []edit
		s, eds = rewrite(s, entityRE, decodeEntity)
		ms = marksOf(eds, SourceEntity)
		wide = wide || hasHiddenGlyphs([]byte(s))
	}
	if wide {
		var deleted, folded []edit
		s, deleted, folded = unhide(s)
		eds := mergeEdits(deleted, folded)
		for i := range ms {
			ms[i].from, ms[i].to = remap(eds, ms[i].from), remap(eds, ms[i].to)
		}
		ms = append(ms, marksOf(folded, SourceObfuscated)...)
		if !obf {
			_, obf, _ = textFlags([]byte(s))
		}
		if !spelled {
			spelled = spelledForms([]byte(s))
		}
	}
	if obf {
		var eds []edit
		s, eds = rewrite(s, obfuscationRE, deobfuscate)
		for i := range ms {
			ms[i].from, ms[i].to = remap(eds, ms[i].from), remap(eds, ms[i].to)
		}
		ms = append(ms, marksOf(eds, SourceObfuscated)...)
	}
	if spelled {
		var eds []edit
		s, eds = p.unspell(s)
		for i := range ms {
			ms[i].from, ms[i].to = remap(eds, ms[i].from), remap(eds, ms[i].to)
		}
		ms = append(ms, marksOf(eds, SourceObfuscated)...)
	}
	base := len(p.buf)
	for _, m := range ms {
		p.marks = append(p.marks, mark{from: base + m.from, to: base + m.to, src: m.src})
	}
	p.buf = append(p.buf, s...)
}

// scanText records every address in the visible text.
func (p *page) scanText() {
	scan(p.text, p.bounds, p.site, func(h hit) {
		p.add(h.start, h.email, h.source(p.sourceOf(h.start, h.end)), func() string { return contextAround(p.text, h.start, h.end) })
	})
}

// sourceOf says how the text between from and to came to be: obfuscated
// beats entity beats plain text. p.marks must be sorted (see finish).
func (p *page) sourceOf(from, to int) Source {
	src := SourceText
	i := sort.Search(len(p.marks), func(i int) bool { return p.marks[i].to > from })
	for ; i < len(p.marks) && p.marks[i].from < to; i++ {
		if p.marks[i].src == SourceObfuscated {
			return SourceObfuscated
		}
		src = p.marks[i].src
	}
	return src
}

// finish freezes the text and orders the marks for sourceOf. Marks never
// overlap once empty ones are gone: an entity decoded inside an "[at]" token
// collapses to an empty range at the token's output.
func (p *page) finish() {
	// buf is never written again, so the text can share its memory.
	p.text = unsafeString(p.buf)
	p.buf = nil
	kept := p.marks[:0]
	for _, m := range p.marks {
		if m.to > m.from {
			kept = append(kept, m)
		}
	}
	p.marks = kept
	sort.Slice(p.marks, func(i, j int) bool { return p.marks[i].from < p.marks[j].from })
}

// entityRE matches one character reference, with or without its semicolon.
var entityRE = regexp.MustCompile(`&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});?`)

func decodeEntity(m string) string { return html.UnescapeString(m) }

// obfuscationRE matches "[at]", "(dot)", "{ AT }", "[@]", "<dot>" with the
// spaces around them. A bare " at " is left alone: it is an English word.
// Bracketed words of other languages count too: "[ät]", "(arroba)",
// "[punkt]", "(punto)", "{point}".
var obfuscationRE = regexp.MustCompile(`(?i)\s*[\[({<]\s*(at|ät|arroba|arobase|dot|punkt|punto|point|ponto|@|\.)\s*[\])}>]\s*`)

func deobfuscate(m string) string {
	switch strings.ToLower(strings.Trim(m, " \t\r\n\f\v[](){}<>")) {
	case "at", "ät", "arroba", "arobase", "@":
		return "@"
	}
	return "."
}

// byteFlags classifies the bytes textFlags looks for.
var byteFlags = func() (t [256]uint8) {
	t['&'] = flagAmp
	for _, c := range "])}>" {
		t[c] = flagClose
	}
	for _, c := range []byte{0xC2, 0xE1, 0xE2, 0xEF} {
		t[c] = flagWide
	}
	return t
}()

const (
	flagAmp uint8 = 1 << iota
	flagClose
	flagWide
)

// textFlags is the cheap test that saves running the rewriting regular
// expressions over ordinary text: whether b has an "&" (an entity left
// over), a closing bracket (a "[at]" spelling) and a lead byte of an
// invisible or fullwidth character (see hasHiddenGlyphs).
func textFlags(b []byte) (amp, obf, wide bool) {
	var f uint8
	for _, c := range b {
		f |= byteFlags[c]
	}
	return f&flagAmp != 0, f&flagClose != 0, f&flagWide != 0
}

// spelledForms is the cheap test for a spelled-out address: whether b has
// both a spaced "at" (" at ", " AT ", " @ ") and a spaced "dot" (" dot ",
// " DOT ", " . ").
func spelledForms(b []byte) bool {
	var w uint64 // the last eight bytes, newest lowest
	var at, dot bool
	for _, c := range b {
		w = w<<8 | uint64(c)
		if c != ' ' {
			continue
		}
		switch {
		case w&0xFFFFFFFFFF == spacedDot || w&0xFFFFFFFFFF == spacedDOT || w&0xFFFFFF == spacedPeriod:
			dot = true
		case w&0xFFFFFFFF == spacedAt || w&0xFFFFFFFF == spacedAT || w&0xFFFFFF == spacedSign:
			at = true
		}
	}
	return at && dot || looseForms(b)
}

// looseAts are the "at" spellings a written domain may follow
// ("jane at acme.com", "jane -at- acme -dot- com", "jane @ acme.com").
var looseAts = [][]byte{[]byte(" at "), []byte(" AT "), []byte("-at-"), []byte("_at_"), []byte("-AT-"), []byte("_AT_"), []byte(" @"), []byte("@ ")}

// looseForms is the cheap test for the spelled-out forms spelledForms does
// not see: an "at" spelling (looseAts) whose next word holds a dot between
// letters, or is followed by a hyphen or underscore "dot".
func looseForms(b []byte) bool {
	for _, sep := range looseAts {
		for i := 0; i < len(b); {
			k := bytes.Index(b[i:], sep)
			if k < 0 {
				break
			}
			i += k + len(sep)
			if domainWordAfter(b[i:]) {
				return true
			}
		}
	}
	return false
}

// domainWordAfter reports whether the word at the start of b (after
// spaces) has a dot between two letters or digits, or is followed by a
// hyphen or underscore "dot" ("acme -dot- com").
func domainWordAfter(b []byte) bool {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	for j := i; j < len(b) && b[j] != ' ' && b[j] != '\n'; j++ {
		if b[j] == '.' && j > i && j+1 < len(b) && isAlnum(b[j-1]) && isAlnum(b[j+1]) {
			return true
		}
	}
	rest := b[i:min(len(b), i+80)]
	return bytes.Contains(rest, []byte("-dot-")) || bytes.Contains(rest, []byte("_dot_")) ||
		bytes.Contains(rest, []byte("-DOT-")) || bytes.Contains(rest, []byte("_DOT_"))
}

// The spaced separators spelledForms looks for, packed as its window holds
// them.
var (
	spacedDot    = pack(" dot ")
	spacedDOT    = pack(" DOT ")
	spacedPeriod = pack(" . ")
	spacedAt     = pack(" at ")
	spacedAT     = pack(" AT ")
	spacedSign   = pack(" @ ")
)

func pack(s string) (w uint64) {
	for i := 0; i < len(s); i++ {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// spelledFree reports whether b has no spaced "dot" form or no spaced "at"
// form (see spelledForms): then no text copied unchanged into b can hold a
// spelled-out address. It searches for the rare first byte of each form.
func spelledFree(b []byte) bool {
	dot := spacedWord(b, "dot ") || spacedWord(b, "DOT ") || spacedWord(b, ". ")
	return (!dot || !(spacedWord(b, "at ") || spacedWord(b, "AT ") || spacedWord(b, "@ "))) && !looseForms(b)
}

// spacedWord reports whether b holds " "+word. It searches for word, whose
// first byte is rarer than a space, and looks back.
func spacedWord(b []byte, word string) bool {
	for i := 1; i < len(b); {
		k := bytes.Index(b[i:], []byte(word))
		if k < 0 {
			return false
		}
		if b[i+k-1] == ' ' {
			return true
		}
		i += k + 1
	}
	return false
}

// edit is one replacement made by rewrite: in[0]:in[1] of the input became
// out[0]:out[1] of the output.
type edit struct{ in, out [2]int }

// rewrite replaces each match of re in s by repl(match) and lists the edits
// that changed something.
func rewrite(s string, re *regexp.Regexp, repl func(string) string) (string, []edit) {
	locs := re.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	var eds []edit
	prev := 0
	for _, l := range locs {
		r := repl(s[l[0]:l[1]])
		if r == s[l[0]:l[1]] {
			continue
		}
		b.WriteString(s[prev:l[0]])
		o := b.Len()
		b.WriteString(r)
		eds = append(eds, edit{in: [2]int{l[0], l[1]}, out: [2]int{o, b.Len()}})
		prev = l[1]
	}
	b.WriteString(s[prev:])
	return b.String(), eds
}

// remap moves an offset of rewrite's input to its output.
func remap(eds []edit, pos int) int {
	i := sort.Search(len(eds), func(i int) bool { return eds[i].in[1] > pos })
	if i < len(eds) && eds[i].in[0] <= pos {
		return eds[i].out[0] // inside a replaced match
	}
	if i == 0 {
		return pos
	}
	e := eds[i-1]
	return pos - e.in[1] + e.out[1]
}

func marksOf(eds []edit, src Source) []mark {
	ms := make([]mark, 0, len(eds))
	for _, e := range eds {
		ms = append(ms, mark{from: e.out[0], to: e.out[1], src: src})
	}
	return ms
}
