package jsrun_test

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/jsrun"
)

// hostileLimits give each script less memory than the defaults, so the suite stays quick, and more
// time, so the polite scripts finish even under the race detector on a loaded machine; the page
// budget is tested on its own below.
var hostileLimits = jsrun.Limits{
	ScriptTime:  200 * time.Millisecond,
	PageTime:    10 * time.Second,
	ScriptAlloc: 8 << 20,
	PageAlloc:   64 << 20,
}

// allocSlack is what a page may allocate beyond a script's budget: the runtime and prelude, the
// polite scripts, and the watchdog's reaction time (one tick of allocation).
const allocSlack = 40 << 20

var hostileScripts = []struct{ name, src string }{
	{"infinite loop", `for (;;) {}`},
	{"loop that catches everything", `for (;;) { try { for (;;) {} } catch (e) {} }`},
	{"repeat 1e9", `var s = 'x'.repeat(1e9)`},
	{"padStart 1e9", `var s = 'x'.padStart(1e9)`},
	{"doubling concatenation", `var s = 'x'; for (;;) s += s;`},
	{"pushing big arrays", `var a = []; for (;;) a.push(new Array(1e5).fill('abc'))`},
	{"pushing fresh strings", `var a = []; for (var i = 0; ; i++) a.push('x'.repeat(1e5) + i)`},
	{"deep recursion", `function f(n) { return f(n + 1) + 1 } f(0)`},
	{"recursion through a native", `function f() { return [1].map(f) } f()`},
	{"throws", `throw new Error('boom')`},
	{"syntax error", `function ( {`},
	{"huge sparse fill", `new Array(1e9).fill(0)`},
	{"huge sparse join", `new Array(1e9).join('x')`},
	{"huge sparse spread", `var a = [...new Array(1e7)]`},
	{"huge sparse spread into call", `Math.max(...new Array(1e7))`},
	{"array-like apply", `Math.max.apply(null, { length: 1e9 })`},
	{"Array.from length", `Array.from({ length: 1e9 })`},
	{"array length then map", `var a = [1]; a.length = 4e9; a.map(String)`},
	{"join of repeated references", `var b = 'x'.repeat(200000), a = []; for (var i = 0; i < 1000; i++) a.push(b); a.join('')`},
	{"replace multiplication", `'a'.repeat(1000).replace(/a/g, 'x'.repeat(100000))`},
	{"replace callback multiplication", `var b = 'x'.repeat(100000); 'a'.repeat(1000).replace(/a/g, function () { return b })`},
	{"split of a big string", `var s = 'ab'; for (var i = 0; i < 22; i++) s += s; s.split('')`},
	{"spread of a big string", `var s = 'ab'; for (var i = 0; i < 22; i++) s += s; [...s].length`},
	{"JSON nesting", `JSON.parse('['.repeat(100000) + ']'.repeat(100000))`},
	{"eval nesting", `eval('('.repeat(50000) + '1' + ')'.repeat(50000))`},
	{"Function nesting", `Function('return ' + '['.repeat(50000) + ']'.repeat(50000))()`},
	{"source nesting", strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000)},
	{"catastrophic regexp", `/^(a+)+$/.test('a'.repeat(40) + 'b')`},
	{"catastrophic backtracking regexp", `/^(?=x?)(a+)+\1?$/.test('a'.repeat(40) + 'b')`},
	{"catastrophic regexp in a loop", `for (;;) /^(\w+\s?)*$/.test('an apple a day keeps the doctor away!')`},
	{"ArrayBuffer", `new ArrayBuffer(1e9)`},
	{"stringify multiplication", `var b = 'x'.repeat(200000), a = []; for (var i = 0; i < 1000; i++) a.push(b); JSON.stringify(a)`},
	{"timer storm", `function f() { setTimeout(f); setTimeout(f) } f()`},
	{"interval spin", `setInterval(function () { for (;;) {} }, 10)`},
	{"output flood", `for (;;) document.write('<p>' + 'x'.repeat(1000) + '</p>')`},
	{"element flood", `for (var i = 0; ; i++) { var e = document.createElement('a'); e.href = 'mailto:a' + i + '@b.com' }`},
	{"stub tampering", `Array.prototype.join = function () { for (;;) {} }; document.write = null; location = 'x'`},
}

// TestHostileScriptsCostOnlyTheirBudget runs every hostile script between two polite ones: the page
// returns within its budget, allocates at most the script's allocation budget plus slack, never
// panics, and both polite scripts still produce their output. It is not parallel, so the
// allocation counter sees this test alone.
func TestHostileScriptsCostOnlyTheirBudget(t *testing.T) {
	r := jsrun.New(hostileLimits)
	before := `document.write('first' + '@' + 'polite.com')`
	after := `document.getElementById('a').textContent = 'last' + '@' + 'polite.com'`
	for _, h := range hostileScripts {
		t.Run(h.name, func(t *testing.T) {
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			start := time.Now()
			frags := r.Run(context.Background(), []string{before, h.src, after})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&m1)
			alloc := m1.TotalAlloc - m0.TotalAlloc
			t.Logf("%-32s %8.1f ms %8.1f MB", h.name, float64(elapsed.Microseconds())/1000, float64(alloc)/(1<<20))
			require.Less(t, alloc, hostileLimits.ScriptAlloc+allocSlack, "allocated bytes")
			require.Less(t, elapsed, hostileLimits.PageTime+2*time.Second, "wall time")
			got := revealed(frags)
			require.True(t, slices.Contains(got, "first@polite.com"), "the script before is lost")
			require.True(t, slices.Contains(got, "last@polite.com"), "the script after is lost")
			total := 0
			for _, f := range frags {
				total += len(f)
			}
			require.LessOrEqual(t, total, jsrun.DefaultLimits.Output)
		})
	}
}

// A cancelled context ends the page at once; what was written before stays.
func TestRunStopsWithTheContext(t *testing.T) {
	// The deadline leaves the first script ample time even under -race on a
	// loaded machine; the loop after it would run for the minute it is
	// allowed without the context.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := jsrun.New(jsrun.Limits{ScriptTime: time.Minute, PageTime: time.Minute})
	start := time.Now()
	frags := r.Run(ctx, []string{`document.write('ctx' + '@' + 'polite.com')`, `for (;;) {}`, `document.write('never' + '@' + 'polite.com')`})
	require.Less(t, time.Since(start), 20*time.Second)
	require.Equal(t, []string{"ctx@polite.com"}, revealed(frags))
}

// The page budget bounds a page of many slow scripts: later scripts are skipped, not run late.
func TestPageTimeBoundsManyScripts(t *testing.T) {
	r := jsrun.New(jsrun.Limits{ScriptTime: 300 * time.Millisecond, PageTime: time.Second})
	scripts := []string{`document.write('early' + '@' + 'polite.com')`}
	for i := 0; i < 50; i++ {
		scripts = append(scripts, `for (;;) {}`)
	}
	start := time.Now()
	frags := r.Run(context.Background(), scripts)
	require.Less(t, time.Since(start), 10*time.Second, "50 endless scripts cost about the page budget, not 50 script budgets")
	require.Equal(t, []string{"early@polite.com"}, revealed(frags))
}

// Runners are shared by goroutines; every Run has its own runtime.
func TestRunConcurrently(t *testing.T) {
	t.Parallel()
	r := jsrun.New(generous)
	done := make(chan []string)
	for i := 0; i < 8; i++ {
		go func() { done <- revealed(r.Run(context.Background(), revealCases[0].scripts)) }()
	}
	for i := 0; i < 8; i++ {
		require.Equal(t, []string{"info@acme.com"}, <-done)
	}
}
