package bunstore

import (
	"context"
	"fmt"

	"github.com/scrapersky/scrapersky-go/core"
)

// countStatusesSQL counts domains by the combination of their four status
// columns in one pass over the table (at most 5 × 6 × 5 × 5 groups);
// CountStatuses adds the combinations up per column. One scan instead of
// one per column: on 500,000 domains it took 0.72 s against 1.6 s (and
// 1.2 s against 3.7 s in a second run) for four GROUP BYs glued with
// UNION ALL (PostgreSQL, medians of 5, alternated, on a loaded 2-core
// machine). NULL is reported as "".
const countStatusesSQL = `
SELECT email_scan_status AS email, COALESCE(page_scrape_status, '') AS page,
	sitemap_curation_status AS curation, COALESCE(sitemap_analysis_status, '') AS analysis,
	count(*) AS n
FROM domains
GROUP BY 1, 2, 3, 4`

// CountStatuses counts domains by the value of every status column, for
// metrics and GET /api/v3/domains/stats. NULL is reported as "".
func (c Common) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	d := c.D
	var rows []struct {
		Email    string `bun:"email"`
		Page     string `bun:"page"`
		Curation string `bun:"curation"`
		Analysis string `bun:"analysis"`
		Count    int    `bun:"n"`
	}
	if err := d.DB.NewRaw(countStatusesSQL).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	type key struct {
		field  core.Field
		status string
	}
	sums := map[key]int{}
	var order []key
	add := func(f core.Field, status string, n int) {
		k := key{f, status}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += n
	}
	for _, r := range rows {
		add(core.FieldEmailScanStatus, r.Email, r.Count)
		add(core.FieldPageScrapeStatus, r.Page, r.Count)
		add(core.FieldSitemapCurationStatus, r.Curation, r.Count)
		add(core.FieldSitemapAnalysisStatus, r.Analysis, r.Count)
	}
	out := make([]core.StatusCount, len(order))
	for i, k := range order {
		out[i] = core.StatusCount{Field: k.field, Status: k.status, Count: sums[k]}
	}
	return out, nil
}
