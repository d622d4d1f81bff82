package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/sqlite"
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
		out.Contacts = append(out.Contacts, contact.Contact{ID: uuid.New(), DomainID: job.DomainID, Email: e,
			Type: contact.TypeCorporate, Context: "mail " + e, SourceURL: "http://" + job.Domain + "/",
			FirstSeenAt: now, LastSeenAt: now})
	}
	out.Pages = []scan.Page{{DomainID: job.DomainID, URL: "http://" + job.Domain + "/", Status: 200, EmailsFound: len(emails), FetchedAt: now}}
	return out
}
