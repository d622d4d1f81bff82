package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestClaimAcrossPools is the multi-process case the in-memory store cannot
// have: four claimers, each with a pool of its own as separate worker
// processes would have, drain 200 queued domains. FOR UPDATE SKIP LOCKED
// must hand every domain to exactly one of them.
func TestClaimAcrossPools(t *testing.T) {
	t.Parallel()
	const (
		domains  = 200
		claimers = 4
		batch    = 7
	)
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db := pgtest.Open(t, dsn)
	s := postgres.NewStore(db)
	wf := core.EmailScan
	ids := storetest.QueueDomains(t, s, wf, "pool", domains)

	stores := make([]*postgres.Store, claimers)
	for i := range stores {
		stores[i] = postgres.NewStore(pgtest.Open(t, dsn))
	}
	got := make([][]queue.Job, claimers)
	errs := make([]error, claimers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range claimers {
		wg.Go(func() {
			<-start
			for {
				jobs, err := stores[i].Claim(ctx, wf, batch, time.Minute, time.Now().UTC())
				if err != nil {
					errs[i] = err
					return
				}
				if len(jobs) == 0 {
					return
				}
				got[i] = append(got[i], jobs...)
			}
		})
	}
	close(start)
	wg.Wait()

	claimed := map[uuid.UUID]int{}
	tokens := map[uuid.UUID]bool{}
	for i := range claimers {
		require.NoError(t, errs[i], "claimer %d", i)
		t.Logf("claimer %d got %d domains", i, len(got[i]))
		for _, j := range got[i] {
			claimed[j.DomainID]++
			require.Equal(t, 1, j.Attempt)
			require.False(t, tokens[j.Token], "token %s handed out twice", j.Token)
			tokens[j.Token] = true
		}
	}
	require.Len(t, claimed, domains, "every domain was claimed")
	for _, id := range ids {
		require.Equal(t, 1, claimed[id], "domain %s claimed %d times", id, claimed[id])
	}

	var running, attempts int
	require.NoError(t, db.NewRaw(`SELECT count(*), coalesce(sum(page_scrape_attempts), 0) FROM domains
		WHERE page_scrape_status = 'InProgress' AND page_scrape_claim_token IS NOT NULL`).Scan(ctx, &running, &attempts))
	require.Equal(t, domains, running)
	require.Equal(t, domains, attempts, "one attempt each")
}

// TestQueueSkipsLockedRows checks that neither the claim nor the rescuer
// waits for a row another transaction holds (a worker finishing its scan):
// both pass over it at once and find it once the lock is gone.
func TestQueueSkipsLockedRows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// prepare leaves the domain where op can move it, and returns
		// the time op runs at.
		prepare func(t *testing.T, s *postgres.Store) time.Time
		op      func(ctx context.Context, s *postgres.Store, now time.Time) (int, error)
	}{
		{
			name:    "claim",
			prepare: func(t *testing.T, s *postgres.Store) time.Time { return time.Now().UTC() },
			op: func(ctx context.Context, s *postgres.Store, now time.Time) (int, error) {
				jobs, err := s.Claim(ctx, core.EmailScan, 5, time.Minute, now)
				return len(jobs), err
			},
		},
		{
			name: "rescue",
			prepare: func(t *testing.T, s *postgres.Store) time.Time {
				now := time.Now().UTC()
				jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Second, now)
				require.NoError(t, err)
				require.Len(t, jobs, 1)
				return now.Add(time.Minute)
			},
			op: func(ctx context.Context, s *postgres.Store, now time.Time) (int, error) {
				return s.Rescue(ctx, core.EmailScan, 5, now)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := pgtest.NewDB(t)
			s := postgres.NewStore(db)
			id := storetest.QueueDomains(t, s, core.EmailScan, "locked", 1)[0]
			now := c.prepare(t, s)

			tx, err := db.BeginTx(ctx, &sql.TxOptions{})
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "SELECT id FROM domains WHERE id = ? FOR UPDATE", id)
			require.NoError(t, err)

			// A statement that waited for the lock would hit this deadline.
			short, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			n, err := c.op(short, s, now)
			require.NoError(t, err, "passes over the locked row instead of waiting")
			require.Zero(t, n)

			require.NoError(t, tx.Rollback())
			n, err = c.op(ctx, s, now)
			require.NoError(t, err)
			require.Equal(t, 1, n, "found once the lock is gone")
		})
	}
}

func ptr[T any](v T) *T { return &v }
