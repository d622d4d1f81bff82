package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// These tests check the locking rules of the Postgres store with a second
// connection that holds a row lock, and pg_stat_activity to see whether
// the store's statement waits for it. They do not depend on timing: a
// statement either returns or shows up as waiting on a lock.

// lockRow opens a transaction on db that holds the row lock of id until
// the returned rollback runs (at the latest when the test ends).
func lockRow(t *testing.T, db *bun.DB, id uuid.UUID) (bun.Tx, func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	var got []uuid.UUID
	require.NoError(t, tx.NewRaw("SELECT id FROM domains WHERE id = ? FOR UPDATE", id).Scan(ctx, &got))
	require.Len(t, got, 1)
	done := false
	rollback := func() {
		if !done {
			done = true
			require.NoError(t, tx.Rollback())
		}
	}
	t.Cleanup(rollback)
	return tx, rollback
}

// lockRunRow holds, in a transaction on db, the lock a finishing worker
// takes first: its running run of wf on domain id (FinishScan writes the run,
// then the domain). The returned function rolls back.
func lockRunRow(t *testing.T, db *bun.DB, wf core.Workflow, id uuid.UUID) func() {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	var got []uuid.UUID
	require.NoError(t, tx.NewRaw("SELECT id FROM jobs WHERE workflow = ? AND domain_id = ? AND state = 'running' FOR UPDATE",
		wf.Name, id).Scan(ctx, &got))
	require.Len(t, got, 1)
	done := false
	rollback := func() {
		if !done {
			done = true
			require.NoError(t, tx.Rollback())
		}
	}
	t.Cleanup(rollback)
	return rollback
}

// lockWaiters counts the sessions of the test's database that wait for a
// lock.
func lockWaiters(t *testing.T, db *bun.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.NewRaw(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(context.Background(), &n))
	return n
}

// waitOrReturn runs op and reports whether it waited for a lock (true), or
// returned before any session of the database waited (false, with op's
// error). When it waited, op's result comes later on the returned channel.
func waitOrReturn(t *testing.T, db *bun.DB, op func() error) (waited bool, result <-chan error) {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- op() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-ch:
			ch <- err
			return false, ch
		default:
		}
		if lockWaiters(t, db) > 0 {
			return true, ch
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the statement neither returned nor waited for a lock within 30 s")
	return false, nil
}

// TestPutLocksRowsInIDOrder makes the lock order of a status update (the
// PUT) visible. The rows are stored in the reverse of their ID order, so a
// plan that locks in scan order takes the highest ID first. Another
// transaction holds the highest ID; the update must wait for it holding
// every lower ID already, which the other transaction then finds locked
// (NOWAIT fails with 55P03). Locking in any other order would let two
// overlapping batches each hold a row the other needs: a deadlock.
func TestPutLocksRowsInIDOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := postgres.NewStore(pgtest.Open(t, dsn))
	other := pgtest.Open(t, dsn)

	const n = 40
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
	}
	// Descending IDs in ascending host order: the store inserts in host
	// order, so the heap holds the rows from the highest ID down.
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(b[:], a[:]) })
	ds := make([]core.Domain, n)
	for i := range ds {
		ds[i] = core.NewDomain(fmt.Sprintf("lo%03d.example.org", i), time.Now())
		ds[i].ID = ids[i]
	}
	storetest.Seed(t, s, ds...)
	highest, lowest := ids[0], ids[n-1]

	tx, rollback := lockRow(t, other, highest)
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil)
	var res curation.UpdateResult
	waited, result := waitOrReturn(t, other, func() error {
		var err error
		res, err = u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
		return err
	})
	if !waited {
		t.Fatalf("the update did not wait for the locked row (error %v)", <-result)
	}

	_, err := tx.ExecContext(ctx, "SELECT id FROM domains WHERE id = ? FOR UPDATE NOWAIT", lowest)
	require.Error(t, err, "while the update waited for the highest ID, the lowest was not locked: the update does not lock in ID order")
	require.Equal(t, "55P03", sqlState(err), "%v", err)

	rollback()
	require.NoError(t, <-result)
	require.Equal(t, n, res.Updated)
	require.Equal(t, n, res.Queued)
}

// TestClaimSkipsLockedRows checks that a claim passes over a queued row
// another transaction holds (a finishing worker, another claimer) instead
// of waiting for it.
func TestClaimSkipsLockedRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := postgres.NewStore(pgtest.Open(t, dsn))
	other := pgtest.Open(t, dsn)
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		ids := storetest.QueueDomains(t, s, wf, "skip-"+wf.Name, 3)
		_, rollback := lockRow(t, other, ids[0])

		var claimed []uuid.UUID
		waited, result := waitOrReturn(t, other, func() error {
			jobs, err := s.Claim(ctx, wf, 3, time.Minute, time.Now().UTC())
			for _, j := range jobs {
				claimed = append(claimed, j.DomainID)
			}
			return err
		})
		rollback()
		require.False(t, waited, "%s: the claim waited for a row another transaction locked (no SKIP LOCKED?)", wf.Name)
		require.NoError(t, <-result)
		require.ElementsMatch(t, ids[1:], claimed, "%s: the two unlocked rows are claimed, the locked one skipped", wf.Name)
	}
}

// TestRescueSkipsLockedRows checks that the rescuer passes over an expired
// row another transaction holds (a worker committing its result right
// now) instead of waiting for it, and takes the row on a later pass.
func TestRescueSkipsLockedRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := postgres.NewStore(pgtest.Open(t, dsn))
	other := pgtest.Open(t, dsn)
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		ids := storetest.QueueDomains(t, s, wf, "rsk-"+wf.Name, 2)
		now := time.Now().UTC()
		jobs, err := s.Claim(ctx, wf, 2, time.Minute, now)
		require.NoError(t, err)
		require.Len(t, jobs, 2)
		rollback := lockRunRow(t, other, wf, ids[0])

		var moved int
		waited, result := waitOrReturn(t, other, func() error {
			var err error
			moved, err = s.Rescue(ctx, wf, 5, now.Add(time.Hour))
			return err
		})
		rollback()
		require.False(t, waited, "%s: the rescue waited for a row another transaction locked (no SKIP LOCKED?)", wf.Name)
		require.NoError(t, <-result)
		require.Equal(t, 1, moved, "%s: only the unlocked expired row is rescued", wf.Name)
		st, _ := storetest.SecondaryOf(t, s, wf, ids[0])
		require.Equal(t, wf.Running, st, "%s: the locked row is left for the next pass", wf.Name)

		moved, err = s.Rescue(ctx, wf, 5, now.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 1, moved, "%s: the next pass takes it", wf.Name)
	}
}
