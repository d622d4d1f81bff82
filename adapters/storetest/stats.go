package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

// StatsStore counts domains by status.
type StatsStore interface {
	Store
	CountStatuses(ctx context.Context) ([]core.StatusCount, error)
}

// RunStats checks CountStatuses against a few seeded domains.
func RunStats(t *testing.T, s StatsStore) {
	t.Helper()
	a, b, c := dom("st-a.example.org"), dom("st-b.example.org"), dom("st-c.example.org")
	a.EmailScanStatus = core.CurationSelected
	a.PageScrapeStatus = ptr(core.TaskQueued)
	b.EmailScanStatus = core.CurationSelected
	b.PageScrapeStatus = ptr(core.TaskCompleted)
	c.SitemapAnalysisStatus = ptr(core.AnalysisError)
	Seed(t, s, a, b, c)
	got, err := s.CountStatuses(context.Background())
	require.NoError(t, err)
	m := map[core.Field]map[string]int{}
	for _, sc := range got {
		if m[sc.Field] == nil {
			m[sc.Field] = map[string]int{}
		}
		m[sc.Field][sc.Status] = sc.Count
	}
	require.Equal(t, map[string]int{"Selected": 2, "New": 1}, m[core.FieldEmailScanStatus])
	require.Equal(t, map[string]int{"Queued": 1, "Completed": 1, "": 1}, m[core.FieldPageScrapeStatus])
	require.Equal(t, map[string]int{"New": 3}, m[core.FieldSitemapCurationStatus])
	require.Equal(t, map[string]int{"Error": 1, "": 2}, m[core.FieldSitemapAnalysisStatus])
}
