package memory

import (
	"context"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// OldestQueued returns when the longest-waiting queued domain of wf was
// last changed, and false when none is queued.
func (s *Store) OldestQueued(ctx context.Context, wf core.Workflow) (time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, err := fieldsOf(wf)
	if err != nil {
		return time.Time{}, false, err
	}
	var oldest time.Time
	found := false
	for _, d := range s.state.domains {
		if f.get(&d) != wf.Queued {
			continue
		}
		if !found || d.UpdatedAt.Before(oldest) {
			oldest, found = d.UpdatedAt, true
		}
	}
	return oldest, found, nil
}
