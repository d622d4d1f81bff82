package scan

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// The pace of progress writes while a crawl runs: one after every
// ProgressPages new pages, or at the first page after ProgressInterval
// without a write, whichever comes first. Each is one small fenced
// transaction; writing every page would cost a transaction per page.
const (
	ProgressPages    = 5
	ProgressInterval = 2 * time.Second
	// ProgressTimeout bounds one progress write: a slow or unreachable
	// store holds the crawl back by at most this much per write.
	ProgressTimeout = 5 * time.Second
)

// progress follows one job's crawl and writes its figures through
// Results.Progress: the distinct pages so far, and the distinct addresses
// that would be stored (the do-not-contact list's entries left out). A
// write that fails for any reason but a lost claim is logged and the crawl
// goes on; a lost claim stops it.
type progress struct {
	h      *Handler
	job    queue.Job
	cancel context.CancelFunc

	mu      sync.Mutex
	urls    map[string]bool
	emails  map[string]bool
	blocked map[string]bool // suppression keys looked up: on the list or not
	pending int             // pages since the last write
	lastAt  time.Time       // the last write, or the start
	lost    error
}

func (h *Handler) newProgress(job queue.Job, cancel context.CancelFunc) *progress {
	return &progress{h: h, job: job, cancel: cancel,
		urls: map[string]bool{}, emails: map[string]bool{}, blocked: map[string]bool{}}
}

// start writes zero counts before the crawl, so that from its first moment
// the domain shows this run's figures rather than the previous run's. A
// claim already gone ends the job here, before any request.
func (p *progress) start(ctx context.Context) error {
	p.lastAt = p.h.clock.Now()
	if err := p.write(ctx, 0, 0); errors.Is(err, core.ErrLeaseLost) {
		return fmt.Errorf("scan progress: %w", err)
	}
	return nil
}

// page is the crawl's OnPage: it counts r and writes the figures when the
// pace says so.
func (p *progress) page(ctx context.Context, r PageResult) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lost != nil {
		return p.lost
	}
	if p.urls[r.URL] {
		return nil
	}
	p.urls[r.URL] = true
	for _, f := range r.Emails {
		p.emails[f.Email] = true
	}
	p.pending++
	now := p.h.clock.Now()
	if p.pending < ProgressPages && now.Sub(p.lastAt) < ProgressInterval {
		return nil
	}
	// Whatever happens next, the next try waits for the pace again: a
	// store that is down is not asked at every page.
	p.pending, p.lastAt = 0, now
	contacts, err := p.contacts(ctx)
	if err != nil {
		p.h.log.WarnContext(ctx, "scan progress not stored; the scan goes on", "domain", p.job.Domain, "error", err)
		return nil
	}
	if err := p.write(ctx, len(p.urls), contacts); errors.Is(err, core.ErrLeaseLost) {
		p.lost = fmt.Errorf("scan progress: %w", err)
		p.cancel()
		return p.lost
	}
	return nil
}

// lostErr returns the error that stopped the crawl because the claim was
// gone, or nil.
func (p *progress) lostErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lost
}

// contacts counts the distinct addresses seen that are not on the
// do-not-contact list, asking the list only about keys not asked before
// (one look-up per write at most).
func (p *progress) contacts(ctx context.Context) (int, error) {
	if p.h.suppressions == nil {
		return len(p.emails), nil
	}
	var ask []string
	for e := range p.emails {
		for _, k := range suppression.Keys(e) {
			if _, ok := p.blocked[k]; !ok {
				p.blocked[k] = false // asked below; one entry per key
				ask = append(ask, k)
			}
		}
	}
	if len(ask) > 0 {
		hit, err := p.h.suppressions.Suppressed(ctx, ask)
		if err != nil {
			for _, k := range ask {
				delete(p.blocked, k) // ask again next time
			}
			return 0, fmt.Errorf("read suppressions: %w", err)
		}
		for _, k := range hit {
			p.blocked[k] = true
		}
	}
	n := 0
	for e := range p.emails {
		if !suppression.Listed(e, p.blocked) {
			n++
		}
	}
	return n, nil
}

// write stores the figures within ProgressTimeout and logs a failure
// other than a lost claim.
func (p *progress) write(ctx context.Context, pages, contacts int) error {
	wctx, cancel := context.WithTimeout(ctx, ProgressTimeout)
	defer cancel()
	err := p.h.results.Progress(wctx, p.job, pages, contacts)
	if err != nil && !errors.Is(err, core.ErrLeaseLost) && ctx.Err() == nil {
		p.h.log.WarnContext(ctx, "scan progress not stored; the scan goes on",
			"domain", p.job.Domain, "pages", pages, "contacts", contacts, "error", err)
	}
	return err
}
