package jsrun

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

//go:embed prelude.js
var preludeSrc string

// regexpTimeout bounds one regular-expression match. goja's backtracking engine (regexp2) runs in
// Go where Interrupt cannot reach, so a catastrophic pattern would otherwise stall the page; a match
// that times out is treated by goja as no match.
const regexpTimeout = 20 * time.Millisecond

var (
	preludeOnce sync.Once
	preludeProg *goja.Program
	preludeErr  error
)

// prelude compiles the sandbox prelude once; the compiled program is immutable and shared by all
// runtimes.
func prelude() (*goja.Program, error) {
	preludeOnce.Do(func() {
		// regexp2 reads this default when a pattern is compiled; goja is its only user here.
		regexp2.DefaultMatchTimeout = regexpTimeout
		preludeProg, preludeErr = goja.Compile("prelude.js", preludeSrc, true)
	})
	return preludeProg, preludeErr
}

// sandbox is one goja runtime set up with the recording DOM stub. It is used by one goroutine.
type sandbox struct {
	vm    *goja.Runtime
	drain goja.Callable // runs the deferred callbacks
}

// newSandbox builds a runtime whose stub records into rec.
func newSandbox(lim Limits, rec *recorder, callbacks *int) (*sandbox, error) {
	prog, err := prelude()
	if err != nil {
		return nil, fmt.Errorf("compile prelude: %w", err)
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(lim.CallDepth)
	fn, err := vm.RunProgram(prog)
	if err != nil {
		return nil, fmt.Errorf("run prelude: %w", err)
	}
	setup, ok := goja.AssertFunction(fn)
	if !ok {
		return nil, fmt.Errorf("prelude: not a function")
	}
	drainV, err := setup(goja.Undefined(), natives(vm, lim, rec, callbacks))
	if err != nil {
		return nil, fmt.Errorf("set up stub: %w", err)
	}
	drain, ok := goja.AssertFunction(drainV)
	if !ok {
		return nil, fmt.Errorf("prelude: drain is not a function")
	}
	return &sandbox{vm: vm, drain: drain}, nil
}

// natives is the object of Go functions the prelude builds the stub on. Arguments arrive already
// converted to strings by the prelude.
func natives(vm *goja.Runtime, lim Limits, rec *recorder, callbacks *int) *goja.Object {
	n := vm.NewObject()
	arg := func(c goja.FunctionCall, i int) string { return c.Argument(i).String() }
	h := func(c goja.FunctionCall) int { return int(c.Argument(0).ToInteger()) }
	set := func(name string, f func(goja.FunctionCall) goja.Value) { _ = n.Set(name, f) }
	str := func(s string) goja.Value { return vm.ToValue(s) }
	undef := goja.Undefined()

	_ = n.Set("max", lim.MaxString)
	set("el", func(c goja.FunctionCall) goja.Value { return vm.ToValue(rec.element(arg(c, 0), arg(c, 1))) })
	set("tag", func(c goja.FunctionCall) goja.Value {
		if e := rec.el(h(c)); e != nil {
			return str(e.tag)
		}
		return str("div")
	})
	set("inner", func(c goja.FunctionCall) goja.Value {
		if e := rec.el(h(c)); e != nil {
			return str(e.inner)
		}
		return str("")
	})
	set("outer", func(c goja.FunctionCall) goja.Value { return str(rec.html(h(c))) })
	set("setInner", func(c goja.FunctionCall) goja.Value { rec.setInner(h(c), arg(c, 1)); return undef })
	set("setText", func(c goja.FunctionCall) goja.Value {
		rec.setInner(h(c), html.EscapeString(arg(c, 1)))
		return undef
	})
	set("setOuter", func(c goja.FunctionCall) goja.Value { rec.setOuter(h(c), arg(c, 1)); return undef })
	set("setAttr", func(c goja.FunctionCall) goja.Value { rec.setAttr(h(c), arg(c, 1), arg(c, 2), true); return undef })
	set("getAttr", func(c goja.FunctionCall) goja.Value {
		if v, ok := rec.getAttr(h(c), arg(c, 1)); ok {
			return str(v)
		}
		return goja.Null()
	})
	set("write", func(c goja.FunctionCall) goja.Value { rec.write(arg(c, 0)); return undef })
	set("text", func(c goja.FunctionCall) goja.Value { rec.text(arg(c, 0)); return undef })
	set("link", func(c goja.FunctionCall) goja.Value { rec.link(arg(c, 0)); return undef })
	set("note", func(c goja.FunctionCall) goja.Value { rec.note(arg(c, 0)); return undef })
	set("nestOK", func(c goja.FunctionCall) goja.Value { return vm.ToValue(nestOK(arg(c, 0), maxNesting)) })
	set("callback", func(goja.FunctionCall) goja.Value {
		*callbacks++
		return vm.ToValue(*callbacks <= lim.Callbacks)
	})
	set("atob", func(c goja.FunctionCall) goja.Value {
		s, err := atob(arg(c, 0))
		if err != nil {
			panic(vm.NewGoError(err))
		}
		return str(s)
	})
	set("btoa", func(c goja.FunctionCall) goja.Value {
		s, err := btoa(arg(c, 0))
		if err != nil {
			panic(vm.NewGoError(err))
		}
		return str(s)
	})
	return n
}

// maxNesting bounds the bracket nesting of any source goja parses (scripts, eval, Function,
// JSON.parse): its parser and JSON decoder recurse in Go once per level.
const maxNesting = 256

// nestOK reports whether the brackets of s nest at most max deep. Brackets inside strings count
// too, which can only make it stricter.
func nestOK(s string, max int) bool {
	d := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			if d++; d > max {
				return false
			}
		case ')', ']', '}':
			if d > 0 {
				d--
			}
		}
	}
	return true
}

// atob decodes base64 into a binary string (one character per byte), as browsers do.
func atob(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			return -1
		}
		return r
	}, s)
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", fmt.Errorf("atob: invalid base64: %w", err)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), nil
}

// btoa encodes a binary string; characters above U+00FF are an error, as in browsers.
func btoa(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", fmt.Errorf("btoa: character out of range")
		}
		b = append(b, byte(r))
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
