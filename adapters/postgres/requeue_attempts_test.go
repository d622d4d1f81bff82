package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestRequeueResetsAttempts: selecting a failed domain again queues a fresh
// run, so the attempts shown go back to zero and the old error is cleared,
// in the same statement that sets the status.
func TestRequeueResetsAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.NewDB(t))
	wf := core.EmailScan
	ids := storetest.QueueDomains(t, s, wf, "again", 1)
	now := time.Now().UTC()
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.Fail(ctx, wf, jobs[0], queue.Failure{Public: "boom"}, now))
	d, err := s.GetDomain(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, 1, d.PageScrapeAttempts)

	res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
		Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
	require.NoError(t, err)
	require.Equal(t, 1, res.Queued)
	d, err = s.GetDomain(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, 0, d.PageScrapeAttempts, "a new run starts from zero attempts")
	require.Nil(t, d.PageScrapeError, "the old run's error is cleared")
	st, _ := storetest.SecondaryOf(t, s, wf, ids[0])
	require.Equal(t, wf.Queued, st)
}
