package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

// OldestStore reports the head of each workflow's queue.
type OldestStore interface {
	Store
	OldestQueued(ctx context.Context, wf core.Workflow) (time.Time, bool, error)
}

// RunOldestQueued checks OldestQueued: nothing queued is (zero, false);
// otherwise the earliest updated_at among the workflow's Queued domains,
// whatever the other workflow or the other statuses hold.
func RunOldestQueued(t *testing.T, s OldestStore) {
	t.Helper()
	ctx := context.Background()
	_, ok, err := s.OldestQueued(ctx, core.EmailScan)
	require.NoError(t, err)
	require.False(t, ok)

	at := func(host string, minutes int, f func(*core.Domain)) core.Domain {
		d := dom(host)
		d.UpdatedAt = t0.Add(time.Duration(minutes) * time.Minute)
		f(&d)
		return d
	}
	Seed(t, s,
		at("oq-running.example.org", 1, func(d *core.Domain) { d.PageScrapeStatus = ptr(core.TaskInProgress) }),
		at("oq-second.example.org", 30, func(d *core.Domain) { d.PageScrapeStatus = ptr(core.TaskQueued) }),
		at("oq-first.example.org", 20, func(d *core.Domain) { d.PageScrapeStatus = ptr(core.TaskQueued) }),
		at("oq-sitemap.example.org", 5, func(d *core.Domain) { d.SitemapAnalysisStatus = ptr(core.AnalysisQueued) }),
	)
	got, ok, err := s.OldestQueued(ctx, core.EmailScan)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, got.Equal(t0.Add(20*time.Minute)), "got %s", got)
	got, ok, err = s.OldestQueued(ctx, core.SitemapCuration)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, got.Equal(t0.Add(5*time.Minute)), "got %s", got)
}
