package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
	"github.com/scrapersky/scrapersky-go/adapters/sqlite/sqlitetest"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestClaimAcrossPools is the multi-process case: four claimers, each with
// a Store and a pool of its own as separate worker processes would have,
// drain 200 queued domains of one file. Their writer slots do not know of
// each other, so here SQLite's IMMEDIATE transactions and busy timeout
// alone must hand every domain to exactly one of them, without a "database
// is locked" error. The split is not checked: SQLite's busy handler is not
// fair, and the claimer that holds the lock often takes every batch while
// the others sleep between retries (the log shows it). Within one Store
// the writer slot serves writers in turn.
func TestClaimAcrossPools(t *testing.T) {
	t.Parallel()
	const (
		domains  = 200
		claimers = 4
		batch    = 7
	)
	ctx := context.Background()
	path := sqlitetest.Path(t)
	db := sqlitetest.Open(t, path)
	s := sqlite.NewStore(db)
	wf := core.EmailScan
	ids := storetest.QueueDomains(t, s, wf, "pool", domains)

	stores := make([]*sqlite.Store, claimers)
	for i := range stores {
		stores[i] = sqlite.NewStore(sqlitetest.Open(t, path))
	}
	got := make([][]queue.Job, claimers)
	errs := parallelDo(claimers, func(i int) error {
		for {
			jobs, err := stores[i].Claim(ctx, wf, batch, time.Minute, time.Now().UTC())
			if err != nil || len(jobs) == 0 {
				return err
			}
			got[i] = append(got[i], jobs...)
		}
	})

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

// TestClaimOrder checks the polling order of the claim index: fresh work
// (no next attempt) first, oldest update first, ties by id; then retries
// that are due, earliest first; retries not yet due never. Times that
// differ below the second check that the stored text sorts as time.
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
		{name: "retry not due", id: uuid.New(), updated: base.Add(-time.Hour), next: at(time.Microsecond), pos: -1},
		{name: "retry due later", id: uuid.New(), updated: base.Add(-2 * time.Hour), next: at(-500 * time.Millisecond), pos: 6},
		{name: "tie high id", id: uuid.MustParse("ffffffff-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 3},
		{name: "fresh newer", id: uuid.New(), updated: base.Add(time.Minute + 5*time.Millisecond), pos: 1},
		{name: "retry due first", id: uuid.New(), updated: base.Add(time.Hour), next: at(-time.Hour), pos: 4},
		{name: "tie low id", id: uuid.MustParse("00000000-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 2},
		{name: "fresh oldest", id: uuid.New(), updated: base.Add(time.Minute), pos: 0},
		{name: "retry due a little earlier", id: uuid.New(), updated: base, next: at(-1500 * time.Millisecond), pos: 5},
		{name: "retry due exactly now", id: uuid.New(), updated: base, next: at(0), pos: 7},
	}
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		t.Run(wf.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := sqlitetest.NewDB(t)
			s := sqlite.NewStore(db)
			claimable := 0
			for _, r := range rows {
				if r.pos >= 0 {
					claimable++
				}
			}
			want := make([]string, claimable)
			byID := map[uuid.UUID]string{}
			for _, r := range rows {
				d := core.NewDomain(strings.ReplaceAll(r.name, " ", "-")+".example.org", r.updated)
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
		require.Contains(t, plan, "domains_"+wf.Prefix+"_claim_idx", wf.Name)
		require.NotContains(t, plan, "TEMP B-TREE", "%s: no sort", wf.Name)

		_, err = s.Rescue(ctx, wf, 3, base)
		require.NoError(t, err)
		rescues := log.take("UPDATE")
		require.Len(t, rescues, 1, "%s: one rescue", wf.Name)
		plan = strings.Join(queryPlan(t, db, rescues[0]), "; ")
		require.Contains(t, plan, "SEARCH domains USING INDEX domains_"+wf.Prefix+"_rescue_idx", wf.Name)
	}
}

// TestQueueProgressColumns follows one email scan domain through claim,
// retry, claim, fail, a new queueing and a rescue, checking the columns
// core.Domain shows.
func TestQueueProgressColumns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
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

// TestQueueRejectsUnknownWorkflow checks that workflow fields reach SQL only
// through the allowlist: every method refuses a workflow whose prefix is
// unknown or does not match its columns, and nothing is written.
func TestQueueRejectsUnknownWorkflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
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
			wf := core.EmailScan
			w.mutate(&wf)
			require.ErrorIs(t, call(wf), sqlite.ErrUnknownColumn, "%s/%s", w.name, name)
		}
	}
	st, _ := storetest.SecondaryOf(t, s, core.EmailScan, id)
	require.Equal(t, core.EmailScan.Queued, st, "nothing was written")
}

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
