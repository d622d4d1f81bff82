package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// BenchmarkFleet measures the queue's bookkeeping for a fleet of scans: 200
// domains queued by one PUT, then claimed 50 at a time and each finished
// with 5 contacts and 5 pages, until the queue is empty. No crawling: what
// is left is the store's work per scan (claim, extend, fenced finish).
func BenchmarkFleet(b *testing.B) {
	const n, batch = 200, 50
	db := pgtest.NewDB(b)
	s := postgres.NewStore(db)
	ctx := context.Background()
	ids := make([]uuid.UUID, n)
	ds := make([]core.Domain, n)
	for i := range ds {
		ds[i] = core.NewDomain(fmt.Sprintf("fleet%04d.example.org", i), time.Now())
		ids[i] = ds[i].ID
	}
	if _, err := s.AddDomains(ctx, ds); err != nil {
		b.Fatal(err)
	}
	u := curation.NewSecondaryStateUpdater(s, core.EmailScan, core.SystemClock{}, nil)
	for b.Loop() {
		b.StopTimer()
		if _, err := db.ExecContext(ctx, `UPDATE domains SET page_scrape_status = 'Completed', email_scan_status = 'New'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected})
		if err != nil || res.Queued != n {
			b.Fatalf("queue: %v, %d queued", err, res.Queued)
		}
		done := 0
		for {
			now := time.Now()
			jobs, err := s.Claim(ctx, core.EmailScan, batch, time.Minute, now)
			if err != nil {
				b.Fatal(err)
			}
			if len(jobs) == 0 {
				break
			}
			for _, j := range jobs {
				if err := s.Extend(ctx, core.EmailScan, j, now.Add(2*time.Minute)); err != nil {
					b.Fatal(err)
				}
				if err := s.FinishScan(ctx, j, fleetOutcome(j, now)); err != nil {
					b.Fatal(err)
				}
				done++
			}
		}
		if done != n {
			b.Fatalf("finished %d, want %d", done, n)
		}
	}
}

func fleetOutcome(j queue.Job, now time.Time) scan.Outcome {
	var out scan.Outcome
	out.FinishedAt = now
	for i := range 5 {
		url := fmt.Sprintf("http://%s/p%d", j.Domain, i)
		out.Pages = append(out.Pages, scan.Page{DomainID: j.DomainID, URL: url, Status: 200, EmailsFound: 1, FetchedAt: now})
		out.Contacts = append(out.Contacts, contact.Contact{ID: uuid.New(), DomainID: j.DomainID,
			Email: fmt.Sprintf("c%d@%s", i, j.Domain), Type: "corporate", SourceURL: url, FirstSeenAt: now, LastSeenAt: now})
	}
	return out
}
