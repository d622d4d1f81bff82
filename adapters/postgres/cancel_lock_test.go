package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// TestCancelLocksRunBeforeDomain: a PUT that may cancel takes the running
// run's lock before the domain's, the order of a worker's fenced finish
// (run, then domain), so the two wait for each other instead of
// deadlocking. Another transaction holds the run as a finishing worker
// would; the PUT waits for it without holding the domain yet (NOWAIT
// succeeds), and cancels once the lock is released.
func TestCancelLocksRunBeforeDomain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s := postgres.NewStore(db)
	wf := core.EmailScan
	id := storetest.QueueDomains(t, s, wf, "lockcancel", 1)[0]
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, time.Now())
	require.NoError(t, err)
	require.Len(t, jobs, 1)

	release := lockRunRow(t, db, wf, id)
	waited, result := waitOrReturn(t, db, func() error {
		res, err := curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil).
			Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{id}, Status: core.CurationNotAFit})
		if err == nil && res.Cancelled != 1 {
			t.Errorf("cancelled %d, want 1", res.Cancelled)
		}
		return err
	})
	require.True(t, waited, "the PUT waits for the run's lock")

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	var got []uuid.UUID
	require.NoError(t, tx.NewRaw("SELECT id FROM domains WHERE id = ? FOR UPDATE NOWAIT", id).Scan(ctx, &got),
		"the waiting PUT does not hold the domain yet")
	require.Len(t, got, 1)
	require.NoError(t, tx.Rollback())

	release()
	require.NoError(t, <-result)
	st, _ := storetest.SecondaryOf(t, s, wf, id)
	require.Equal(t, core.TaskCancelled, st)
	require.ErrorIs(t, s.Extend(ctx, wf, jobs[0], time.Now().Add(time.Hour)), core.ErrLeaseLost)
}
