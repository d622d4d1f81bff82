package jsrun

import "testing"

// BenchmarkSandboxSetup is the fixed cost of a page that reaches the interpreter: a goja runtime
// and the prelude (guards and DOM stub).
func BenchmarkSandboxSetup(b *testing.B) {
	lim := Limits{}.withDefaults()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := newSandbox(lim, newRecorder(lim.Output, lim.ScriptOutput), &n); err != nil {
			b.Fatal(err)
		}
	}
}
