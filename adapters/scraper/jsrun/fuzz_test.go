package jsrun_test

import (
	"context"
	"testing"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/scraper/jsrun"
)

// fuzzLimits keep each input quick; the polite script before it makes every page pass the
// prefilter, so the interpreter always runs.
var fuzzLimits = jsrun.Limits{ScriptTime: 20 * time.Millisecond, PageTime: 200 * time.Millisecond, ScriptAlloc: 16 << 20}

// FuzzRun feeds random script text to the sandbox: it must never panic, never overrun the page's
// time budget by more than a generous slack, and never return more than the output cap.
func FuzzRun(f *testing.F) {
	for _, tc := range revealCases {
		for _, s := range tc.scripts {
			f.Add(s)
		}
	}
	for _, h := range hostileScripts {
		f.Add(h.src)
	}
	r := jsrun.New(fuzzLimits)
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		frags := r.Run(context.Background(), []string{`document.write('seed' + '@' + 'fuzz.com')`, src})
		if d := time.Since(start); d > fuzzLimits.PageTime+5*time.Second {
			t.Fatalf("page took %v", d)
		}
		total := 0
		for _, s := range frags {
			total += len(s)
		}
		if total > jsrun.DefaultLimits.Output {
			t.Fatalf("output %d bytes over the cap", total)
		}
	})
}
