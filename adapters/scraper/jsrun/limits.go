package jsrun

import (
	"runtime"
	"time"
)

// Limits bounds what one page's scripts may cost. A zero field takes its value from DefaultLimits.
type Limits struct {
	// ScriptTime is the wall time one script (with the callbacks it scheduled) may run.
	ScriptTime time.Duration
	// PageTime is the wall time all scripts of one page may run together; the context's deadline,
	// when earlier, wins.
	PageTime time.Duration
	// CallDepth is the deepest JavaScript call stack allowed (goja's SetMaxCallStackSize).
	CallDepth int
	// Output caps the bytes of fragments one page may record; writes past it are truncated.
	Output int
	// ScriptOutput caps the bytes one script may add to the page's output, so one flooding script
	// leaves room for the others.
	ScriptOutput int
	// ScriptAlloc caps the Go heap bytes allocated while one script runs. goja has no allocator
	// hook, so a watchdog samples the process-wide counter (runtime/metrics /gc/heap/allocs:bytes)
	// and interrupts the script past this budget; allocations of other goroutines in that window
	// count too, which can only stop a script early.
	ScriptAlloc uint64
	// PageAlloc caps the Go heap bytes allocated by all scripts of one page.
	PageAlloc uint64
	// MaxString is the largest string or array one built-in call may produce or walk (repeat,
	// padStart, join, replace, split, Array methods on huge lengths, apply, JSON, eval source).
	// Built-ins run in Go and cannot be interrupted, so they are checked before they start.
	MaxString int
	// ScriptSize is the largest script evaluated; larger ones (library bundles) are skipped.
	ScriptSize int
	// Scripts caps how many scripts of one page are evaluated; the rest are skipped.
	Scripts int
	// Callbacks caps the deferred callbacks (setTimeout, ready and load handlers) run per page.
	Callbacks int
	// Pages caps how many pages one Runner evaluates at once; the others wait (within their
	// context) for a slot. A worker runs hundreds of crawls at once, and the sandbox is the one
	// CPU- and memory-heavy step of a crawl: without a bound, memory would grow with the number of
	// crawls (PageAlloc each) and the allocation watchdog, which reads a process-wide counter,
	// would see every page's allocations. 0 means runtime.GOMAXPROCS(0).
	Pages int
}

// DefaultLimits are the budgets used for every zero field of the Limits given to New. A realistic
// decoder (Joomla cloak, character-map decoder, concatenation) runs in well under a millisecond and
// allocates a few hundred kilobytes, so these leave two orders of magnitude of headroom (also on a
// loaded machine, or under the race detector, where goja runs several times slower) while keeping
// a hostile page to half a second and well under a hundred megabytes.
var DefaultLimits = Limits{
	ScriptTime:   100 * time.Millisecond,
	PageTime:     500 * time.Millisecond,
	CallDepth:    256,
	Output:       64 << 10,
	ScriptOutput: 16 << 10,
	ScriptAlloc:  32 << 20,
	PageAlloc:    96 << 20,
	MaxString:    256 << 10,
	ScriptSize:   64 << 10,
	Scripts:      200,
	Callbacks:    64,
}

// withDefaults returns l with every zero or negative field replaced by its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.ScriptTime <= 0 {
		l.ScriptTime = d.ScriptTime
	}
	if l.PageTime <= 0 {
		l.PageTime = d.PageTime
	}
	if l.CallDepth <= 0 {
		l.CallDepth = d.CallDepth
	}
	if l.Output <= 0 {
		l.Output = d.Output
	}
	if l.ScriptOutput <= 0 {
		l.ScriptOutput = d.ScriptOutput
	}
	if l.ScriptAlloc == 0 {
		l.ScriptAlloc = d.ScriptAlloc
	}
	if l.PageAlloc == 0 {
		l.PageAlloc = d.PageAlloc
	}
	if l.MaxString <= 0 {
		l.MaxString = d.MaxString
	}
	if l.ScriptSize <= 0 {
		l.ScriptSize = d.ScriptSize
	}
	if l.Scripts <= 0 {
		l.Scripts = d.Scripts
	}
	if l.Callbacks <= 0 {
		l.Callbacks = d.Callbacks
	}
	if l.Pages <= 0 {
		l.Pages = d.Pages
	}
	if l.Pages <= 0 {
		l.Pages = runtime.GOMAXPROCS(0)
	}
	return l
}
