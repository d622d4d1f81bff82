package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// TestClaimersOfOneStoreTakeTurns is TestClaimAcrossPools within one
// Store: the writer slot hands the database to waiting claimers in the
// order they came, so while the queue lasts every claimer gets batches,
// and every domain goes to one of them.
func TestClaimersOfOneStoreTakeTurns(t *testing.T) {
	t.Parallel()
	const (
		domains  = 300
		claimers = 4
		batch    = 5
	)
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	ids := storetest.QueueDomains(t, s, core.SitemapCuration, "turns", domains)
	got := make([]int, claimers)
	claimed := make([][]uuid.UUID, claimers)
	errs := parallelDo(claimers, func(i int) error {
		for {
			jobs, err := s.Claim(ctx, core.SitemapCuration, batch, time.Minute, time.Now().UTC())
			if err != nil || len(jobs) == 0 {
				return err
			}
			got[i]++
			for _, j := range jobs {
				claimed[i] = append(claimed[i], j.DomainID)
			}
		}
	})
	seen := map[uuid.UUID]bool{}
	for i := range claimers {
		require.NoError(t, errs[i])
		require.Positive(t, got[i], "claimer %d got a turn", i)
		for _, id := range claimed[i] {
			require.False(t, seen[id], "%s claimed twice", id)
			seen[id] = true
		}
	}
	t.Logf("batches per claimer: %v", got)
	require.Len(t, seen, len(ids))
}

// TestClaimBatchOrderAndPlan claims a batch: the jobs come back in polling
// order, and SQLite answers the pick from the claim index in index order,
// without sorting the queue.
func TestClaimBatchOrderAndPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlitetest.NewDB(t)
	s := sqlite.NewStore(db)
	base := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	ds := make([]core.Domain, 20)
	for i := range ds {
		// Inserted newest first, so table order is not polling order.
		ds[i] = core.NewDomain(uuid.NewString()+".example.org", base.Add(-time.Duration(i)*time.Second))
		ds[i].PageScrapeStatus = ptr(core.TaskQueued)
	}
	storetest.Seed(t, s, ds...)
	jobs, err := s.Claim(ctx, core.EmailScan, 5, time.Minute, base)
	require.NoError(t, err)
	require.Len(t, jobs, 5)
	for i, j := range jobs {
		require.Equal(t, ds[len(ds)-1-i].ID, j.DomainID, "job %d", i)
	}

	// EXPLAIN the pick exactly as Claim sends it, and the rescue as Rescue
	// does. Migration 3's listing index (status, updated_at, id) would
	// tempt the planner into searching the status, and for the pick into
	// sorting the queue; each must read its own partial index.
	log := &queryLog{}
	db.AddQueryHook(log)
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		log.take("")
		_, err := s.Claim(ctx, wf, 5, time.Minute, base)
		require.NoError(t, err)
		picks := log.take("SELECT")
		require.Len(t, picks, 1, "%s: one pick", wf.Name)
		plan := strings.Join(queryPlan(t, db, picks[0]), "; ")
		require.Contains(t, plan, "domains_"+secondaryPrefix[wf.Name]+"_queued_idx", wf.Name)
		require.NotContains(t, plan, "TEMP B-TREE", "%s: no sort", wf.Name)

		_, err = s.Rescue(ctx, wf, 3, base)
		require.NoError(t, err)
		rescues := log.take("UPDATE")
		require.Len(t, rescues, 1, "%s: one rescue", wf.Name)
		plan = strings.Join(queryPlan(t, db, rescues[0]), "; ")
		require.Contains(t, plan, "SEARCH jobs USING INDEX jobs_rescue_idx", wf.Name)
	}
}

// secondaryPrefix names each workflow's secondary status column without
// its _status suffix, as the index names use it.
var secondaryPrefix = map[string]string{core.EmailScan.Name: "page_scrape", core.SitemapCuration.Name: "sitemap_analysis"}

// TestQueueWaitsEndWithContext holds the writer slot in a unit of work: a
// claim waiting for it gives up when its context ends, with the context's
// error, and writes nothing.
func TestQueueWaitsEndWithContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	storetest.QueueDomains(t, s, core.EmailScan, "wait", 1)
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Within(ctx, func(context.Context, curation.Repository) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Claim(short, core.EmailScan, 1, time.Minute, time.Now().UTC())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	close(release)
	require.NoError(t, <-done)

	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, time.Now().UTC())
	require.NoError(t, err)
	require.Len(t, jobs, 1, "the domain is still there to claim")
}

func ptr[T any](v T) *T { return &v }
