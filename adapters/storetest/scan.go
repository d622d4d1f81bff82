package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// ScanStore is what the scan suite needs from an adapter.
type ScanStore interface {
	QueueStore
	scan.Results
	Contacts(ctx context.Context, domainID uuid.UUID) ([]contact.Contact, error)
	Pages(ctx context.Context, domainID uuid.UUID) ([]scan.Page, error)
}

// ScanFactory returns an empty store for one test.
type ScanFactory func(t *testing.T) ScanStore

// RunScan runs the contract of storing scan results.
func RunScan(t *testing.T, newStore ScanFactory) {
	t.Run("FinishStoresEverything", func(t *testing.T) { t.Parallel(); testFinish(t, newStore(t)) })
	t.Run("RescanUpdatesLastSeen", func(t *testing.T) { t.Parallel(); testRescan(t, newStore(t)) })
	t.Run("ZombieIsFencedOut", func(t *testing.T) { t.Parallel(); testZombieFinish(t, newStore(t)) })
	t.Run("ResultsOfUnknownDomain", func(t *testing.T) { t.Parallel(); testResultsUnknown(t, newStore(t)) })
}

// testResultsUnknown lists nothing, without an error, for a domain the
// store has never seen.
func testResultsUnknown(t *testing.T, s ScanStore) {
	ctx := context.Background()
	cs, err := s.Contacts(ctx, uuid.New())
	require.NoError(t, err)
	require.Empty(t, cs)
	ps, err := s.Pages(ctx, uuid.New())
	require.NoError(t, err)
	require.Empty(t, ps)
}

func report(emails ...string) scan.Report {
	var found []scan.Found
	for _, e := range emails {
		found = append(found, scan.Found{Email: e, Context: "write to " + e})
	}
	return scan.Report{Pages: []scan.PageResult{
		{URL: "http://acme.example.org/", Status: 200},
		{URL: "http://acme.example.org/contact", Status: 200, Emails: found},
	}}
}

func claimOne(t *testing.T, s ScanStore, now time.Time) (uuid.UUID, func() scanJob) {
	t.Helper()
	ids := QueueDomains(t, s, core.EmailScan, "scan", 1)
	return ids[0], func() scanJob {
		jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, now)
		require.NoError(t, err)
		require.Len(t, jobs, 1)
		return scanJob{jobs[0]}
	}
}

func testFinish(t *testing.T, s ScanStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id, claim := claimOne(t, s, now)
	job := claim()
	out := scan.Build(id, "scan0.example.org", report("info@scan0.example.org", "jane@gmail.com", "jane@gmail.com"), now)
	require.NoError(t, s.FinishScan(ctx, job.Job, out))

	d, err := s.GetDomain(ctx, id)
	require.NoError(t, err)
	require.Equal(t, core.TaskCompleted, *d.PageScrapeStatus)
	require.Nil(t, d.PageScrapeError)
	require.Equal(t, 2, d.PagesScanned)
	require.Equal(t, 2, d.ContactsFound)
	require.Equal(t, 1, d.PageScrapeAttempts)
	require.NotNil(t, d.PageScrapeFinishedAt)
	require.NotNil(t, d.PageScrapeStartedAt)

	cs, err := s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	byEmail := map[string]contact.Contact{}
	for _, c := range cs {
		byEmail[c.Email] = c
		require.Equal(t, id, c.DomainID)
		require.Equal(t, "http://acme.example.org/contact", c.SourceURL)
		require.Equal(t, "write to "+c.Email, c.Context)
	}
	require.Equal(t, contact.TypeService, byEmail["info@scan0.example.org"].Type)
	require.Equal(t, contact.TypeFree, byEmail["jane@gmail.com"].Type)
	require.True(t, byEmail["jane@gmail.com"].HasGmail)
	require.False(t, byEmail["info@scan0.example.org"].HasGmail)

	ps, err := s.Pages(ctx, id)
	require.NoError(t, err)
	require.Len(t, ps, 2)
	require.Equal(t, "http://acme.example.org/", ps[0].URL)
	require.Equal(t, 0, ps[0].EmailsFound)
	require.Equal(t, 2, ps[1].EmailsFound)
	require.Equal(t, 200, ps[1].Status)

	// Zero emails is Completed, not Error.
	id2s := QueueDomains(t, s, core.EmailScan, "empty", 1)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.FinishScan(ctx, jobs[0], scan.Build(id2s[0], "empty0.example.org", report(), now)))
	st, _ := SecondaryOf(t, s, core.EmailScan, id2s[0])
	require.Equal(t, core.TaskCompleted, st)
}

func testRescan(t *testing.T, s ScanStore) {
	ctx := context.Background()
	t1 := time.Now().UTC().Truncate(time.Millisecond)
	id, claim := claimOne(t, s, t1)
	require.NoError(t, s.FinishScan(ctx, claim().Job, scan.Build(id, "scan0.example.org", report("sales@scan0.example.org"), t1)))
	first, err := s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Len(t, first, 1)

	// Queue again and rescan later: same contact, new last_seen_at.
	QueueAgain(t, s, id)
	t2 := t1.Add(time.Hour)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, t2)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.NoError(t, s.FinishScan(ctx, jobs[0], scan.Build(id, "scan0.example.org", report("sales@scan0.example.org", "bob@scan0.example.org"), t2)))
	second, err := s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Len(t, second, 2, "no duplicate contacts")
	for _, c := range second {
		if c.Email == "sales@scan0.example.org" {
			require.Equal(t, first[0].ID, c.ID)
			require.True(t, c.FirstSeenAt.Equal(t1), "first_seen_at kept: %v", c.FirstSeenAt)
			require.True(t, c.LastSeenAt.Equal(t2), "last_seen_at updated: %v", c.LastSeenAt)
		} else {
			require.Equal(t, contact.TypeCorporate, c.Type)
		}
	}
}

func testZombieFinish(t *testing.T, s ScanStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	id, claim := claimOne(t, s, now)
	zombie := claim()
	_, err := s.Rescue(ctx, core.EmailScan, 5, now.Add(2*time.Minute))
	require.NoError(t, err)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now.Add(3*time.Minute))
	require.NoError(t, err)
	require.Len(t, jobs, 1)

	err = s.FinishScan(ctx, zombie.Job, scan.Build(id, "scan0.example.org", report("late@scan0.example.org"), now))
	require.ErrorIs(t, err, core.ErrLeaseLost)
	cs, err := s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Empty(t, cs, "a fenced-out finish writes nothing")
	ps, err := s.Pages(ctx, id)
	require.NoError(t, err)
	require.Empty(t, ps)
	st, _ := SecondaryOf(t, s, core.EmailScan, id)
	require.Equal(t, core.TaskInProgress, st)

	require.NoError(t, s.FinishScan(ctx, jobs[0], scan.Build(id, "scan0.example.org", report("new@scan0.example.org"), now)))
	cs, err = s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, "new@scan0.example.org", cs[0].Email)
}

type scanJob struct{ queue.Job }
