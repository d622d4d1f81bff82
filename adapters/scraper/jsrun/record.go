package jsrun

import (
	"html"
	"strings"
)

// element is the recorded state of one DOM element a script touched. It lives in the page's
// recorder, not in a goja runtime, so it survives the runtime being replaced after a script blew
// its memory budget.
type element struct {
	tag   string
	attrs []attr // in first-set order
	inner string // innerHTML, as HTML
	outer string // an outerHTML assignment replaces the whole element
	dirty bool   // a script wrote to it; only dirty elements are emitted
}

type attr struct{ name, value string }

// recorder collects what the scripts of one page wrote, within the page's output budget.
type recorder struct {
	max       int // bytes per page
	scriptMax int // bytes one script may add
	used      int // bytes held by frags and elements
	added     int // bytes added by the running script
	frags     []string
	elems     []*element
	byKey     map[string]int // "#id" or a selector → index into elems
}

func newRecorder(max, scriptMax int) *recorder {
	return &recorder{max: max, scriptMax: scriptMax, byKey: map[string]int{}}
}

// newScript starts the output budget of the next script.
func (r *recorder) newScript() { r.added = 0 }

// fit truncates s to what is left of the page's and the script's budgets once the old bytes it
// replaces are given back.
func (r *recorder) fit(s string, old int) string {
	room := min(r.max-(r.used-old), r.scriptMax-r.added+old)
	if room < 0 {
		room = 0
	}
	if len(s) > room {
		s = s[:room]
	}
	r.used += len(s) - old
	if len(s) > old {
		r.added += len(s) - old
	}
	return s
}

// write records an HTML fragment (document.write, jQuery's $('<a …>'), insertAdjacentHTML on the
// document).
func (r *recorder) write(s string) {
	if s == "" {
		return
	}
	if s = r.fit(s, 0); s != "" {
		r.frags = append(r.frags, s)
	}
}

// text records a string as text, escaped so the extractor reads it as it was written.
func (r *recorder) text(s string) {
	if s != "" {
		r.write(html.EscapeString(s))
	}
}

// link records a navigation target (location.href = …, window.open) as a link.
func (r *recorder) link(u string) {
	if u != "" {
		r.write(`<a href="` + html.EscapeString(u) + `"></a>`)
	}
}

// note records an argument of a stubbed call when it could be (part of) an address.
func (r *recorder) note(s string) {
	if addressish(s) {
		r.text(s)
	}
}

// addressish reports whether s could carry an address worth handing to the extractor.
func addressish(s string) bool {
	if len(s) < 3 {
		return false
	}
	if strings.Contains(s, "@") || strings.Contains(s, "&#64;") || strings.Contains(s, "%40") {
		return true
	}
	return containsFold(s, "mailto:")
}

// element returns the index of the element known by key, creating it; an empty key always
// creates a new element.
func (r *recorder) element(tag, key string) int {
	if key != "" {
		if i, ok := r.byKey[key]; ok {
			return i
		}
	}
	if tag == "" {
		tag = "div"
	}
	tag = strings.ToLower(tag)
	if !validTag(tag) {
		tag = "div"
	}
	r.elems = append(r.elems, &element{tag: tag})
	i := len(r.elems) - 1
	if key != "" && len(r.byKey) < 4096 {
		r.byKey[key] = i
	}
	if strings.HasPrefix(key, "#") {
		r.setAttr(i, "id", key[1:], false)
	}
	return i
}

func validTag(t string) bool {
	if t == "" || len(t) > 32 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (r *recorder) el(i int) *element {
	if i < 0 || i >= len(r.elems) {
		return nil
	}
	return r.elems[i]
}

// setInner replaces the element's content with s, as HTML.
func (r *recorder) setInner(i int, s string) {
	e := r.el(i)
	if e == nil {
		return
	}
	e.inner = r.fit(s, len(e.inner))
	e.dirty = true
}

// setOuter replaces the whole element with s.
func (r *recorder) setOuter(i int, s string) {
	e := r.el(i)
	if e == nil {
		return
	}
	e.outer = r.fit(s, len(e.outer))
	e.dirty = true
}

// setAttr sets one attribute; names are lower-cased and checked so the emitted tag stays well-formed.
func (r *recorder) setAttr(i int, name, value string, dirty bool) {
	e := r.el(i)
	if e == nil {
		return
	}
	name = strings.ToLower(name)
	if !validAttr(name) {
		return
	}
	e.dirty = e.dirty || dirty
	for k := range e.attrs {
		if e.attrs[k].name == name {
			e.attrs[k].value = r.fit(value, len(e.attrs[k].value))
			return
		}
	}
	if len(e.attrs) >= 64 {
		return
	}
	e.attrs = append(e.attrs, attr{name: name, value: r.fit(value, 0)})
}

func validAttr(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

func (r *recorder) getAttr(i int, name string) (string, bool) {
	e := r.el(i)
	if e == nil {
		return "", false
	}
	name = strings.ToLower(name)
	for _, a := range e.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// html renders element i as HTML: its outerHTML when a script set one, else its tag, attributes
// and content.
func (r *recorder) html(i int) string {
	e := r.el(i)
	if e == nil {
		return ""
	}
	if e.outer != "" {
		return e.outer
	}
	var b strings.Builder
	b.WriteString("<" + e.tag)
	for _, a := range e.attrs {
		b.WriteString(" " + a.name + `="` + html.EscapeString(a.value) + `"`)
	}
	b.WriteString(">" + e.inner + "</" + e.tag + ">")
	return b.String()
}

// fragments returns what the page's scripts wrote: the document fragments in order, then every
// element a script wrote to, as HTML, in all at most the output budget (markup included).
func (r *recorder) fragments() []string {
	var out []string
	total := 0
	add := func(s string) {
		if room := r.max - total; len(s) > room {
			s = s[:room]
		}
		if s != "" {
			out = append(out, s)
			total += len(s)
		}
	}
	for _, f := range r.frags {
		add(f)
	}
	for i, e := range r.elems {
		if e.dirty {
			add(r.html(i))
		}
	}
	return out
}

// containsFold reports whether s contains the lower-case ASCII needle, ignoring ASCII case.
func containsFold(s, needle string) bool {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 != needle[0] && s[i] != needle[0] {
			continue
		}
		if strings.EqualFold(s[i:i+n], needle) {
			return true
		}
	}
	return false
}
