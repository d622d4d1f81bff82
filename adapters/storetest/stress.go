package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// stressBatch is one PUT: a workflow, a target status and IDs in request order.
type stressBatch struct {
	wf     core.Workflow
	status core.CurationStatus
	ids    []uuid.UUID
}

// testUpdatesStress runs eight goroutines of PUT-equivalent
// updates over random, overlapping ID sets in random orders, both workflows
// on the same rows, for several rounds. A domain whose last batch was
// Selected must be queued, one that some earlier Selected batch reached
// cancelled; the queued counts minus the cancelled counts add up to the
// number of queued rows (each transition counted once), and no statement
// fails (a deadlock would).
func testUpdatesStress(t *testing.T, s ScanStore, db *bun.DB, domains, rounds int) {
	const (
		workers   = 8
		perWorker = 3
	)
	ctx := context.Background()

	ds := make([]core.Domain, domains)
	ids := make([]uuid.UUID, domains)
	for i := range ds {
		ds[i] = core.NewDomain(fmt.Sprintf("stress%d.example.org", i), time.Now())
		ids[i] = ds[i].ID
	}
	_, err := s.AddDomains(ctx, ds)
	require.NoError(t, err)

	updaters := map[string]*curation.SecondaryStateUpdater{}
	for _, wf := range []core.Workflow{core.EmailScan, core.SitemapCuration} {
		updaters[wf.Name] = curation.NewSecondaryStateUpdater(s, wf, core.SystemClock{}, nil)
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))

	for round := range rounds {
		// Every domain starts eligible: primaries New, secondaries Completed.
		_, err := db.ExecContext(ctx, `UPDATE domains SET
			email_scan_status = 'New', page_scrape_status = 'Completed', page_scrape_error = NULL,
			sitemap_curation_status = 'New', sitemap_analysis_status = 'Completed', sitemap_analysis_error = NULL`)
		require.NoError(t, err)

		// Plan the round up front so the goroutines share no random source.
		plan := make([][]stressBatch, workers)
		wantQueued := map[string]map[uuid.UUID]bool{core.EmailScan.Name: {}, core.SitemapCuration.Name: {}}
		sent := map[string]map[uuid.UUID]map[core.CurationStatus]bool{core.EmailScan.Name: {}, core.SitemapCuration.Name: {}}
		wantUpdated := 0
		for w := range plan {
			for range perWorker {
				b := stressBatch{wf: core.EmailScan, status: core.CurationSelected}
				if rng.IntN(4) == 0 {
					b.wf = core.SitemapCuration
				}
				if rng.IntN(4) == 0 {
					b.status = core.CurationMaybe
				}
				// A random subset in a random order: between a quarter and
				// three quarters of all domains, so batches overlap.
				n := domains/4 + rng.IntN(domains/2)
				for _, i := range rng.Perm(domains)[:n] {
					b.ids = append(b.ids, ids[i])
					if sent[b.wf.Name][ids[i]] == nil {
						sent[b.wf.Name][ids[i]] = map[core.CurationStatus]bool{}
					}
					sent[b.wf.Name][ids[i]][b.status] = true
					if b.status == b.wf.Trigger {
						wantQueued[b.wf.Name][ids[i]] = true
					}
				}
				wantUpdated += n
				plan[w] = append(plan[w], b)
			}
		}

		var mu sync.Mutex
		updated := 0
		queued, cancelled := map[string]int{}, map[string]int{}
		var errs []error
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for _, b := range plan[w] {
					res, err := updaters[b.wf.Name].Update(ctx, curation.UpdateInput{IDs: b.ids, Status: b.status, UserID: fmt.Sprint("w", w)})
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					}
					updated += res.Updated
					queued[b.wf.Name] += res.Queued
					cancelled[b.wf.Name] += res.Cancelled
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Empty(t, errs, "round %d: no update may fail (deadlocks included)", round)
		require.Equal(t, wantUpdated, updated, "round %d: every requested domain was updated", round)

		type state struct {
			ID       uuid.UUID `bun:"id"`
			Email    string    `bun:"email_scan_status"`
			Scrape   string    `bun:"page_scrape_status"`
			Curation string    `bun:"sitemap_curation_status"`
			Analysis string    `bun:"sitemap_analysis_status"`
		}
		var rows []state
		require.NoError(t, db.NewRaw(`SELECT id, email_scan_status, page_scrape_status,
			sitemap_curation_status, sitemap_analysis_status FROM domains`).Scan(ctx, &rows))
		require.Len(t, rows, domains)
		inDB := map[string]int{}
		for _, r := range rows {
			for _, c := range []struct {
				wf              core.Workflow
				primary, second string
			}{
				{core.EmailScan, r.Email, r.Scrape},
				{core.SitemapCuration, r.Curation, r.Analysis},
			} {
				name := c.wf.Name
				// The last batch to commit set the primary: Selected left
				// the domain queued, anything else cancelled what an
				// earlier Selected queued.
				switch {
				case c.primary == c.wf.Trigger.String():
					require.Equal(t, c.wf.Queued.String(), c.second, "round %d %s %s", round, name, r.ID)
					inDB[name]++
				case wantQueued[name][r.ID]:
					require.Equal(t, c.wf.Cancelled.String(), c.second, "round %d %s %s: queued, then cancelled", round, name, r.ID)
				default:
					require.Equal(t, "Completed", c.second, "round %d %s %s: never queued", round, name, r.ID)
				}
				if statuses := sent[name][r.ID]; statuses != nil {
					require.True(t, statuses[core.CurationStatus(c.primary)],
						"round %d %s %s: final %q was sent", round, name, r.ID, c.primary)
				} else {
					require.Equal(t, "New", c.primary, "round %d %s %s: untouched", round, name, r.ID)
				}
			}
		}
		for name := range wantQueued {
			// A domain alternates Queued, Cancelled, Queued...: each
			// queue and cancel counted once, it ends queued exactly when
			// it was queued once more than cancelled.
			require.Equal(t, inDB[name], queued[name]-cancelled[name],
				"round %d %s: queued minus cancelled counts equals queued rows", round, name)
		}
		require.Positive(t, inDB[core.EmailScan.Name])
	}
}
