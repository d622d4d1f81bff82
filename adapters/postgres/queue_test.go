package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

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

// TestClaimOrder checks the polling order of the claim index: fresh work
// (no next attempt) first, oldest update first, ties by id; then retries
// that are due, earliest first; retries not yet due never.
func TestClaimOrder(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	now := base.Add(24 * time.Hour)
	type row struct {
		name    string
		id      uuid.UUID
		updated time.Time
		next    *time.Time // nil: NULL
		pos     int        // claim position, -1 never
	}
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	rows := []row{
		{name: "retry not due", id: uuid.New(), updated: base.Add(-time.Hour), next: at(time.Hour), pos: -1},
		{name: "retry due later", id: uuid.New(), updated: base.Add(-2 * time.Hour), next: at(-30 * time.Minute), pos: 5},
		{name: "tie high id", id: uuid.MustParse("ffffffff-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 3},
		{name: "fresh newer", id: uuid.New(), updated: base.Add(2 * time.Minute), pos: 1},
		{name: "retry due first", id: uuid.New(), updated: base.Add(time.Hour), next: at(-time.Hour), pos: 4},
		{name: "tie low id", id: uuid.MustParse("00000000-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 2},
		{name: "fresh oldest", id: uuid.New(), updated: base.Add(time.Minute), pos: 0},
		{name: "retry due exactly now", id: uuid.New(), updated: base, next: at(0), pos: 6},
	}
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		t.Run(wf.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := pgtest.NewDB(t)
			s := postgres.NewStore(db)
			claimable := 0
			for _, r := range rows {
				if r.pos >= 0 {
					claimable++
				}
			}
			want := make([]string, claimable)
			byID := map[uuid.UUID]string{}
			for _, r := range rows {
				d := core.NewDomain(r.name+".example.org", r.updated)
				d.ID = r.id
				if wf.Secondary == core.FieldPageScrapeStatus {
					d.PageScrapeStatus = ptr(core.TaskQueued)
				} else {
					d.SitemapAnalysisStatus = ptr(core.AnalysisQueued)
				}
				storetest.Seed(t, s, d)
				_, err := db.ExecContext(ctx, "UPDATE domains SET ? = ? WHERE id = ?",
					bun.Ident(wf.Prefix+"_next_attempt_at"), r.next, r.id)
				require.NoError(t, err)
				byID[r.id] = r.name
				if r.pos >= 0 {
					want[r.pos] = r.name
				}
			}
			var order []string
			for {
				jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
				require.NoError(t, err)
				if len(jobs) == 0 {
					break
				}
				require.Len(t, jobs, 1)
				order = append(order, byID[jobs[0].DomainID])
			}
			require.Equal(t, want, order)
		})
	}
}

// TestQueueProgressColumns follows one email scan domain through claim,
// retry, claim, fail and a rescue, checking the columns core.Domain shows.
func TestQueueProgressColumns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.NewDB(t))
	wf := core.EmailScan
	id := storetest.QueueDomains(t, s, wf, "progress", 1)[0]
	t1 := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

	jobs, err := s.Claim(ctx, wf, 1, time.Minute, t1)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, queue.Job{DomainID: id, Domain: "progress0.example.org", Attempt: 1, Token: jobs[0].Token,
		LeaseExpiresAt: t1.Add(time.Minute)}, jobs[0])
	d, err := s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, d.PageScrapeAttempts)
	require.Equal(t, &t1, d.PageScrapeStartedAt)
	require.Nil(t, d.PageScrapeFinishedAt)
	require.True(t, d.UpdatedAt.Equal(t1))

	require.NoError(t, s.Retry(ctx, wf, jobs[0], t1.Add(time.Hour), "HTTP 503", t1.Add(time.Second)))
	t2 := t1.Add(2 * time.Hour)
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, t2)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 2, jobs[0].Attempt)
	require.NoError(t, s.Fail(ctx, wf, jobs[0], "robots.txt disallows /", t2.Add(time.Second)))
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, core.TaskError, *d.PageScrapeStatus)
	require.Equal(t, "robots.txt disallows /", *d.PageScrapeError)
	require.Equal(t, &t2, d.PageScrapeStartedAt)
	require.Equal(t, ptr(t2.Add(time.Second)), d.PageScrapeFinishedAt)

	// Queued again by a user, the domain starts a fresh job: attempts from
	// one; a claim clears the finish time, and the rescuer fails the domain
	// when they run out, saying how many there were.
	storetest.QueueAgain(t, s, id)
	t3 := t2.Add(time.Hour)
	jobs, err = s.Claim(ctx, wf, 1, time.Minute, t3)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, 1, jobs[0].Attempt)
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Nil(t, d.PageScrapeFinishedAt)
	n, err := s.Rescue(ctx, wf, 1, t3.Add(2*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	d, err = s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, core.TaskError, *d.PageScrapeStatus)
	require.Equal(t, "lease expired after 1 attempts", *d.PageScrapeError)
	require.Equal(t, ptr(t3.Add(2*time.Minute)), d.PageScrapeFinishedAt)
	require.ErrorIs(t, s.Extend(ctx, wf, jobs[0], t3.Add(time.Hour)), core.ErrLeaseLost, "the rescued job is fenced out")
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

// TestQueueRejectsUnknownWorkflow checks that workflow fields reach SQL only
// through the allowlist: every method refuses a workflow whose prefix is
// unknown or does not match its columns, and nothing is written.
func TestQueueRejectsUnknownWorkflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.NewDB(t))
	id := storetest.QueueDomains(t, s, core.EmailScan, "allow", 1)[0]
	job := queue.Job{DomainID: id, Token: uuid.New()}
	now := time.Now().UTC()

	workflows := []struct {
		name   string
		mutate func(*core.Workflow)
	}{
		{"prefix unknown", func(w *core.Workflow) { w.Prefix = "email" }},
		{"prefix injection", func(w *core.Workflow) { w.Prefix = `page_scrape_attempts" = 0; DROP TABLE domains; --` }},
		{"prefix of the other workflow", func(w *core.Workflow) { w.Prefix = core.SitemapCuration.Prefix }},
		{"secondary of the other workflow", func(w *core.Workflow) { w.Secondary = core.FieldSitemapAnalysisStatus }},
		{"error field is a status", func(w *core.Workflow) { w.ErrorField = core.FieldPageScrapeStatus }},
		{"prefix empty", func(w *core.Workflow) { w.Prefix = "" }},
	}
	calls := map[string]func(wf core.Workflow) error{
		"claim":   func(wf core.Workflow) error { _, err := s.Claim(ctx, wf, 1, time.Minute, now); return err },
		"extend":  func(wf core.Workflow) error { return s.Extend(ctx, wf, job, now) },
		"release": func(wf core.Workflow) error { return s.Release(ctx, wf, job, now) },
		"retry":   func(wf core.Workflow) error { return s.Retry(ctx, wf, job, now, "x", now) },
		"fail":    func(wf core.Workflow) error { return s.Fail(ctx, wf, job, "x", now) },
		"rescue":  func(wf core.Workflow) error { _, err := s.Rescue(ctx, wf, 1, now.Add(time.Hour)); return err },
	}
	for _, w := range workflows {
		for name, call := range calls {
			t.Run(w.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				wf := core.EmailScan
				w.mutate(&wf)
				require.ErrorIs(t, call(wf), postgres.ErrUnknownColumn)
			})
		}
	}
	t.Cleanup(func() {
		st, _ := storetest.SecondaryOf(t, s, core.EmailScan, id)
		require.Equal(t, core.EmailScan.Queued, st, "nothing was written")
	})
}

func ptr[T any](v T) *T { return &v }
