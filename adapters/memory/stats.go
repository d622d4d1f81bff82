package memory

import (
	"context"
	"sort"

	"github.com/scrapersky/scrapersky-go/core"
)

// CountStatuses counts domains by the value of every status column; NULL
// is reported as "".
func (s *Store) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	counts := map[core.StatusCount]int{}
	for _, d := range s.state.domains {
		counts[core.StatusCount{Field: core.FieldEmailScanStatus, Status: string(d.EmailScanStatus)}]++
		counts[core.StatusCount{Field: core.FieldSitemapCurationStatus, Status: string(d.SitemapCurationStatus)}]++
		page, site := "", ""
		if d.PageScrapeStatus != nil {
			page = string(*d.PageScrapeStatus)
		}
		if d.SitemapAnalysisStatus != nil {
			site = string(*d.SitemapAnalysisStatus)
		}
		counts[core.StatusCount{Field: core.FieldPageScrapeStatus, Status: page}]++
		counts[core.StatusCount{Field: core.FieldSitemapAnalysisStatus, Status: site}]++
	}
	out := make([]core.StatusCount, 0, len(counts))
	for k, n := range counts {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return out[i].Status < out[j].Status
	})
	return out, nil
}
