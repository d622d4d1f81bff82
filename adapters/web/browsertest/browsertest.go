// Package browsertest gives tests a tab of a headless Chromium, driven with
// chromedp, that records the page's console and, when the test fails, leaves
// a full-page screenshot, the console log and the page's HTML behind as
// artifacts.
//
// Chromium is found through SCRAPERSKY_CHROMIUM, then PATH (chromium,
// chromium-browser, google-chrome), then /usr/bin/chromium. A test that finds
// none fails and says how to install it; it is skipped only when
// SCRAPERSKY_SKIP_BROWSER=1. Artifacts go to SCRAPERSKY_ARTIFACTS, or to
// artifacts/ at the root of the module.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scrapersky/scrapersky-go/adapters/internal/chromium"
)

// DefaultTimeout bounds one call of Tab.Do and one Tab.WaitFor unless the
// call says otherwise.
const DefaultTimeout = 20 * time.Second

// Tab is one browser tab of its own Chromium process.
type Tab struct {
	// Ctx is the tab's chromedp context. Derive a context with a deadline
	// from it for a single action; cancelling Ctx itself closes the browser.
	Ctx context.Context

	t       testing.TB
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// FindChromium returns the path of the browser to drive, or an error saying
// how to get one.
func FindChromium() (string, error) {
	p, err := chromium.Find()
	if err != nil {
		return "", fmt.Errorf("%w, or set SCRAPERSKY_SKIP_BROWSER=1 to skip the browser tests", err)
	}
	return p, nil
}

// New starts a headless Chromium with a fresh profile and a viewport of
// width×height CSS pixels and returns its tab. The browser is closed when
// the test ends, after the artifacts of a failed test are saved.
func New(t testing.TB, width, height int) *Tab {
	t.Helper()
	if os.Getenv("SCRAPERSKY_SKIP_BROWSER") == "1" {
		t.Skip("browsertest: SCRAPERSKY_SKIP_BROWSER=1, skipping a test that needs Chromium")
	}
	path, err := FindChromium()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	// The profile directory is removed after the browser has exited:
	// cleanups run last-registered first.
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)

	b := &Tab{Ctx: ctx, t: t}
	// The first Do starts the browser and binds its life to the context it
	// is given, so it gets ctx itself; a watchdog bounds the start instead.
	watchdog := time.AfterFunc(30*time.Second, cancelTab)
	err = chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height)))
	watchdog.Stop()
	if err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.saveArtifacts()
		}
		cancelTab()
		<-done
	})
	return b
}

// Console returns the console messages, uncaught exceptions and browser log
// entries of the tab so far, one line each.
func (b *Tab) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, len(b.console))
	for i, m := range b.console {
		out[i] = formatMessage(m)
	}
	return out
}

// Errors returns the console lines of type error or exception.
func (b *Tab) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
			out = append(out, formatMessage(m))
		}
	}
	return out
}

func formatMessage(m chromedp.ConsoleMessage) string {
	line := fmt.Sprintf("%s %s", m.Time.Format("15:04:05.000"), m.String())
	if m.URL != "" {
		line += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	return line
}

// Do runs steps with DefaultTimeout and fails the test, naming what, when
// one of them fails.
func (b *Tab) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, DefaultTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression in the tab (awaiting a promise) and
// decodes its value into T; it fails the test on an error.
func Eval[T any](b *Tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, DefaultTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor polls the JavaScript expression cond until it is truthy, and fails
// the test after timeout, saying what it waited for and what the expression
// show (when not empty) evaluated to last.
func (b *Tab) WaitFor(what string, timeout time.Duration, cond, show string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+cond+")",
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err == nil {
		return
	}
	last := ""
	if show != "" {
		sctx, scancel := context.WithTimeout(b.Ctx, 5*time.Second)
		defer scancel()
		if v, serr := chromedp.Run(sctx, chromedp.Evaluate[any](show)); serr == nil {
			last = fmt.Sprintf("; %s is %#v", show, v)
		}
	}
	b.t.Fatalf("browser: waiting %s for %s: %v%s", timeout, what, err, last)
}

// Screenshot saves a PNG of the whole page (full) or of the viewport.
func (b *Tab) Screenshot(path string, full bool) error {
	ctx, cancel := context.WithTimeout(b.Ctx, DefaultTimeout)
	defer cancel()
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, action)
	if err != nil {
		return fmt.Errorf("capture screenshot: %w", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("write screenshot: %w", err)
	}
	return nil
}

// ArtifactsDir returns where failed tests leave their artifacts:
// SCRAPERSKY_ARTIFACTS, or artifacts/ in the module root (the working
// directory when no go.mod is found above it).
func ArtifactsDir() string {
	if d := os.Getenv("SCRAPERSKY_ARTIFACTS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return "artifacts"
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "artifacts")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "artifacts")
		}
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts writes the screenshot, console log and HTML of a failed
// test and logs where they are.
func (b *Tab) saveArtifacts() {
	dir := ArtifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("browsertest: no artifacts: %v", err)
		return
	}
	base := filepath.Join(dir, unsafeName.ReplaceAllString(b.t.Name(), "_"))
	var saved []string
	if err := b.Screenshot(base+".png", true); err != nil {
		b.t.Logf("browsertest: screenshot: %v", err)
	} else {
		saved = append(saved, base+".png")
	}
	console := strings.Join(b.Console(), "\n") + "\n"
	if err := os.WriteFile(base+".console.log", []byte(console), 0o644); err != nil {
		b.t.Logf("browsertest: console log: %v", err)
	} else {
		saved = append(saved, base+".console.log")
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
	defer cancel()
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err != nil {
		b.t.Logf("browsertest: page HTML: %v", err)
	} else if err := os.WriteFile(base+".html", []byte(html), 0o644); err != nil {
		b.t.Logf("browsertest: page HTML: %v", err)
	} else {
		saved = append(saved, base+".html")
	}
	b.t.Logf("browser artifacts of %s:\n  %s\nconsole:\n%s", b.t.Name(), strings.Join(saved, "\n  "), console)
}
