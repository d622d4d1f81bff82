package extract

import (
	"context"
	"strings"
)

// ScriptRunner runs a page's inline scripts and returns what they wrote: the
// HTML or text fragments a script put into the document (document.write,
// innerHTML, textContent, href assignments). It is the port to a sandboxed
// JavaScript interpreter, declared here by its consumer; the implementation
// bounds its own time, memory and output, and returns what it has when ctx
// ends.
type ScriptRunner interface {
	Run(ctx context.Context, scripts []string) []string
}

// Limits on what a page hands to a ScriptRunner and what the extractor reads
// back: a page of megabytes of script costs its budget, not the worker's
// memory.
const (
	maxScripts       = 256
	maxScriptBytes   = 2 << 20
	maxFragmentBytes = 2 << 20
)

// addScript collects one piece of script: an inline <script>'s source, a
// javascript: URL or an on* event handler. Only an extractor with a runner
// collects.
func (p *page) addScript(src string) {
	if !p.collect {
		return
	}
	src = strings.TrimSpace(src)
	if src == "" || len(p.scripts) >= maxScripts || p.scriptBytes+len(src) > maxScriptBytes {
		return
	}
	p.scripts = append(p.scripts, src)
	p.scriptBytes += len(src)
}

// runScripts runs the collected scripts and records the addresses in what
// they wrote, after everything the page itself shows. Fragments are read as
// HTML, but their own scripts are not run again.
func (p *page) runScripts(ctx context.Context, r ScriptRunner) {
	if len(p.scripts) == 0 {
		return
	}
	budget := maxFragmentBytes
	pos := len(p.text) + 1
	for _, f := range r.Run(ctx, p.scripts) {
		if len(f) > budget {
			f = f[:budget]
		}
		budget -= len(f)
		sub := newPage(p.base.String())
		sub.reference = p.reference
		sub.read([]byte(f))
		sub.finish()
		sub.scanAttributes()
		sub.scanText()
		for _, c := range sub.found {
			p.found = append(p.found, candidate{pos: pos, Found: Found{Email: c.Email, Source: SourceScript}, context: c.context})
		}
		pos++
		if budget == 0 {
			return
		}
	}
}
