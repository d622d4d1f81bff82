package postgres_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
)

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
		// lock is the row a worker finishing its job holds first: the
		// domain for a claim to pass over, its run for the rescuer.
		lock string
	}{
		{
			name:    "claim",
			lock:    "SELECT id FROM domains WHERE id = ? FOR UPDATE",
			prepare: func(t *testing.T, s *postgres.Store) time.Time { return time.Now().UTC() },
			op: func(ctx context.Context, s *postgres.Store, now time.Time) (int, error) {
				jobs, err := s.Claim(ctx, core.EmailScan, 5, time.Minute, now)
				return len(jobs), err
			},
		},
		{
			name: "rescue",
			lock: "SELECT id FROM jobs WHERE domain_id = ? FOR UPDATE",
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
			_, err = tx.ExecContext(ctx, c.lock, id)
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
