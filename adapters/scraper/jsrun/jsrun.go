// Package jsrun reveals addresses that pages build with JavaScript. It evaluates a page's inline
// scripts in goja, a pure-Go interpreter, against a recording stub of the DOM (document, window,
// elements, location, a jQuery-ish $) and returns the HTML and text the scripts wrote, for the
// extractor to scan like any other markup.
//
// The sandbox reaches nothing outside itself: no network, no files, no host objects, timers run
// synchronously after the script. Every page is bounded in wall time, call depth, allocation and
// output (see Limits); a hostile script costs at most its budget and the page's other scripts
// still run.
package jsrun

import (
	"context"
	"errors"
	"net/url"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Runner evaluates the scripts of one page at a time per call; it is safe for concurrent use
// because every call builds its own runtime.
type Runner struct {
	lim   Limits
	slots chan struct{} // one token per page being evaluated (Limits.Pages)
}

// New returns a Runner bounded by lim; zero fields take their values from DefaultLimits.
func New(lim Limits) *Runner {
	lim = lim.withDefaults()
	return &Runner{lim: lim, slots: make(chan struct{}, lim.Pages)}
}

// Limits returns the budgets the runner applies.
func (r *Runner) Limits() Limits { return r.lim }

// Why a script was stopped: the interrupt value, read back from goja's InterruptedError.
var (
	errScriptTime  = errors.New("script time budget spent")
	errScriptAlloc = errors.New("script allocation budget spent")
	errPageTime    = errors.New("page time budget spent")
	errPageAlloc   = errors.New("page allocation budget spent")
)

// Run evaluates a page's scripts in document order (inline script sources, `javascript:` URLs
// with or without their scheme, on* handler bodies) and returns the fragments they wrote. Pages
// that fail the prefilter (see Worth) and scripts over the size limit are not evaluated. Run
// never panics; errors inside scripts only end that script.
func (r *Runner) Run(ctx context.Context, scripts []string) []string {
	scripts = r.selected(scripts)
	if len(scripts) == 0 {
		return nil
	}
	// The page's budgets start once it has a slot: waiting is not running.
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil
	}
	defer func() { <-r.slots }()
	return r.run(ctx, scripts)
}

// selected returns the scripts worth evaluating: none when the page cannot build an address.
func (r *Runner) selected(scripts []string) []string {
	out := make([]string, 0, len(scripts))
	worth := false
	for _, s := range scripts {
		s = normalize(s)
		if s == "" || len(s) > r.lim.ScriptSize {
			continue
		}
		if len(out) == r.lim.Scripts {
			break
		}
		worth = worth || Worth(s)
		out = append(out, s)
	}
	if !worth {
		return nil
	}
	return out
}

// normalize strips a `javascript:` scheme and percent-decodes the body, as a browser does.
func normalize(s string) string {
	t := strings.TrimSpace(s)
	if len(t) >= 11 && strings.EqualFold(t[:11], "javascript:") {
		body := t[11:]
		if dec, err := url.PathUnescape(body); err == nil {
			body = dec
		}
		return body
	}
	return s
}

// page is the state of one Run: the recorder, the current sandbox and the watchdog.
type page struct {
	lim       Limits
	rec       *recorder
	sb        *sandbox
	callbacks int

	mu        sync.Mutex // guards the fields below, shared with the watchdog
	vm        *goja.Runtime
	running   bool
	seq       int       // counts scripts, so a late tick cannot stop the next one
	deadline  time.Time // of the running script
	pageEnd   time.Time
	alloc0    uint64 // allocation counter when the script started
	pageAlloc uint64 // counter when the page started
	reason    error
	done      bool
}

func (r *Runner) run(ctx context.Context, scripts []string) []string {
	p := &page{lim: r.lim, rec: newRecorder(r.lim.Output, r.lim.ScriptOutput)}
	now := time.Now()
	p.pageEnd = now.Add(r.lim.PageTime)
	if d, ok := ctx.Deadline(); ok && d.Before(p.pageEnd) {
		p.pageEnd = d
	}
	p.pageAlloc = allocated()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.watch(ctx, stop)
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()
	for _, src := range scripts {
		if !p.script(src) {
			break
		}
	}
	return p.rec.fragments()
}

// script runs one script and its deferred callbacks; it reports whether the page may go on.
// A panic inside goja (a bug of the interpreter) ends only this script: the runtime is dropped and
// the next script gets a fresh one.
func (p *page) script(src string) (goOn bool) {
	defer func() {
		if v := recover(); v != nil {
			p.mu.Lock()
			running := p.running
			p.mu.Unlock()
			if running {
				p.finish()
			}
			p.sb = nil
			goOn = true
		}
	}()
	if p.sb == nil {
		sb, err := newSandbox(p.lim, p.rec, &p.callbacks)
		if err != nil {
			return false
		}
		p.sb = sb
	}
	prog, err := compile(src)
	if err != nil {
		return true // a syntax error ends only this script
	}
	if !p.start(p.sb.vm) {
		return false
	}
	p.rec.newScript()
	// An exception ends only this script; its deferred callbacks still run unless it was stopped.
	if _, err := p.sb.vm.RunProgram(prog); !interrupted(err) {
		_, _ = p.sb.drain(goja.Undefined())
	}
	reason := p.finish()
	switch reason {
	case errScriptAlloc:
		p.sb = nil // its globals may hold the budget it spent: the next script gets a fresh runtime
	case nil, errScriptTime:
	default:
		return false // the page's budget is spent or its context ended
	}
	return true
}

// compile parses src, retrying it as a function body (handler bodies may `return`) and then
// percent-decoded. Sources nested deeper than the parser's recursion budget are refused.
func compile(src string) (*goja.Program, error) {
	if !nestOK(src, maxNesting) {
		return nil, errors.New("nested too deep")
	}
	prog, err := goja.Compile("", src, false)
	if err == nil {
		return prog, nil
	}
	if prog, err2 := goja.Compile("", "(function(){"+src+"\n}).call(document.body)", false); err2 == nil {
		return prog, nil
	}
	// A `javascript:` URL body handed over without its scheme may still be percent-encoded.
	if strings.Contains(src, "%") {
		if dec, err2 := url.PathUnescape(src); err2 == nil && dec != src {
			return compile(dec)
		}
	}
	return nil, err
}

func interrupted(err error) bool {
	var ie *goja.InterruptedError
	return errors.As(err, &ie)
}

// start arms the watchdog for a script; it reports false when the page is out of budget.
func (p *page) start(vm *goja.Runtime) bool {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || !now.Before(p.pageEnd) {
		return false
	}
	p.vm = vm
	p.seq++
	p.running = true
	p.reason = nil
	p.deadline = now.Add(p.lim.ScriptTime)
	if p.pageEnd.Before(p.deadline) {
		p.deadline = p.pageEnd
	}
	p.alloc0 = allocated()
	return true
}

// finish disarms the watchdog and returns why the script was interrupted, if it was. Clearing the
// interrupt under the lock means a late tick cannot leak into the next script.
func (p *page) finish() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = false
	p.vm.ClearInterrupt()
	return p.reason
}

// watchTick is how often the watchdog samples the clock and the allocation counter.
const watchTick = time.Millisecond

// watch interrupts the running script when it overruns its time or allocation budget, the page's,
// or the context.
func (p *page) watch(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(watchTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			p.mu.Lock()
			seq := p.seq
			p.mu.Unlock()
			p.trip(seq, ctx.Err(), true)
			return
		case now := <-t.C:
			p.check(now)
		}
	}
}

func (p *page) check(now time.Time) {
	p.mu.Lock()
	running, seq, pageAlloc, alloc0, pageEnd, deadline := p.running, p.seq, p.pageAlloc, p.alloc0, p.pageEnd, p.deadline
	p.mu.Unlock()
	if !running {
		return
	}
	a := allocated()
	switch {
	case a-pageAlloc > p.lim.PageAlloc:
		p.trip(seq, errPageAlloc, true)
	case !now.Before(pageEnd):
		p.trip(seq, errPageTime, true)
	case a-alloc0 > p.lim.ScriptAlloc:
		p.trip(seq, errScriptAlloc, false)
	case !now.Before(deadline):
		p.trip(seq, errScriptTime, false)
	}
}

// trip interrupts script seq, if it still runs, with reason; final marks the page as done.
func (p *page) trip(seq int, reason error, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if final {
		p.done = true
	}
	if !p.running || !final && (p.seq != seq || p.reason != nil) {
		return
	}
	if p.reason == nil {
		p.vm.Interrupt(reason)
	}
	p.reason = reason // a page-wide reason overrides a script's, so the page stops
}

var allocSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
var allocMu sync.Mutex

// allocated returns the process's cumulative heap allocation in bytes.
func allocated() uint64 {
	allocMu.Lock()
	defer allocMu.Unlock()
	metrics.Read(allocSample)
	if allocSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return allocSample[0].Value.Uint64()
}
