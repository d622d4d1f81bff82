package scan

import (
	"context"
	"fmt"

	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// Suppressions is the do-not-contact list as the scan sees it.
type Suppressions interface {
	// Suppressed returns the members of keys (lowercase addresses and
	// email domains) that are on the list.
	Suppressed(ctx context.Context, keys []string) ([]string, error)
}

// WithSuppressions makes the handler drop every email on the list before
// the results are stored, and returns h.
func (h *Handler) WithSuppressions(s Suppressions) *Handler {
	h.suppressions = s
	return h
}

// suppress removes the suppressed emails from rep with one look-up for the
// whole report. An address suppressed between this look-up and the commit
// of the results is stored; adding it again (or deleting the contact)
// removes it.
func (h *Handler) suppress(ctx context.Context, rep Report) (Report, error) {
	if h.suppressions == nil {
		return rep, nil
	}
	seen := map[string]bool{}
	var keys []string
	for _, p := range rep.Pages {
		for _, f := range p.Emails {
			for _, k := range suppression.Keys(f.Email) {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	if len(keys) == 0 {
		return rep, nil
	}
	// Read like the results are stored: a database blip here is retried in
	// place, not paid for with a second crawl.
	var hit []string
	err := h.retry.Do(ctx, func(ctx context.Context) error {
		var err error
		hit, err = h.suppressions.Suppressed(ctx, keys)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("read suppressions: %w", err)
	}
	if len(hit) == 0 {
		return rep, nil
	}
	blocked := make(map[string]bool, len(hit))
	for _, k := range hit {
		blocked[k] = true
	}
	out := Report{Pages: make([]PageResult, len(rep.Pages)), PageCapReached: rep.PageCapReached}
	for i, p := range rep.Pages {
		kept := make([]Found, 0, len(p.Emails))
		for _, f := range p.Emails {
			if suppression.Listed(f.Email, blocked) {
				continue
			}
			kept = append(kept, f)
		}
		p.Emails = kept
		out.Pages[i] = p
	}
	return out, nil
}
