package bunstore

import (
	"context"
	"fmt"

	"github.com/scrapersky/scrapersky-go/core"
)

// countStatusesSQL counts domains by the value of every status column in
// one statement: four GROUP BYs glued with UNION ALL, each of which can
// read a status index. NULL is reported as "".
const countStatusesSQL = `
SELECT 'email_scan_status' AS field, email_scan_status AS status, count(*) AS n FROM domains GROUP BY 2
UNION ALL
SELECT 'page_scrape_status', COALESCE(page_scrape_status, ''), count(*) FROM domains GROUP BY 2
UNION ALL
SELECT 'sitemap_curation_status', sitemap_curation_status, count(*) FROM domains GROUP BY 2
UNION ALL
SELECT 'sitemap_analysis_status', COALESCE(sitemap_analysis_status, ''), count(*) FROM domains GROUP BY 2`

// CountStatuses counts domains by the value of every status column, for
// metrics. NULL is reported as "".
func (c Common) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	d := c.D
	var rows []struct {
		Field  string `bun:"field"`
		Status string `bun:"status"`
		Count  int    `bun:"n"`
	}
	if err := d.DB.NewRaw(countStatusesSQL).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	out := make([]core.StatusCount, len(rows))
	for i, r := range rows {
		out[i] = core.StatusCount{Field: core.Field(r.Field), Status: r.Status, Count: r.Count}
	}
	return out, nil
}
