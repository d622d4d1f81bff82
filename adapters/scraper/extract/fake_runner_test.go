package extract

import (
	"context"
	"regexp"
	"strings"
)

// writerRunner is a hand-written ScriptRunner for the tests: for every
// statement that writes to the document (document.write, innerHTML,
// textContent) it returns the statement's string literals joined, which is
// what an interpreter would write for the concatenations the corpus uses.
// It records what it was given.
type writerRunner struct {
	got *[]string
}

var _ ScriptRunner = writerRunner{}

var (
	writeRE   = regexp.MustCompile(`document\.write|\.innerHTML\s*=|\.textContent\s*=`)
	literalRE = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"`)
)

func (r writerRunner) Run(_ context.Context, scripts []string) []string {
	if r.got != nil {
		*r.got = append(*r.got, scripts...)
	}
	var out []string
	for _, s := range scripts {
		for _, stmt := range strings.Split(s, ";") {
			if !writeRE.MatchString(stmt) {
				continue
			}
			var b strings.Builder
			for _, m := range literalRE.FindAllStringSubmatch(stmt, -1) {
				b.WriteString(strings.ReplaceAll(m[1]+m[2], `\/`, `/`))
			}
			out = append(out, b.String())
		}
	}
	return out
}
