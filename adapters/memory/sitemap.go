package memory

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/sitemap"
)

var _ sitemap.Results = (*Store)(nil)

// sitemapData holds the sitemap files and totals of one Store. It is only
// read or written while the Store's mu is held.
type sitemapData struct {
	files  map[uuid.UUID]map[string]sitemap.File // by domain, then URL
	totals map[uuid.UUID][2]int                  // by domain: files, URLs
}

// sitemapTables attaches a sitemapData to each Store without a field in
// Store: the key is a weak pointer, and a cleanup drops the entry when the
// Store is collected.
var sitemapTables = struct {
	mu sync.Mutex
	m  map[weak.Pointer[Store]]*sitemapData
}{m: map[weak.Pointer[Store]]*sitemapData{}}

func (s *Store) sitemapData() *sitemapData {
	key := weak.Make(s)
	sitemapTables.mu.Lock()
	defer sitemapTables.mu.Unlock()
	if d, ok := sitemapTables.m[key]; ok {
		return d
	}
	d := &sitemapData{files: map[uuid.UUID]map[string]sitemap.File{}, totals: map[uuid.UUID][2]int{}}
	sitemapTables.m[key] = d
	runtime.AddCleanup(s, func(k weak.Pointer[Store]) {
		sitemapTables.mu.Lock()
		defer sitemapTables.mu.Unlock()
		delete(sitemapTables.m, k)
	}, key)
	return d
}

// FinishAnalysis stores a finished sitemap analysis if job still owns its
// domain: files are upserted by URL (keeping the stored ID), the totals
// replaced and the domain set to Completed.
func (s *Store) FinishAnalysis(ctx context.Context, job queue.Job, out sitemap.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wf := core.SitemapCuration
	d, err := s.state.fenced(wf, job)
	if err != nil {
		return err
	}
	if err := setSecondary(&d, wf.Secondary, wf.Done, nil); err != nil {
		return err
	}
	data := s.sitemapData()
	fs := data.files[d.ID]
	if fs == nil {
		fs = map[string]sitemap.File{}
		data.files[d.ID] = fs
	}
	for _, f := range out.Files {
		if old, ok := fs[f.URL]; ok {
			f.ID = old.ID
		}
		f.DomainID = d.ID
		if f.LastModified != nil {
			t := *f.LastModified
			f.LastModified = &t
		}
		fs[f.URL] = f
	}
	data.totals[d.ID] = [2]int{len(out.Files), out.TotalURLs}
	d.UpdatedAt = out.FinishedAt
	s.state.domains[d.ID] = d
	s.state.setLease(wf, d.ID, lease{})
	return nil
}

// SitemapFiles returns the domain's sitemap files ordered by URL.
func (s *Store) SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]sitemap.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs := s.sitemapData().files[domainID]
	out := make([]sitemap.File, 0, len(fs))
	for _, f := range fs {
		if f.LastModified != nil {
			t := *f.LastModified
			f.LastModified = &t
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b sitemap.File) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

// SitemapTotals returns the number of sitemap files and of URLs the
// domain's last finished analysis found (zero before any), or an error
// wrapping core.ErrNotFound for an unknown domain. They stand in for the
// Domain columns sitemap_count and sitemap_url_count.
func (s *Store) SitemapTotals(ctx context.Context, domainID uuid.UUID) (files, urls int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.state.domains[domainID]; !ok {
		return 0, 0, fmt.Errorf("domain %s: %w", domainID, core.ErrNotFound)
	}
	t := s.sitemapData().totals[domainID]
	return t[0], t[1], nil
}
