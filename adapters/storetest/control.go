package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// ControlStore is what the delete and suppression suite needs.
type ControlStore interface {
	SitemapStore
	ScanStore
	curation.Remover
	suppression.Store
	scan.Suppressions
	CountStatuses(ctx context.Context) ([]core.StatusCount, error)
}

// ControlFactory returns an empty store for one test.
type ControlFactory func(t *testing.T) ControlStore

// RunControl runs the contract of deleting domains and contacts and of the
// do-not-contact list.
func RunControl(t *testing.T, newStore ControlFactory) {
	t.Run("DeleteDomainsWithEverything", func(t *testing.T) { t.Parallel(); testDeleteDomains(t, newStore(t)) })
	t.Run("DeletedDomainFencesRunningJob", func(t *testing.T) { t.Parallel(); testDeleteRunning(t, newStore(t)) })
	t.Run("DeleteContact", func(t *testing.T) { t.Parallel(); testDeleteContact(t, newStore(t)) })
	t.Run("SuppressionsRemoveStoredContacts", func(t *testing.T) { t.Parallel(); testSuppressStored(t, newStore(t)) })
	t.Run("SuppressionsListAndDelete", func(t *testing.T) { t.Parallel(); testSuppressList(t, newStore(t)) })
	t.Run("SuppressionsAppliedOnNextScan", func(t *testing.T) { t.Parallel(); testSuppressNextScan(t, newStore(t)) })
	t.Run("CountStatusesAgainstReference", func(t *testing.T) { t.Parallel(); testCountReference(t, newStore(t)) })
}

// testCountReference seeds domains whose four statuses cycle with
// different periods (NULLs included) and compares CountStatuses with the
// counts taken here.
func testCountReference(t *testing.T, s ControlStore) {
	var ds []core.Domain
	want := map[core.Field]map[string]int{}
	inc := func(f core.Field, v string) {
		if want[f] == nil {
			want[f] = map[string]int{}
		}
		want[f][v]++
	}
	tasks := append([]string{""}, func() (out []string) {
		for _, v := range core.TaskStatuses {
			out = append(out, string(v))
		}
		return out
	}()...)
	analyses := append([]string{""}, func() (out []string) {
		for _, v := range core.AnalysisStatuses {
			out = append(out, string(v))
		}
		return out
	}()...)
	for i := range 47 {
		d := dom(fmt.Sprintf("count%d.example.org", i))
		d.EmailScanStatus = core.CurationStatuses[i%len(core.CurationStatuses)]
		d.SitemapCurationStatus = core.CurationStatuses[i%3]
		if v := tasks[i%len(tasks)]; v != "" {
			d.PageScrapeStatus = ptr(core.TaskStatus(v))
		}
		if v := analyses[i%len(analyses)]; v != "" {
			d.SitemapAnalysisStatus = ptr(core.AnalysisStatus(v))
		}
		inc(core.FieldEmailScanStatus, string(d.EmailScanStatus))
		inc(core.FieldSitemapCurationStatus, string(d.SitemapCurationStatus))
		inc(core.FieldPageScrapeStatus, tasks[i%len(tasks)])
		inc(core.FieldSitemapAnalysisStatus, analyses[i%len(analyses)])
		ds = append(ds, d)
	}
	Seed(t, s, ds...)
	counts, err := s.CountStatuses(context.Background())
	require.NoError(t, err)
	got := map[core.Field]map[string]int{}
	for _, c := range counts {
		if got[c.Field] == nil {
			got[c.Field] = map[string]int{}
		}
		_, dup := got[c.Field][c.Status]
		require.False(t, dup, "%s %q reported twice", c.Field, c.Status)
		got[c.Field][c.Status] = c.Count
	}
	require.Equal(t, want, got)
}

// scanned queues one new domain, prefix0.example.org, and finishes its
// email scan with emails on its contact page.
func scanned(t *testing.T, s ControlStore, prefix string, now time.Time, emails ...string) uuid.UUID {
	t.Helper()
	id := QueueDomains(t, s, core.EmailScan, prefix, 1)[0]
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, id, jobs[0].DomainID)
	require.NoError(t, s.FinishScan(context.Background(), jobs[0], scan.Build(id, prefix+"0.example.org", report(emails...), now)))
	return id
}

func emailsOf(t *testing.T, s ControlStore, id uuid.UUID) []string {
	t.Helper()
	cs, err := s.Contacts(context.Background(), id)
	require.NoError(t, err)
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Email)
	}
	return out
}

func testDeleteDomains(t *testing.T, s ControlStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := []uuid.UUID{
		scanned(t, s, "del", now, "a@del0.example.org"),
		scanned(t, s, "keep", now, "b@keep0.example.org"),
	}
	// The first domain also has sitemap files.
	QueueSitemapAgain(t, s, ids[0])
	job := claimSitemap(t, s, now)
	require.NoError(t, s.FinishAnalysis(ctx, job, analysis.Build(ids[0], sampleAnalysis(now), now)))
	files, err := s.SitemapFiles(ctx, ids[0])
	require.NoError(t, err)
	require.NotEmpty(t, files)

	unknown := uuid.New()
	got, err := s.DeleteDomains(ctx, []uuid.UUID{ids[0], unknown})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{ids[0]}, got)

	_, err = s.GetDomain(ctx, ids[0])
	require.ErrorIs(t, err, core.ErrNotFound)
	require.Empty(t, emailsOf(t, s, ids[0]))
	ps, err := s.Pages(ctx, ids[0])
	require.NoError(t, err)
	require.Empty(t, ps)
	files, err = s.SitemapFiles(ctx, ids[0])
	require.NoError(t, err)
	require.Empty(t, files)

	// The other domain keeps everything.
	require.Equal(t, []string{"b@keep0.example.org"}, emailsOf(t, s, ids[1]))
	ps, err = s.Pages(ctx, ids[1])
	require.NoError(t, err)
	require.Len(t, ps, 2)

	// The host can be submitted again, as a new domain.
	again := Seed(t, s, dom("del0.example.org"))
	require.NotEqual(t, ids[0], again[0].ID)

	// Deleting it twice deletes nothing.
	got, err = s.DeleteDomains(ctx, []uuid.UUID{ids[0]})
	require.NoError(t, err)
	require.Empty(t, got)
}

func testDeleteRunning(t *testing.T, s ControlStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	ids := QueueDomains(t, s, core.EmailScan, "run", 1)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)

	got, err := s.DeleteDomains(ctx, ids)
	require.NoError(t, err)
	require.Equal(t, ids, got)

	fencedOut := func(err error) bool {
		return errors.Is(err, core.ErrLeaseLost) || errors.Is(err, core.ErrNotFound)
	}
	err = s.FinishScan(ctx, jobs[0], scan.Build(ids[0], "run0.example.org", report("late@run0.example.org"), now))
	require.Error(t, err)
	require.True(t, fencedOut(err), "FinishScan on a deleted domain: %v", err)
	require.True(t, fencedOut(s.Extend(ctx, core.EmailScan, jobs[0], now.Add(time.Hour))))
	require.True(t, fencedOut(s.Fail(ctx, core.EmailScan, jobs[0], queue.Failure{Public: "boom"}, now)))
	require.Empty(t, emailsOf(t, s, ids[0]), "a fenced-out finish writes nothing")
	ps, err := s.Pages(ctx, ids[0])
	require.NoError(t, err)
	require.Empty(t, ps)
	_, err = s.GetDomain(ctx, ids[0])
	require.ErrorIs(t, err, core.ErrNotFound, "no write brought the domain back")
}

func testDeleteContact(t *testing.T, s ControlStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := scanned(t, s, "dc", now, "a@dc0.example.org", "b@dc0.example.org")
	cs, err := s.Contacts(ctx, id)
	require.NoError(t, err)
	require.Len(t, cs, 2)

	require.NoError(t, s.DeleteContact(ctx, cs[0].ID))
	require.Equal(t, []string{"b@dc0.example.org"}, emailsOf(t, s, id))
	require.Equal(t, 1, get(t, s, id).ContactsFound, "contacts_found follows the deletion")

	require.ErrorIs(t, s.DeleteContact(ctx, cs[0].ID), core.ErrNotFound)
	require.ErrorIs(t, s.DeleteContact(ctx, uuid.New()), core.ErrNotFound)
	require.Equal(t, []string{"b@dc0.example.org"}, emailsOf(t, s, id))
}

func entry(t *testing.T, raw string) suppression.Entry {
	t.Helper()
	v, k, err := suppression.Parse(raw)
	require.NoError(t, err)
	return suppression.Entry{Value: v, Kind: k, CreatedAt: t0}
}

func testSuppressStored(t *testing.T, s ControlStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := []uuid.UUID{
		scanned(t, s, "sup", now,
			"info@sup0.example.org", "jane@gmail.com", "bob@gmail.com", "x@mail.sup0.example.org", "y@notsup0.example.org"),
		scanned(t, s, "other", now, "jane@gmail.com", "z@other0.example.org"),
	}

	added, removed, err := s.AddSuppressions(ctx, []suppression.Entry{entry(t, "jane@gmail.com"), entry(t, "sup0.example.org")})
	require.NoError(t, err)
	require.Len(t, added, 2)
	require.Equal(t, 3, removed, "jane twice and info@sup0")
	// A domain entry matches that domain only: not its subdomains, not a
	// domain that merely ends with the same letters.
	require.Equal(t, []string{"bob@gmail.com", "x@mail.sup0.example.org", "y@notsup0.example.org"}, emailsOf(t, s, ids[0]))
	require.Equal(t, []string{"z@other0.example.org"}, emailsOf(t, s, ids[1]))
	require.Equal(t, 3, get(t, s, ids[0]).ContactsFound)
	require.Equal(t, 1, get(t, s, ids[1]).ContactsFound)

	// Adding again adds nothing and removes nothing more.
	added, removed, err = s.AddSuppressions(ctx, []suppression.Entry{entry(t, "jane@gmail.com")})
	require.NoError(t, err)
	require.Empty(t, added)
	require.Zero(t, removed)
}

func testSuppressList(t *testing.T, s ControlStore) {
	ctx := context.Background()
	list, err := s.ListSuppressions(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
	_, _, err = s.AddSuppressions(ctx, []suppression.Entry{entry(t, "b.example.org"), entry(t, "a@b.example.org")})
	require.NoError(t, err)
	list, err = s.ListSuppressions(ctx)
	require.NoError(t, err)
	require.Equal(t, []suppression.Entry{
		{Value: "a@b.example.org", Kind: suppression.KindAddress, CreatedAt: t0},
		{Value: "b.example.org", Kind: suppression.KindDomain, CreatedAt: t0},
	}, list)

	hit, err := s.Suppressed(ctx, []string{"a@b.example.org", "b.example.org", "c@d.example.org", "d.example.org"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a@b.example.org", "b.example.org"}, hit)

	gone, err := s.DeleteSuppressions(ctx, []string{"a@b.example.org", "never.example.org"})
	require.NoError(t, err)
	require.Equal(t, []string{"a@b.example.org"}, gone)
	hit, err = s.Suppressed(ctx, []string{"a@b.example.org"})
	require.NoError(t, err)
	require.Empty(t, hit)
}

// fixedScanner returns the same report for every site.
type fixedScanner struct{ rep scan.Report }

func (f fixedScanner) Scan(context.Context, string, scan.OnPage) (scan.Report, error) {
	return f.rep, nil
}

func testSuppressNextScan(t *testing.T, s ControlStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := QueueDomains(t, s, core.EmailScan, "next", 1)[0]
	_, _, err := s.AddSuppressions(ctx, []suppression.Entry{entry(t, "Jane@Gmail.com"), entry(t, "@spam.example.net")})
	require.NoError(t, err)

	h := scan.NewHandler(fixedScanner{report("jane@gmail.com", "a@spam.example.net", "ok@next0.example.org")}, s, fixedClock{now}).
		WithSuppressions(s)
	jobs, err := s.Claim(ctx, core.EmailScan, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, id, jobs[0].DomainID)
	require.NoError(t, h.Handle(ctx, jobs[0]))
	require.Equal(t, []string{"ok@next0.example.org"}, emailsOf(t, s, id))
	require.Equal(t, 1, get(t, s, id).ContactsFound)
}
