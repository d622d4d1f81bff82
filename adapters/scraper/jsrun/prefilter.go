package jsrun

import (
	"bytes"
	"strings"
	"sync"
)

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
	bp := lowerPool.Get().(*[]byte)
	defer lowerPool.Put(bp)
	low := (*bp)[:0]
	for i := 0; i < len(src); i++ {
		c := src[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	*bp = low
	for _, h := range hintBytes[1:] {
		if bytes.Contains(low, h) {
			return true
		}
	}
	return false
}

var (
	hintBytes = func() [][]byte {
		b := make([][]byte, len(hints))
		for i, h := range hints {
			b[i] = []byte(h)
		}
		return b
	}()
	lowerPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
)
