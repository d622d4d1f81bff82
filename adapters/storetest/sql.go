package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// SQLStores is what RunSQL needs from a SQL adapter: what differs
// between Postgres and SQLite in the cases both share.
type SQLStores struct {
	// New returns an empty store for one test and the database under it,
	// so a case can count rows the ports do not show.
	New func(t *testing.T) (ScanStore, *bun.DB)
	// ErrUnknownWorkflow is the adapter's error for a workflow it does not
	// map to columns.
	ErrUnknownWorkflow error
	// TxPhrase is the phrase the adapter wraps a failed transaction start
	// with ("postgres transaction").
	TxPhrase string
	// StressDomains and StressRounds size the concurrent updates stress
	// case: as large as the store runs well within the time budget.
	StressDomains, StressRounds int
	// Pools returns a store on a fresh database, the database, and n more
	// stores on the same database, each with a connection pool of its own,
	// as separate worker processes would have.
	Pools func(t *testing.T, n int) (QueueStore, *bun.DB, []queue.Queue)
}

// RunSQL runs the cases only the SQL stores pass: outcomes whose records
// carry another domain's ID (the SQL stores rewrite them to the fenced
// domain, memory keeps them as given), a schema CHECK that fails the
// contacts upsert half way through a finish, workflows whose fields are
// not on the column allowlist, the claim's polling order with next
// attempt times set in SQL, the repository's edge cases, racing
// submissions of the same hosts and racing status batches. Postgres and SQLite call it; memory does
// not.
func RunSQL(t *testing.T, stores SQLStores) {
	newStore := func(t *testing.T) ScanStore { s, _ := stores.New(t); return s }
	t.Run("FinishScanOutcomes", func(t *testing.T) { t.Parallel(); testFinishOutcomes(t, newStore) })
	t.Run("FinishScanIsAtomic", func(t *testing.T) { t.Parallel(); testFinishAtomic(t, newStore(t)) })
	t.Run("QueueRejectsUnknownWorkflow", func(t *testing.T) {
		t.Parallel()
		testUnknownWorkflow(t, newStore(t), stores.ErrUnknownWorkflow)
	})
	t.Run("RepoRejectsUnknownWorkflow", func(t *testing.T) {
		t.Parallel()
		testRepoUnknownWorkflow(t, newStore(t), stores.ErrUnknownWorkflow)
	})
	t.Run("RepoEdgeCases", func(t *testing.T) { t.Parallel(); testRepoEdgeCases(t, newStore(t)) })
	t.Run("WithinErrors", func(t *testing.T) { t.Parallel(); testWithinErrors(t, newStore(t), stores.TxPhrase) })
	t.Run("AddDomainsConcurrentSameHosts", func(t *testing.T) {
		t.Parallel()
		s, db := stores.New(t)
		testAddSameHosts(t, s, db)
	})
	t.Run("ClaimOrder", func(t *testing.T) { t.Parallel(); testClaimOrder(t, stores.New) })
	t.Run("ClaimAcrossPools", func(t *testing.T) { t.Parallel(); testClaimAcrossPools(t, stores.Pools) })
	t.Run("ConcurrentUpdatesStress", func(t *testing.T) {
		t.Parallel()
		s, db := stores.New(t)
		testUpdatesStress(t, s, db, stores.StressDomains, stores.StressRounds)
	})
}

// testUnknownWorkflow checks that a workflow reaches SQL only through the
// adapter's column map: every method refuses a workflow whose name is not
// mapped or whose statuses are missing, and nothing is written.
func testUnknownWorkflow(t *testing.T, s ScanStore, errUnknown error) {
	ctx := context.Background()
	id := QueueDomains(t, s, core.EmailScan, "allow", 1)[0]
	job := queue.Job{DomainID: id, RunID: uuid.New(), Token: uuid.New()}
	now := time.Now().UTC()

	workflows := []struct {
		name   string
		mutate func(*core.Workflow)
	}{
		{"name unknown", func(w *core.Workflow) { w.Name = "email" }},
		{"name injection", func(w *core.Workflow) { w.Name = `page_scrape_attempts" = 0; DROP TABLE domains; --` }},
		{"name empty", func(w *core.Workflow) { w.Name = "" }},
		{"status missing", func(w *core.Workflow) { w.Running = nil }},
	}
	calls := map[string]func(wf core.Workflow) error{
		"claim":   func(wf core.Workflow) error { _, err := s.Claim(ctx, wf, 1, time.Minute, now); return err },
		"extend":  func(wf core.Workflow) error { return s.Extend(ctx, wf, job, now) },
		"release": func(wf core.Workflow) error { return s.Release(ctx, wf, job, now) },
		"retry":   func(wf core.Workflow) error { return s.Retry(ctx, wf, job, now, queue.Failure{Public: "x"}, now) },
		"fail":    func(wf core.Workflow) error { return s.Fail(ctx, wf, job, queue.Failure{Public: "x"}, now) },
		"rescue":  func(wf core.Workflow) error { _, err := s.Rescue(ctx, wf, 1, now.Add(time.Hour)); return err },
	}
	for _, w := range workflows {
		for name, call := range calls {
			wf := core.EmailScan
			w.mutate(&wf)
			require.ErrorIs(t, call(wf), errUnknown, "%s/%s", w.name, name)
		}
	}
	st, _ := SecondaryOf(t, s, core.EmailScan, id)
	require.Equal(t, core.EmailScan.Queued, st, "nothing was written")
}

// claimScan queues one domain for the email scan and claims it.
func claimScan(t *testing.T, s ScanStore, prefix string, now time.Time) queue.Job {
	t.Helper()
	QueueDomains(t, s, core.EmailScan, prefix, 1)
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	return jobs[0]
}

func contactOf(job queue.Job, email string, now time.Time) contact.Contact {
	return contact.Contact{ID: uuid.New(), DomainID: job.DomainID, Email: email, Type: contact.TypeCorporate,
		Context: "mail " + email, SourceURL: "http://" + job.Domain + "/", FirstSeenAt: now, LastSeenAt: now}
}

// testFinishOutcomes stores outcomes the contract suite does not build:
// nothing at all, records listed twice, records carrying another domain's
// ID, and the largest context the schema allows.
func testFinishOutcomes(t *testing.T, newStore ScanFactory) {
	now := time.Date(2026, 8, 9, 10, 11, 12, 0, time.UTC)
	later := now.Add(time.Minute)
	cases := []struct {
		name       string
		outcome    func(job queue.Job) scan.Outcome
		wantEmails []string
		wantURLs   []string
		check      func(t *testing.T, cs []contact.Contact, ps []scan.Page)
	}{
		{
			name:    "nothing fetched",
			outcome: func(queue.Job) scan.Outcome { return scan.Outcome{FinishedAt: now} },
		},
		{
			name: "duplicates merged",
			outcome: func(job queue.Job) scan.Outcome {
				first := contactOf(job, "a@x.example.org", now)
				again := contactOf(job, "a@x.example.org", later)
				again.Context = "second sighting"
				return scan.Outcome{
					Contacts: []contact.Contact{first, contactOf(job, "b@x.example.org", now), again},
					Pages: []scan.Page{
						{URL: "http://x.example.org/", Status: 500, FetchedAt: now},
						{URL: "http://x.example.org/", Status: 200, EmailsFound: 2, FetchedAt: later},
					},
					FinishedAt: later,
				}
			},
			wantEmails: []string{"a@x.example.org", "b@x.example.org"},
			wantURLs:   []string{"http://x.example.org/"},
			check: func(t *testing.T, cs []contact.Contact, ps []scan.Page) {
				require.Equal(t, "mail a@x.example.org", cs[0].Context, "the first record is kept")
				require.True(t, cs[0].FirstSeenAt.Equal(now))
				require.True(t, cs[0].LastSeenAt.Equal(later), "with the last sighting")
				require.Equal(t, 200, ps[0].Status, "the last page record wins")
				require.Equal(t, 2, ps[0].EmailsFound)
			},
		},
		{
			name: "stored under the fenced domain",
			outcome: func(job queue.Job) scan.Outcome {
				c := contactOf(job, "c@x.example.org", now)
				c.DomainID = uuid.New()
				return scan.Outcome{
					Contacts:   []contact.Contact{c},
					Pages:      []scan.Page{{DomainID: uuid.New(), URL: "http://x.example.org/c", Status: 200, EmailsFound: 1, FetchedAt: now}},
					FinishedAt: now,
				}
			},
			wantEmails: []string{"c@x.example.org"},
			wantURLs:   []string{"http://x.example.org/c"},
		},
		{
			name: "byte order, longest context",
			outcome: func(job queue.Job) scan.Outcome {
				long := contactOf(job, "b@x.example.org", now)
				long.Context = strings.Repeat("é", scan.MaxContextLength)
				return scan.Outcome{
					Contacts: []contact.Contact{long, contactOf(job, "B@x.example.org", now), contactOf(job, "a_b@x.example.org", now), contactOf(job, "a.b@x.example.org", now)},
					Pages: []scan.Page{
						{URL: "http://x.example.org/b", Status: 200, FetchedAt: now},
						{URL: "http://x.example.org/B", Status: 200, FetchedAt: now},
					},
					FinishedAt: now,
				}
			},
			wantEmails: []string{"B@x.example.org", "a.b@x.example.org", "a_b@x.example.org", "b@x.example.org"},
			wantURLs:   []string{"http://x.example.org/B", "http://x.example.org/b"},
			check: func(t *testing.T, cs []contact.Contact, _ []scan.Page) {
				require.Equal(t, strings.Repeat("é", scan.MaxContextLength), cs[3].Context)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := newStore(t)
			job := claimScan(t, s, "out", now)
			out := c.outcome(job)
			require.NoError(t, s.FinishScan(ctx, job, out))

			d, err := s.GetDomain(ctx, job.DomainID)
			require.NoError(t, err)
			require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
			// The counts are the outcome's, as in the memory store.
			require.Equal(t, len(out.Pages), d.PagesScanned)
			require.Equal(t, len(out.Contacts), d.ContactsFound)
			require.Equal(t, &out.FinishedAt, d.PageScrapeFinishedAt)

			cs, err := s.Contacts(ctx, job.DomainID)
			require.NoError(t, err)
			emails := []string{}
			for _, ct := range cs {
				emails = append(emails, ct.Email)
				require.Equal(t, job.DomainID, ct.DomainID)
			}
			ps, err := s.Pages(ctx, job.DomainID)
			require.NoError(t, err)
			urls := []string{}
			for _, p := range ps {
				urls = append(urls, p.URL)
				require.Equal(t, job.DomainID, p.DomainID)
			}
			require.Equal(t, append([]string{}, c.wantEmails...), emails)
			require.Equal(t, append([]string{}, c.wantURLs...), urls)
			if c.check != nil {
				c.check(t, cs, ps)
			}
			require.ErrorIs(t, s.FinishScan(ctx, job, out), core.ErrLeaseLost, "a finished job is fenced out")
		})
	}
}

// testFinishAtomic makes the contacts upsert fail after the fenced domain
// update succeeded: the transaction rolls back, so the domain is still
// running under the same claim, and that claim can finish later.
func testFinishAtomic(t *testing.T, s ScanStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	job := claimScan(t, s, "atomic", now)

	bad := contactOf(job, "x@atomic0.example.org", now)
	bad.Type = "bogus"
	out := scan.Outcome{
		Contacts:   []contact.Contact{contactOf(job, "ok@atomic0.example.org", now), bad},
		Pages:      []scan.Page{{URL: "http://atomic0.example.org/", Status: 200, EmailsFound: 2, FetchedAt: now}},
		FinishedAt: now,
	}
	err := s.FinishScan(ctx, job, out)
	require.ErrorContains(t, err, "upsert contacts")
	require.NotErrorIs(t, err, core.ErrLeaseLost)

	d, err := s.GetDomain(ctx, job.DomainID)
	require.NoError(t, err)
	require.Equal(t, core.TaskInProgress, *d.PageScrapeStatus, "the domain update was rolled back")
	require.Zero(t, d.PagesScanned)
	require.Nil(t, d.PageScrapeFinishedAt)
	cs, err := s.Contacts(ctx, job.DomainID)
	require.NoError(t, err)
	require.Empty(t, cs)
	ps, err := s.Pages(ctx, job.DomainID)
	require.NoError(t, err)
	require.Empty(t, ps)

	out.Contacts = out.Contacts[:1]
	require.NoError(t, s.FinishScan(ctx, job, out), "the claim still owns the domain")
	cs, err = s.Contacts(ctx, job.DomainID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
}

// testRepoUnknownWorkflow checks that a workflow reaches SQL only through
// the adapter's column map, in both repository methods, and that a
// refused update writes nothing.
func testRepoUnknownWorkflow(t *testing.T, s ScanStore, errUnknown error) {
	ctx := context.Background()
	d := core.NewDomain("cols.example.org", time.Now())
	_, err := s.AddDomains(ctx, []core.Domain{d})
	require.NoError(t, err)

	cases := []struct {
		name   string
		mutate func(*core.Workflow)
		call   string
	}{
		{"name injection", func(w *core.Workflow) { w.Name = "email_scan_status = 'x'; DROP TABLE domains; --" }, "selected"},
		{"name is a column", func(w *core.Workflow) { w.Name = "email_scan_status" }, "maybe"},
		{"name unknown", func(w *core.Workflow) { w.Name = "page_scrape" }, "selected"},
		{"queued missing", func(w *core.Workflow) { w.Queued = nil }, "selected"},
		{"no active values", func(w *core.Workflow) { w.Active = nil }, "selected"},
	}
	for _, c := range cases {
		wf := core.EmailScan
		c.mutate(&wf)
		status := core.CurationSelected
		if c.call == "maybe" {
			status = core.CurationMaybe
		}
		err := s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
			_, _, _, err := r.SetStatus(ctx, wf, []uuid.UUID{d.ID}, status, time.Now())
			return err
		})
		require.ErrorIs(t, err, errUnknown, c.name)
	}
	got, err := s.GetDomain(ctx, d.ID)
	require.NoError(t, err, "the table survived")
	require.Equal(t, core.CurationNew, got.EmailScanStatus, "nothing was written")
}

// testRepoEdgeCases runs the repository on empty batches, unknown IDs and
// a workflow whose active values leave both a NULL and a set status
// eligible.
func testRepoEdgeCases(t *testing.T, s ScanStore) {
	ctx := context.Background()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ds := []core.Domain{core.NewDomain("e1.example.org", now), core.NewDomain("e2.example.org", now)}
	ds[1].PageScrapeStatus = ptr(core.TaskQueued)
	_, err := s.AddDomains(ctx, ds)
	require.NoError(t, err)
	ids := []uuid.UUID{ds[0].ID, ds[1].ID}

	err = s.Within(ctx, func(ctx context.Context, r curation.Repository) error {
		got, queued, _, err := r.SetStatus(ctx, core.EmailScan, nil, core.CurationSelected, now)
		require.NoError(t, err)
		require.Empty(t, got, "an empty batch updates nothing")
		require.Empty(t, queued)
		got, queued, _, err = r.SetStatus(ctx, core.EmailScan, []uuid.UUID{}, core.CurationSelected, now)
		require.NoError(t, err)
		require.Empty(t, got)
		require.Empty(t, queued)

		// A workflow whose active values are neither NULL nor Queued
		// queues both rows: NULL is not active.
		done := core.EmailScan
		done.Queued, done.Active = core.TaskCompleted, []core.Secondary{core.TaskCancelled}
		got, queued, _, err = r.SetStatus(ctx, done, ids, core.CurationSelected, now)
		require.NoError(t, err)
		require.ElementsMatch(t, ids, got)
		require.ElementsMatch(t, ids, queued)

		got, queued, _, err = r.SetStatus(ctx, core.EmailScan, []uuid.UUID{uuid.New()}, core.CurationSelected, now)
		require.NoError(t, err)
		require.Empty(t, got, "unknown IDs drop out without an error")
		require.Empty(t, queued)
		return nil
	})
	require.NoError(t, err)
	for _, id := range ids {
		d, err := s.GetDomain(ctx, id)
		require.NoError(t, err)
		require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
	}
}

// testWithinErrors checks that fn's error comes back unwrapped, and that a
// cancelled context fails before fn runs, wrapped with txPhrase.
func testWithinErrors(t *testing.T, s ScanStore, txPhrase string) {
	errMine := errors.New("mine")
	err := s.Within(context.Background(), func(context.Context, curation.Repository) error { return errMine })
	require.Equal(t, errMine, err, "fn's error comes back as it is")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err = s.Within(ctx, func(context.Context, curation.Repository) error { called = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, txPhrase)
	require.False(t, called, "no transaction, no fn")
}

// testAddSameHosts stores a host listed twice once, then races eight
// submissions of the same hosts with fresh IDs: all must agree on one
// stored ID per host, and db must hold one row per host.
func testAddSameHosts(t *testing.T, s ScanStore, db *bun.DB) {
	ctx := context.Background()
	got, err := s.AddDomains(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, got)

	// A host listed twice in one batch is stored once, with its first ID.
	first, second := core.NewDomain("twice.example.org", time.Now()), core.NewDomain("twice.example.org", time.Now())
	got, err = s.AddDomains(ctx, []core.Domain{first, second})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, first.ID, got[0].ID)
	require.Equal(t, first.ID, got[1].ID)

	const workers, hosts = 8, 50
	results := make([][]core.Domain, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		batch := make([]core.Domain, hosts)
		for i := range batch {
			// Reverse order in every other batch so inserts interleave.
			h := i
			if w%2 == 1 {
				h = hosts - 1 - i
			}
			batch[i] = core.NewDomain(fmt.Sprintf("race%d.example.org", h), time.Now())
		}
		wg.Go(func() { results[w], errs[w] = s.AddDomains(ctx, batch) })
	}
	wg.Wait()
	idOf := map[string]uuid.UUID{}
	for w := range workers {
		require.NoError(t, errs[w])
		require.Len(t, results[w], hosts)
		for i, d := range results[w] {
			h := i
			if w%2 == 1 {
				h = hosts - 1 - i
			}
			require.Equal(t, fmt.Sprintf("race%d.example.org", h), d.Domain, "input order is kept")
			if prev, ok := idOf[d.Domain]; ok {
				require.Equal(t, prev, d.ID, "%s has one ID", d.Domain)
			}
			idOf[d.Domain] = d.ID
		}
	}
	require.Len(t, idOf, hosts)
	var count int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM domains WHERE domain LIKE 'race%'").Scan(ctx, &count))
	require.Equal(t, hosts, count)
}

// testClaimOrder checks the polling order of the claim: queued domains
// oldest update first, ties by id, a domain whose run waits for a retry
// counting by its update (a retry updates it) once the retry is due and
// never before. The times come in two sets: apart by minutes, and apart by
// less than a second (which checks that SQLite's stored text sorts and
// compares as time).
func testClaimOrder(t *testing.T, newStore func(t *testing.T) (ScanStore, *bun.DB)) {
	base := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	now := base.Add(24 * time.Hour)
	type row struct {
		name    string
		id      uuid.UUID
		updated time.Time
		next    *time.Time // nil: no waiting run
		pos     int        // claim position, -1 never
	}
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	coarse := []row{
		{name: "retry not due", id: uuid.New(), updated: base.Add(-time.Hour), next: at(time.Hour), pos: -1},
		{name: "retry due later", id: uuid.New(), updated: base.Add(-2 * time.Hour), next: at(-30 * time.Minute), pos: 0},
		{name: "tie high id", id: uuid.MustParse("ffffffff-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 5},
		{name: "fresh newer", id: uuid.New(), updated: base.Add(2 * time.Minute), pos: 3},
		{name: "retry due first", id: uuid.New(), updated: base.Add(time.Hour), next: at(-time.Hour), pos: 6},
		{name: "tie low id", id: uuid.MustParse("00000000-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 4},
		{name: "fresh oldest", id: uuid.New(), updated: base.Add(time.Minute), pos: 2},
		{name: "retry due exactly now", id: uuid.New(), updated: base, next: at(0), pos: 1},
	}
	fine := []row{
		{name: "retry not due", id: uuid.New(), updated: base.Add(-time.Hour), next: at(time.Microsecond), pos: -1},
		{name: "retry due later", id: uuid.New(), updated: base.Add(-2 * time.Hour), next: at(-500 * time.Millisecond), pos: 0},
		{name: "tie high id", id: uuid.MustParse("ffffffff-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 6},
		{name: "fresh newer", id: uuid.New(), updated: base.Add(time.Minute + 5*time.Millisecond), pos: 4},
		{name: "retry due first", id: uuid.New(), updated: base.Add(time.Hour), next: at(-time.Hour), pos: 7},
		{name: "tie low id", id: uuid.MustParse("00000000-0000-4000-8000-000000000000"), updated: base.Add(3 * time.Minute), pos: 5},
		{name: "fresh oldest", id: uuid.New(), updated: base.Add(time.Minute), pos: 3},
		{name: "retry due a little earlier", id: uuid.New(), updated: base, next: at(-1500 * time.Millisecond), pos: 1},
		{name: "retry due exactly now", id: uuid.New(), updated: base.Add(time.Millisecond), next: at(0), pos: 2},
	}
	sets := []struct {
		name string
		rows []row
	}{{"minutes apart", coarse}, {"below the second", fine}}
	for _, set := range sets {
		for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
			t.Run(set.name+"/"+wf.Name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				s, db := newStore(t)
				claimable := 0
				for _, r := range set.rows {
					if r.pos >= 0 {
						claimable++
					}
				}
				want := make([]string, claimable)
				byID := map[uuid.UUID]string{}
				for _, r := range set.rows {
					d := core.NewDomain(strings.ReplaceAll(r.name, " ", "-")+".example.org", r.updated)
					d.ID = r.id
					Seed(t, s, WithSecondary(d, wf, wf.Queued))
					if r.next != nil {
						_, err := db.NewInsert().Model(&map[string]any{
							"id": uuid.New(), "workflow": wf.Name, "domain_id": r.id, "state": "waiting",
							"attempt": 1, "next_attempt_at": *r.next, "started_at": base,
						}).TableExpr("jobs").Exec(ctx)
						require.NoError(t, err)
					}
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
}

// testClaimAcrossPools is the multi-process case the in-memory store cannot
// have: four claimers, each on a pool of its own, drain 200 queued domains.
// The store's claim (SKIP LOCKED on PostgreSQL, IMMEDIATE transactions and
// the busy timeout on SQLite) must hand every domain to exactly one of them,
// with one fresh token each. The split between claimers is logged, not
// checked: SQLite's busy handler is not fair.
func testClaimAcrossPools(t *testing.T, pools func(t *testing.T, n int) (QueueStore, *bun.DB, []queue.Queue)) {
	const domains, claimers, batch = 200, 4, 7
	ctx := context.Background()
	s, db, others := pools(t, claimers)
	wf := core.EmailScan
	ids := QueueDomains(t, s, wf, "pool", domains)

	got := make([][]queue.Job, claimers)
	errs := make([]error, claimers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range claimers {
		wg.Go(func() {
			<-start
			for {
				jobs, err := others[i].Claim(ctx, wf, batch, time.Minute, time.Now().UTC())
				if err != nil || len(jobs) == 0 {
					errs[i] = err
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
	require.NoError(t, db.NewRaw(`SELECT count(*), coalesce(sum(d.page_scrape_attempts), 0) FROM domains AS d
		JOIN jobs AS j ON j.domain_id = d.id AND j.workflow = 'email_scan'
		WHERE d.page_scrape_status = 'InProgress' AND j.state = 'running' AND j.claim_token IS NOT NULL
			AND j.attempt = d.page_scrape_attempts`).Scan(ctx, &running, &attempts))
	require.Equal(t, domains, running)
	require.Equal(t, domains, attempts, "one attempt each")
}
