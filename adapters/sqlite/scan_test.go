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
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// claimScan queues one domain for the email scan and claims it.
func claimScan(t *testing.T, s *sqlite.Store, prefix string, now time.Time) queue.Job {
	t.Helper()
	storetest.QueueDomains(t, s, core.EmailScan, prefix, 1)
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	return jobs[0]
}

// outcome is a finished scan of job's domain that found emails on one page.
func outcome(job queue.Job, now time.Time, emails ...string) scan.Outcome {
	out := scan.Outcome{FinishedAt: now}
	for _, e := range emails {
		out.Contacts = append(out.Contacts, contactOf(job, e, now))
	}
	out.Pages = []scan.Page{{DomainID: job.DomainID, URL: "http://" + job.Domain + "/", Status: 200, EmailsFound: len(emails), FetchedAt: now}}
	return out
}

func contactOf(job queue.Job, email string, now time.Time) scan.Contact {
	return scan.Contact{ID: uuid.New(), DomainID: job.DomainID, Email: email, Type: contact.TypeCorporate,
		Context: "mail " + email, SourceURL: "http://" + job.Domain + "/", FirstSeenAt: now, LastSeenAt: now}
}

// TestFinishScanOutcomes stores outcomes the contract suite does not build:
// nothing at all, records listed twice, records carrying another domain's
// ID, and the largest context the schema allows.
func TestFinishScanOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 9, 10, 11, 12, 0, time.UTC)
	later := now.Add(time.Minute)
	cases := []struct {
		name       string
		outcome    func(job queue.Job) scan.Outcome
		wantEmails []string
		wantURLs   []string
		check      func(t *testing.T, cs []scan.Contact, ps []scan.Page)
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
					Contacts: []scan.Contact{first, contactOf(job, "b@x.example.org", now), again},
					Pages: []scan.Page{
						{URL: "http://x.example.org/", Status: 500, FetchedAt: now},
						{URL: "http://x.example.org/", Status: 200, EmailsFound: 2, FetchedAt: later},
					},
					FinishedAt: later,
				}
			},
			wantEmails: []string{"a@x.example.org", "b@x.example.org"},
			wantURLs:   []string{"http://x.example.org/"},
			check: func(t *testing.T, cs []scan.Contact, ps []scan.Page) {
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
					Contacts:   []scan.Contact{c},
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
					Contacts: []scan.Contact{long, contactOf(job, "B@x.example.org", now), contactOf(job, "a_b@x.example.org", now), contactOf(job, "a.b@x.example.org", now)},
					Pages: []scan.Page{
						{URL: "http://x.example.org/b", Status: 200, FetchedAt: now},
						{URL: "http://x.example.org/B", Status: 200, FetchedAt: now},
					},
					FinishedAt: now,
				}
			},
			wantEmails: []string{"B@x.example.org", "a.b@x.example.org", "a_b@x.example.org", "b@x.example.org"},
			wantURLs:   []string{"http://x.example.org/B", "http://x.example.org/b"},
			check: func(t *testing.T, cs []scan.Contact, _ []scan.Page) {
				require.Equal(t, strings.Repeat("é", scan.MaxContextLength), cs[3].Context)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := sqlite.NewStore(sqlitetest.NewDB(t))
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

// TestFinishScanIsAtomic makes the contacts upsert fail after the fenced
// domain update succeeded: the transaction rolls back, so the domain is
// still running under the same claim, and that claim can finish later.
func TestFinishScanIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	now := time.Now().UTC()
	job := claimScan(t, s, "atomic", now)

	bad := contactOf(job, "x@atomic0.example.org", now)
	bad.Type = "bogus"
	out := scan.Outcome{
		Contacts:   []scan.Contact{contactOf(job, "ok@atomic0.example.org", now), bad},
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

// TestResultsOfUnknownDomain lists nothing, without an error, as the
// memory store does.
func TestResultsOfUnknownDomain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlite.NewStore(sqlitetest.NewDB(t))
	cs, err := s.Contacts(ctx, uuid.New())
	require.NoError(t, err)
	require.Empty(t, cs)
	ps, err := s.Pages(ctx, uuid.New())
	require.NoError(t, err)
	require.Empty(t, ps)
}
