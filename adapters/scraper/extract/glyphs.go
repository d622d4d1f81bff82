package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// This file undoes what a reader's eye undoes without noticing: characters
// that render as nothing (zero-width spaces and joiners, soft hyphens, word
// joiners, byte order marks, bidi marks) put inside an address to break
// harvesters' patterns, and the fullwidth forms of CJK typography
// ("info＠acme．jp"), which read as the ASCII they stand for.

// invisible reports whether r renders as nothing inside a word.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, // soft hyphen
		r >= 0x200B && r <= 0x200F, // zero-width space, non-joiner, joiner, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xFEFF,                // zero-width no-break space (BOM)
		r == 0x180E:                // Mongolian vowel separator
		return true
	}
	return false
}

// fullwidthAt reports whether r is a fullwidth or small commercial at.
func fullwidthAt(r rune) bool { return r == 0xFF20 || r == 0xFE6B }

// hasHiddenGlyphs is the exact test behind flagWide: whether b holds an
// invisible character, or a fullwidth "@" that makes the text around it
// worth folding to ASCII.
func hasHiddenGlyphs(b []byte) bool {
	for i := 0; i < len(b); {
		k := indexWide(b[i:])
		if k < 0 {
			return false
		}
		i += k
		r, size := utf8.DecodeRune(b[i:])
		if invisible(r) || fullwidthAt(r) {
			return true
		}
		i += size
	}
	return false
}

// indexWide returns the index of the first lead byte of a rune invisible or
// fullwidthAt may accept (0xC2, 0xE1, 0xE2, 0xEF), or -1.
func indexWide(b []byte) int {
	for i, c := range b {
		if c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xEF {
			return i
		}
	}
	return -1
}

// unhide deletes the invisible characters of s and, when s has a fullwidth
// "@", folds its fullwidth ASCII forms (U+FF01–U+FF5E) to ASCII. It lists
// the deletions and the foldings apart: a deletion leaves the text as a
// reader saw it, a folding is a disguise.
func unhide(s string) (out string, deleted, folded []edit) {
	fold := strings.ContainsRune(s, 0xFF20) || strings.ContainsRune(s, 0xFE6B)
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var repl string
		switch {
		case r < utf8.RuneSelf:
			i++
			continue
		case invisible(r):
		case fold && fullwidthAt(r):
			repl = "@"
		case fold && r >= 0xFF01 && r <= 0xFF5E:
			repl = string(rune(r - 0xFF01 + '!'))
		default:
			i += size
			continue
		}
		b.WriteString(s[prev:i])
		o := b.Len()
		b.WriteString(repl)
		e := edit{in: [2]int{i, i + size}, out: [2]int{o, b.Len()}}
		if repl == "" {
			deleted = append(deleted, e)
		} else {
			folded = append(folded, e)
		}
		i += size
		prev = i
	}
	if deleted == nil && folded == nil {
		return s, nil, nil
	}
	b.WriteString(s[prev:])
	return b.String(), deleted, folded
}

// mergeEdits merges two edit lists of one rewrite, each sorted, into one.
func mergeEdits(a, b []edit) []edit {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]edit, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].in[0] < b[0].in[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// unhideString is unhide for a string meant to be an address or to hold
// some (an attribute, a mailto: href), where positions do not matter.
func unhideString(s string) string {
	if !hasHiddenGlyphs([]byte(s)) {
		return s
	}
	out, _, _ := unhide(s)
	return out
}

// hiddenStyle reports whether the attributes of an inline element hide its
// text: a hidden attribute, or a style attribute with display: none or
// visibility: hidden. A reader never sees such text, and an address split
// by it ("info<span style="display:none">null</span>@…") is the address
// without it.
func hiddenStyle(attrs []attr) bool {
	for _, a := range attrs {
		switch string(a.key) {
		case "hidden":
			return true
		case "style":
			v := bytes.ToLower(a.val)
			v = bytes.ReplaceAll(v, []byte(" "), nil)
			if bytes.Contains(v, []byte("display:none")) || bytes.Contains(v, []byte("visibility:hidden")) {
				return true
			}
		}
	}
	return false
}
