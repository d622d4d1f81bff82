package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// jobsVersion is the migration that moved the queue into the jobs table;
// the one before it kept the queue's columns on domains.
const (
	jobsVersion   = "20260101000005"
	beforeVersion = "20260101000004"
)

// RunMigrateJobs migrates a database holding live queue state (fresh,
// waiting, running, failed and completed domains in both workflows) across
// migration 5 and back, and checks that nothing is lost: the runs it makes
// carry the attempts, claims, retry times, errors and counts; down puts the
// columns back as they were; and, up again, a worker's claim from before
// the migration still finishes its scan, a retry waits for its time and a
// fresh domain starts its first run.
func RunMigrateJobs(t *testing.T, m Migrations, newStore func(db *bun.DB) ScanStore) {
	t.Run("LiveStateAcrossJobsMigration", func(t *testing.T) {
		t.Parallel()
		testMigrateJobs(t, m, newStore)
	})
}

// oldQueue is a domain's queue columns before migration 5.
type oldQueue struct {
	Status     *string    `bun:"page_scrape_status"`
	Error      *string    `bun:"page_scrape_error"`
	Attempts   int        `bun:"page_scrape_attempts"`
	Token      *uuid.UUID `bun:"page_scrape_claim_token"`
	Lease      *time.Time `bun:"page_scrape_lease_expires_at"`
	Next       *time.Time `bun:"page_scrape_next_attempt_at"`
	Started    *time.Time `bun:"page_scrape_started_at"`
	Finished   *time.Time `bun:"page_scrape_finished_at"`
	Pages      int        `bun:"pages_scanned"`
	Contacts   int        `bun:"contacts_found"`
	SMStatus   *string    `bun:"sitemap_analysis_status"`
	SMToken    *uuid.UUID `bun:"sitemap_analysis_claim_token"`
	SMAttempts int        `bun:"sitemap_analysis_attempts"`
}

// jobRow is a jobs row as the test reads it.
type jobRow struct {
	ID       uuid.UUID  `bun:"id"`
	Workflow string     `bun:"workflow"`
	State    string     `bun:"state"`
	Attempt  int        `bun:"attempt"`
	Token    *uuid.UUID `bun:"claim_token"`
	Lease    *time.Time `bun:"lease_expires_at"`
	Next     *time.Time `bun:"next_attempt_at"`
	Started  time.Time  `bun:"started_at"`
	Finished *time.Time `bun:"finished_at"`
	Pages    int        `bun:"pages_scanned"`
	Contacts int        `bun:"contacts_found"`
	Error    *string    `bun:"error"`
}

func testMigrateJobs(t *testing.T, m Migrations, newStore func(db *bun.DB) ScanStore) {
	ctx := context.Background()
	db := m.Open(t, m.Empty(t))
	_, err := m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	downTo := func(version string) {
		t.Helper()
		for {
			st, err := m.Status(ctx, db)
			require.NoError(t, err)
			if st.Version <= version {
				return
			}
			_, err = m.Migrate(ctx, db, bunstore.Down)
			require.NoError(t, err)
		}
	}
	downTo(beforeVersion)

	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	s := func(v string) *string { return &v }
	token, smToken := uuid.New(), uuid.New()
	ids := map[string]uuid.UUID{}
	old := map[string]oldQueue{
		"fresh":     {Status: s("Queued")},
		"retrying":  {Status: s("Queued"), Error: s("HTTP 503"), Attempts: 2, Next: at(time.Hour), Started: at(-time.Hour)},
		"running":   {Status: s("InProgress"), Attempts: 1, Token: &token, Lease: at(10 * time.Minute), Started: at(-time.Minute), SMStatus: s("Processing"), SMToken: &smToken, SMAttempts: 2},
		"failed":    {Status: s("Error"), Error: s("robots.txt disallows /"), Attempts: 3, Started: at(-3 * time.Hour), Finished: at(-2 * time.Hour)},
		"completed": {Status: s("Completed"), Attempts: 1, Started: at(-5 * time.Hour), Finished: at(-4 * time.Hour), Pages: 7, Contacts: 2, SMStatus: s("Completed")},
		"never":     {},
	}
	for name, q := range old {
		id := uuid.New()
		ids[name] = id
		_, err := db.ExecContext(ctx, `INSERT INTO domains (id, domain, created_at, updated_at,
			page_scrape_status, page_scrape_error, page_scrape_attempts, page_scrape_claim_token,
			page_scrape_lease_expires_at, page_scrape_next_attempt_at, page_scrape_started_at,
			page_scrape_finished_at, pages_scanned, contacts_found,
			sitemap_analysis_status, sitemap_analysis_claim_token, sitemap_analysis_attempts,
			sitemap_analysis_lease_expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, name+".example.org", now.Add(-24*time.Hour), now.Add(-time.Minute),
			q.Status, q.Error, q.Attempts, q.Token, q.Lease, q.Next, q.Started, q.Finished, q.Pages, q.Contacts,
			q.SMStatus, q.SMToken, q.SMAttempts, q.Lease)
		require.NoError(t, err, name)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
		VALUES (?, ?, 'a@completed.example.org', 'corporate', FALSE, 'http://completed.example.org/', ?, ?)`,
		uuid.New(), ids["completed"], now, now)
	require.NoError(t, err)

	readOld := func() map[string]oldQueue {
		t.Helper()
		out := map[string]oldQueue{}
		for name, id := range ids {
			var q oldQueue
			require.NoError(t, db.NewRaw(`SELECT page_scrape_status, page_scrape_error, page_scrape_attempts,
				page_scrape_claim_token, page_scrape_lease_expires_at, page_scrape_next_attempt_at,
				page_scrape_started_at, page_scrape_finished_at, pages_scanned, contacts_found,
				sitemap_analysis_status, sitemap_analysis_claim_token, sitemap_analysis_attempts
				FROM domains WHERE id = ?`, id).Scan(ctx, &q), name)
			out[name] = normalizeOld(q)
		}
		return out
	}
	before := readOld()

	// Up: the live state becomes runs.
	_, err = m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	runs := func(name, workflow string) []jobRow {
		t.Helper()
		var rows []jobRow
		require.NoError(t, db.NewRaw(`SELECT id, workflow, state, attempt, claim_token, lease_expires_at,
			next_attempt_at, started_at, finished_at, pages_scanned, contacts_found, error
			FROM jobs WHERE domain_id = ? AND workflow = ?`, ids[name], workflow).Scan(ctx, &rows), name)
		return rows
	}
	require.Empty(t, runs("fresh", "email_scan"), "a domain never tried starts its run at its first claim")
	require.Empty(t, runs("never", "email_scan"))

	r := runs("retrying", "email_scan")
	require.Len(t, r, 1)
	require.Equal(t, "waiting", r[0].State)
	require.Equal(t, 2, r[0].Attempt)
	require.True(t, at(time.Hour).Equal(*r[0].Next))
	require.Equal(t, "HTTP 503", *r[0].Error)

	r = runs("running", "email_scan")
	require.Len(t, r, 1)
	require.Equal(t, "running", r[0].State)
	require.Equal(t, token, *r[0].Token)
	require.True(t, at(10*time.Minute).Equal(*r[0].Lease))
	require.True(t, at(-time.Minute).Equal(r[0].Started))
	runningRun := r[0].ID
	r = runs("running", "sitemap_curation")
	require.Len(t, r, 1)
	require.Equal(t, smToken, *r[0].Token)
	require.Equal(t, 2, r[0].Attempt)

	r = runs("failed", "email_scan")
	require.Len(t, r, 1)
	require.Equal(t, "failed", r[0].State)
	require.Equal(t, 3, r[0].Attempt)
	require.Equal(t, "robots.txt disallows /", *r[0].Error)
	require.True(t, at(-2*time.Hour).Equal(*r[0].Finished))

	r = runs("completed", "email_scan")
	require.Len(t, r, 1)
	require.Equal(t, "completed", r[0].State)
	require.Equal(t, 7, r[0].Pages)
	require.Equal(t, 2, r[0].Contacts)
	require.True(t, at(-5*time.Hour).Equal(r[0].Started))
	require.True(t, at(-4*time.Hour).Equal(*r[0].Finished))
	require.Len(t, runs("completed", "sitemap_curation"), 1)

	// Down: the columns come back as they were.
	downTo(beforeVersion)
	require.Equal(t, before, readOld(), "down restores the queue columns")

	// Up again, and the queue carries on where it was.
	_, err = m.Migrate(ctx, db, bunstore.Up)
	require.NoError(t, err)
	st := newStore(db)
	r = runs("running", "email_scan")
	require.Len(t, r, 1)
	job := queue.Job{DomainID: ids["running"], Domain: "running.example.org", RunID: r[0].ID, Attempt: 1, Token: token}
	require.NotEqual(t, runningRun, uuid.Nil)
	require.NoError(t, st.Extend(ctx, core.EmailScan, job, now.Add(20*time.Minute)), "the claim survived")
	require.NoError(t, st.FinishScan(ctx, job, scan.Outcome{FinishedAt: now, Pages: []scan.Page{
		{DomainID: job.DomainID, URL: "http://running.example.org/", Status: 200, FetchedAt: now}}}))
	d, err := st.GetDomain(ctx, ids["running"])
	require.NoError(t, err)
	require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
	require.Equal(t, 1, d.PagesScanned)

	jobs, err := st.Claim(ctx, core.EmailScan, 10, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1, "only the fresh domain is due")
	require.Equal(t, ids["fresh"], jobs[0].DomainID)
	require.Equal(t, 1, jobs[0].Attempt)
	jobs, err = st.Claim(ctx, core.EmailScan, 10, time.Minute, now.Add(2*time.Hour))
	require.NoError(t, err)
	require.Len(t, jobs, 1, "the retry, once due")
	require.Equal(t, ids["retrying"], jobs[0].DomainID)
	require.Equal(t, 3, jobs[0].Attempt, "its attempts carried over")

	d, err = st.GetDomain(ctx, ids["completed"])
	require.NoError(t, err)
	require.Equal(t, 7, d.PagesScanned, "the summary on domains is untouched")
	require.Equal(t, 1, d.PageScrapeAttempts)
	cs, err := st.Contacts(ctx, ids["completed"])
	require.NoError(t, err)
	require.Len(t, cs, 1)
}

// normalizeOld puts times in UTC, as both databases give them back.
func normalizeOld(q oldQueue) oldQueue {
	for _, p := range []**time.Time{&q.Lease, &q.Next, &q.Started, &q.Finished} {
		if *p != nil {
			v := (**p).UTC()
			*p = &v
		}
	}
	return q
}
