package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var _ analysis.Results = (*Store)(nil)

// FinishAnalysis stores a finished sitemap analysis if job still owns its
// domain: out's files replace the domain's set (a URL found again keeps its
// stored ID, a URL no longer found is dropped), the domain's totals are
// set and its analysis is Completed. Like the Postgres store, it keeps the
// first record of a URL listed twice, counts distinct URLs, and rejects an
// invalid file before writing anything.
func (s *Store) FinishAnalysis(ctx context.Context, job queue.Job, out analysis.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkOutcome(out); err != nil {
		return fmt.Errorf("finish analysis %s: %w", job.DomainID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wf := core.SitemapCuration
	f, err := fieldsOf(wf)
	if err != nil {
		return err
	}
	r, d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	old := s.state.sitemaps[d.ID]
	fs := make(map[string]analysis.File, len(out.Files))
	for _, f := range out.Files {
		if _, dup := fs[f.URL]; dup {
			continue
		}
		if prev, ok := old[f.URL]; ok {
			f.ID = prev.ID
		} else if f.ID == uuid.Nil {
			f.ID = uuid.New()
		}
		f.DomainID = d.ID
		f.LastModified = copyTime(f.LastModified)
		fs[f.URL] = f
	}
	s.state.sitemaps[d.ID] = fs
	d.SitemapCount = len(fs)
	d.SitemapURLCount = out.TotalURLs
	s.state.finish(f, wf.Done, r, d, queue.RunCompleted, queue.Failure{}, out.FinishedAt)
	return nil
}

// checkOutcome rejects what the Postgres schema's CHECK constraints would.
func checkOutcome(out analysis.Outcome) error {
	if out.TotalURLs < 0 {
		return fmt.Errorf("%w: negative URL total %d", core.ErrInvalidStatus, out.TotalURLs)
	}
	for _, f := range out.Files {
		if !f.Type.Valid() || !f.Discovery.Valid() || f.URLCount < 0 {
			return fmt.Errorf("%w: sitemap file %q: type %q, discovery %q, url count %d",
				core.ErrInvalidStatus, f.URL, f.Type, f.Discovery, f.URLCount)
		}
	}
	return nil
}

// SitemapFiles returns the domain's sitemap files ordered by URL; none (not
// an error) for an unknown domain.
func (s *Store) SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]analysis.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs := s.state.sitemaps[domainID]
	out := make([]analysis.File, 0, len(fs))
	for _, f := range fs {
		f.LastModified = copyTime(f.LastModified)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b analysis.File) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

// copyTime returns a copy of *t, so that callers and the store never share
// a time they could change under each other.
func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
