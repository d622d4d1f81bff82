package jsrun

import "strings"

// hints are the substrings (lower case) without which a script cannot build an address: an at
// sign in any spelling, a mailto, or one of the decoding tools obfuscators reach for.
var hints = []string{
	"@", "&#64", "&#x40", "%40", `\x40`, `\u0040`, `\100`, "mailto",
	"fromcharcode", "charcodeat", "charat", "atob", "unescape", "decodeuri", "reverse", "replace",
	"eval", "cloak", "rot13",
}

// Worth reports whether a script could build an address and so deserves the interpreter. It is a
// case-insensitive search for hints: an at sign (literal, entity, percent, hex, unicode or octal
// escape), "mailto", or a decoding tool (fromCharCode, charCodeAt, charAt, atob, unescape,
// decodeURI…, reverse, replace, eval, a Joomla "cloak" or a "rot13" name). A page runs when any of
// its scripts is worth it; analytics and tag-manager boilerplate usually is not.
func Worth(src string) bool {
	if strings.IndexByte(src, '@') >= 0 {
		return true
	}
	for _, h := range hints[1:] {
		if containsFold(src, h) {
			return true
		}
	}
	return false
}
