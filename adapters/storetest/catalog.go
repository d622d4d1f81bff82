package storetest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// CatalogStore is what the catalog suite needs from an adapter: the
// listings, and the queue and scan results to store contacts the way the
// workers do.
type CatalogStore interface {
	QueueStore
	scan.Results
	catalog.DomainLister
	catalog.ContactLister
	catalog.ContactStreamer
}

// CatalogFactory returns an empty store for one test.
type CatalogFactory func(t *testing.T) CatalogStore

// RunCatalog runs the listing contract: paging, filters and every sort key
// of the domain listing, and the contact listing and export.
func RunCatalog(t *testing.T, newStore CatalogFactory) {
	t.Run("DomainSorts", func(t *testing.T) { t.Parallel(); testDomainSorts(t, newStore(t)) })
	t.Run("DomainFilters", func(t *testing.T) { t.Parallel(); testDomainFilters(t, newStore(t)) })
	t.Run("DomainPaging", func(t *testing.T) { t.Parallel(); testDomainPaging(t, newStore(t)) })
	t.Run("Contacts", func(t *testing.T) { t.Parallel(); testContacts(t, newStore(t)) })
}

// catHosts are the fixture's hosts. Byte order and a locale's order differ
// on them ("a-c" before "ab" only in byte order), and some hold the LIKE
// wildcards and the escape character, which a store must match literally.
var catHosts = []string{
	"acme.example.org", "ab.example.org", "a-c.example.org", "acme-two.example.net",
	"under_score.example.org", "underxscore.example.org", "fifty%off.example.org", "fiftyxoff.example.org",
	`back\slash.example.org`, "zeta.example.com", "beta.example.com", "gamma.example.com",
	"delta.example.com", "epsilon.example.com", "eta.example.com", "theta.example.com",
	"iota.example.com", "kappa.example.com", "lambda.example.com", "mu.example.com",
	"nu.example.com", "xi.example.com", "omicron.example.com",
}

// catDomains builds the fixture: statuses, nullable secondaries, counts and
// times vary with the index, with ties on every sort key so that the ID
// tie-break is exercised.
func catDomains() []core.Domain {
	out := make([]core.Domain, len(catHosts))
	for i, h := range catHosts {
		d := core.NewDomain(h, t0.Add(-time.Duration(i%7)*time.Hour))
		d.UpdatedAt = t0.Add(time.Duration(i/2) * time.Minute) // pairs tie
		d.EmailScanStatus = core.CurationStatuses[i%len(core.CurationStatuses)]
		d.SitemapCurationStatus = core.CurationStatuses[(i*2)%len(core.CurationStatuses)]
		if i%3 != 0 {
			d.PageScrapeStatus = ptr(core.TaskStatuses[i%len(core.TaskStatuses)])
		}
		if i%4 != 0 {
			d.SitemapAnalysisStatus = ptr(core.AnalysisStatuses[i%len(core.AnalysisStatuses)])
		}
		d.ContactsFound = i % 4
		d.PagesScanned = i % 3
		out[i] = d
	}
	return out
}

// catWant is the reference the stores are held to: filter by plain loops,
// then a stable sort on (key, id), reversed as a whole for descending.
func catWant(all []core.Domain, q catalog.DomainQuery) []uuid.UUID {
	var keep []core.Domain
	for _, d := range all {
		if q.EmailScanStatus != nil && d.EmailScanStatus != *q.EmailScanStatus {
			continue
		}
		if q.SitemapCurationStatus != nil && d.SitemapCurationStatus != *q.SitemapCurationStatus {
			continue
		}
		if m := q.PageScrapeStatus; m != nil && (m.Null != (d.PageScrapeStatus == nil) || !m.Null && *d.PageScrapeStatus != m.Value) {
			continue
		}
		if m := q.SitemapAnalysisStatus; m != nil && (m.Null != (d.SitemapAnalysisStatus == nil) || !m.Null && *d.SitemapAnalysisStatus != m.Value) {
			continue
		}
		if !strings.Contains(strings.ToLower(d.Domain), strings.ToLower(q.DomainFilter)) {
			continue
		}
		keep = append(keep, d)
	}
	// Text keys compare as bytes; a NULL status is "\xff", after every
	// value, as PostgreSQL orders NULLs.
	text := func(d core.Domain) string {
		null := "\xff"
		switch q.SortBy {
		case catalog.SortDomain:
			return d.Domain
		case catalog.SortEmailScanStatus:
			return string(d.EmailScanStatus)
		case catalog.SortSitemapCurationStatus:
			return string(d.SitemapCurationStatus)
		case catalog.SortPageScrapeStatus:
			if d.PageScrapeStatus == nil {
				return null
			}
			return string(*d.PageScrapeStatus)
		case catalog.SortSitemapAnalysisStatus:
			if d.SitemapAnalysisStatus == nil {
				return null
			}
			return string(*d.SitemapAnalysisStatus)
		}
		return ""
	}
	num := func(d core.Domain) int64 {
		switch q.SortBy {
		case catalog.SortCreatedAt:
			return d.CreatedAt.UnixMicro()
		case catalog.SortUpdatedAt:
			return d.UpdatedAt.UnixMicro()
		case catalog.SortContactsFound:
			return int64(d.ContactsFound)
		case catalog.SortPagesScanned:
			return int64(d.PagesScanned)
		}
		return 0
	}
	slices.SortStableFunc(keep, func(a, b core.Domain) int {
		return cmp.Or(strings.Compare(text(a), text(b)), cmp.Compare(num(a), num(b)), strings.Compare(string(a.ID[:]), string(b.ID[:])))
	})
	ids := make([]uuid.UUID, len(keep))
	for i, d := range keep {
		ids[i] = d.ID
	}
	if q.SortDesc {
		slices.Reverse(ids)
	}
	return ids
}

func catList(t *testing.T, s CatalogStore, q catalog.DomainQuery) catalog.Page[core.Domain] {
	t.Helper()
	require.NoError(t, q.Validate(), "the suite sends only valid queries")
	p, err := s.ListDomains(context.Background(), q)
	require.NoError(t, err)
	return p
}

func domainIDs(ds []core.Domain) []uuid.UUID {
	ids := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// catWalk reads every page of q and checks each page's bookkeeping; it
// returns the IDs in listing order.
func catWalk(t *testing.T, s CatalogStore, q catalog.DomainQuery) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	total := -1
	for q.Page = 1; ; q.Page++ {
		p := catList(t, s, q)
		if total < 0 {
			total = p.Total
		}
		require.Equal(t, total, p.Total, "page %d: the total does not change", q.Page)
		require.Equal(t, q.Page, p.Page)
		require.Equal(t, q.Size, p.Size)
		require.Equal(t, (total+q.Size-1)/q.Size, p.Pages)
		require.NotNil(t, p.Items)
		if q.Page > p.Pages {
			require.Empty(t, p.Items, "past the last page")
			break
		}
		require.Len(t, p.Items, min(q.Size, total-q.Offset()), "page %d", q.Page)
		ids = append(ids, domainIDs(p.Items)...)
	}
	require.Len(t, ids, total)
	return ids
}

func testDomainSorts(t *testing.T, s CatalogStore) {
	all := Seed(t, s, catDomains()...)
	for _, key := range catalog.SortKeys {
		for _, desc := range []bool{false, true} {
			q := catalog.NewDomainQuery()
			q.SortBy, q.SortDesc, q.Size = key, desc, 4
			want := catWant(all, q)
			require.Len(t, want, len(all))
			require.Equal(t, want, catWalk(t, s, q), "sort_by=%s desc=%v", key, desc)
		}
	}

	// The reference itself, checked by hand on a few keys.
	q := catalog.NewDomainQuery()
	q.SortBy, q.SortDesc, q.Size = catalog.SortDomain, false, 3
	first := catList(t, s, q).Items
	require.Equal(t, []string{"a-c.example.org", "ab.example.org", "acme-two.example.net"},
		[]string{first[0].Domain, first[1].Domain, first[2].Domain}, "byte order, not a locale's")
	q.SortBy, q.SortDesc = catalog.SortPageScrapeStatus, true
	for _, d := range catList(t, s, q).Items {
		require.Nil(t, d.PageScrapeStatus, "NULLs come first descending")
	}
	q.SortBy, q.SortDesc = catalog.SortUpdatedAt, true
	newest := catList(t, s, q).Items
	require.Equal(t, "omicron.example.com", newest[0].Domain, "the last host was updated last, alone in its minute")
	require.True(t, newest[1].UpdatedAt.Equal(newest[2].UpdatedAt), "a tie")
	require.Positive(t, compareUUID(newest[1].ID, newest[2].ID), "a tie is broken by ID, descending too")
}

func compareUUID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

func testDomainFilters(t *testing.T, s CatalogStore) {
	all := Seed(t, s, catDomains()...)
	type edit func(*catalog.DomainQuery)
	cases := []struct {
		name string
		edit edit
		want int // -1: only check against the reference
	}{
		{"no filter", func(*catalog.DomainQuery) {}, len(catHosts)},
		{"domain substring", func(q *catalog.DomainQuery) { q.DomainFilter = "acme" }, 2},
		{"domain any case", func(q *catalog.DomainQuery) { q.DomainFilter = "ACME.Example" }, 1},
		{"underscore is literal", func(q *catalog.DomainQuery) { q.DomainFilter = "under_score" }, 1},
		{"lone underscore", func(q *catalog.DomainQuery) { q.DomainFilter = "_" }, 1},
		{"percent is literal", func(q *catalog.DomainQuery) { q.DomainFilter = "fifty%off" }, 1},
		{"lone percent", func(q *catalog.DomainQuery) { q.DomainFilter = "%" }, 1},
		{"backslash is literal", func(q *catalog.DomainQuery) { q.DomainFilter = `k\s` }, 1},
		{"escape-looking input", func(q *catalog.DomainQuery) { q.DomainFilter = `\%` }, 0},
		{"no match", func(q *catalog.DomainQuery) { q.DomainFilter = "nowhere" }, 0},
		{"page_scrape_status null", func(q *catalog.DomainQuery) { q.PageScrapeStatus = catalog.IsNull[core.TaskStatus]() }, 8},
		{"sitemap_analysis_status null", func(q *catalog.DomainQuery) { q.SitemapAnalysisStatus = catalog.IsNull[core.AnalysisStatus]() }, 6},
		{"combined", func(q *catalog.DomainQuery) {
			q.EmailScanStatus, q.PageScrapeStatus = ptr(core.CurationSelected), catalog.Is(core.TaskInProgress)
		}, -1},
		{"combined with domain", func(q *catalog.DomainQuery) {
			q.SitemapAnalysisStatus, q.DomainFilter = catalog.Is(core.AnalysisProcessing), ".example.com"
		}, -1},
		{"all four statuses", func(q *catalog.DomainQuery) {
			d := all[7]
			q.EmailScanStatus, q.SitemapCurationStatus = &d.EmailScanStatus, &d.SitemapCurationStatus
			q.PageScrapeStatus, q.SitemapAnalysisStatus = catalog.Is(*d.PageScrapeStatus), catalog.Is(*d.SitemapAnalysisStatus)
		}, -1},
	}
	for _, st := range core.CurationStatuses {
		cases = append(cases,
			struct {
				name string
				edit edit
				want int
			}{"email_scan_status " + string(st), func(q *catalog.DomainQuery) { q.EmailScanStatus = &st }, -1},
			struct {
				name string
				edit edit
				want int
			}{"sitemap_curation_status " + string(st), func(q *catalog.DomainQuery) { q.SitemapCurationStatus = &st }, -1})
	}
	for _, st := range core.TaskStatuses {
		cases = append(cases, struct {
			name string
			edit edit
			want int
		}{"page_scrape_status " + string(st), func(q *catalog.DomainQuery) { q.PageScrapeStatus = catalog.Is(st) }, -1})
	}
	for _, st := range core.AnalysisStatuses {
		cases = append(cases, struct {
			name string
			edit edit
			want int
		}{"sitemap_analysis_status " + string(st), func(q *catalog.DomainQuery) { q.SitemapAnalysisStatus = catalog.Is(st) }, -1})
	}
	nonEmpty := 0
	for _, tc := range cases {
		q := catalog.NewDomainQuery()
		q.Size = catalog.MaxSize
		tc.edit(&q)
		want := catWant(all, q)
		if tc.want >= 0 {
			require.Len(t, want, tc.want, "%s: the reference", tc.name)
		}
		p := catList(t, s, q)
		require.Equal(t, want, domainIDs(p.Items), tc.name)
		require.Equal(t, len(want), p.Total, tc.name)
		if len(want) > 0 {
			nonEmpty++
			// The same filter, paged in threes and sorted another way.
			q.Size, q.SortBy, q.SortDesc = 3, catalog.SortDomain, false
			require.Equal(t, catWant(all, q), catWalk(t, s, q), "%s, paged", tc.name)
		}
		for _, d := range p.Items {
			require.True(t, q.PageScrapeStatus.Matches(d.PageScrapeStatus), tc.name)
			require.True(t, q.SitemapAnalysisStatus.Matches(d.SitemapAnalysisStatus), tc.name)
		}
	}
	require.Greater(t, nonEmpty, len(cases)/2, "most filters select something, so the comparisons mean something")
}

func testDomainPaging(t *testing.T, s CatalogStore) {
	ctx := context.Background()
	empty, err := s.ListDomains(ctx, catalog.NewDomainQuery())
	require.NoError(t, err)
	require.Equal(t, catalog.Page[core.Domain]{Items: []core.Domain{}, Page: 1, Size: catalog.DefaultSize}, empty, "an empty store")

	all := Seed(t, s, catDomains()...)
	n := len(all)
	cases := []struct {
		page, size       int
		wantLen, wantPgs int
	}{
		{1, 1, 1, n},
		{n, 1, 1, n},
		{n + 1, 1, 0, n},
		{1, 10, 10, 3},
		{3, 10, n - 20, 3},
		{4, 10, 0, 3},
		{100, 10, 0, 3},
		{1, n, n, 1},
		{1, catalog.MaxSize, n, 1},
		{2, catalog.MaxSize, 0, 1},
		{catalog.MaxPage, catalog.MaxSize, 0, 1},
	}
	for _, tc := range cases {
		q := catalog.NewDomainQuery()
		q.Page, q.Size = tc.page, tc.size
		p := catList(t, s, q)
		require.Equal(t, n, p.Total, "page %d size %d", tc.page, tc.size)
		require.Equal(t, tc.wantPgs, p.Pages, "page %d size %d", tc.page, tc.size)
		require.Len(t, p.Items, tc.wantLen, "page %d size %d", tc.page, tc.size)
		require.NotNil(t, p.Items)
	}

	// The listing returns whole domains, as GetDomain does.
	q := catalog.NewDomainQuery()
	q.DomainFilter = "under_score"
	p := catList(t, s, q)
	require.Len(t, p.Items, 1)
	require.Equal(t, get(t, s, p.Items[0].ID), p.Items[0])
}

// catContactSeed stores contacts on three domains through claims and
// finished scans, as the workers do, and returns them as export rows.
func catContactSeed(t *testing.T, s CatalogStore) []catalog.ContactRow {
	t.Helper()
	ctx := context.Background()
	ids := QueueDomains(t, s, core.EmailScan, "catc", 3)
	jobs, err := s.Claim(ctx, core.EmailScan, 3, time.Minute, time.Now())
	require.NoError(t, err)
	require.Len(t, jobs, 3)
	host := map[uuid.UUID]string{}
	for i, id := range ids {
		host[id] = fmt.Sprintf("catc%d.example.org", i)
	}
	mk := func(domainID uuid.UUID, email string, typ contact.Type) contact.Contact {
		return contact.Contact{
			ID: uuid.New(), DomainID: domainID, Email: email, Type: typ, HasGmail: strings.HasSuffix(email, "@gmail.com"),
			Context: "=cmd| write to " + email, SourceURL: "http://" + host[domainID] + "/contact",
			FirstSeenAt: t0, LastSeenAt: t0.Add(time.Hour),
		}
	}
	var rows []catalog.ContactRow
	for _, job := range jobs {
		var cs []contact.Contact
		switch job.DomainID {
		case ids[0]:
			cs = []contact.Contact{
				mk(job.DomainID, "info@catc0.example.org", contact.TypeService),
				mk(job.DomainID, "first_last@catc0.example.org", contact.TypeCorporate),
				mk(job.DomainID, "firstxlast@catc0.example.org", contact.TypeCorporate),
				mk(job.DomainID, "ten%off@catc0.example.org", contact.TypeUnknown),
				mk(job.DomainID, "Jane.Doe@gmail.com", contact.TypeFree),
				mk(job.DomainID, "shared@partner.example.net", contact.TypeUnknown),
			}
		case ids[1]:
			cs = []contact.Contact{
				mk(job.DomainID, "sales@catc1.example.org", contact.TypeService),
				mk(job.DomainID, "shared@partner.example.net", contact.TypeUnknown),
			}
		default:
			// Enough to span several batches of the export.
			for i := range 2_345 {
				cs = append(cs, mk(job.DomainID, fmt.Sprintf("bulk%04d@catc2.example.org", i), contact.TypeCorporate))
			}
		}
		require.NoError(t, s.FinishScan(ctx, job, scan.Outcome{Contacts: cs, FinishedAt: t0.Add(time.Hour)}))
		for _, c := range cs {
			rows = append(rows, catalog.ContactRow{Contact: c, Domain: host[job.DomainID]})
		}
	}
	return rows
}

// catWantContacts is the reference of the contact listings.
func catWantContacts(all []catalog.ContactRow, f catalog.ContactFilter) []catalog.ContactRow {
	var out []catalog.ContactRow
	for _, r := range all {
		if (f.DomainID == nil || r.DomainID == *f.DomainID) && (f.EmailType == nil || r.Type == *f.EmailType) &&
			strings.Contains(strings.ToLower(r.Email), strings.ToLower(f.Q)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b catalog.ContactRow) int {
		return cmp.Or(strings.Compare(a.Email, b.Email), compareUUID(a.ID, b.ID))
	})
	return out
}

func testContacts(t *testing.T, s CatalogStore) {
	ctx := context.Background()
	all := catContactSeed(t, s)
	ids := map[string]uuid.UUID{}
	for _, r := range all {
		ids[r.Domain] = r.DomainID
	}
	d0, d2 := ids["catc0.example.org"], ids["catc2.example.org"]
	unknown := uuid.New()
	cases := []struct {
		name string
		f    catalog.ContactFilter
		want int
	}{
		{"everything", catalog.ContactFilter{}, len(all)},
		{"one domain", catalog.ContactFilter{DomainID: &d0}, 6},
		{"unknown domain", catalog.ContactFilter{DomainID: &unknown}, 0},
		{"type", catalog.ContactFilter{EmailType: ptr(contact.TypeService)}, 2},
		{"type and domain", catalog.ContactFilter{DomainID: &d0, EmailType: ptr(contact.TypeCorporate)}, 2},
		{"q any case", catalog.ContactFilter{Q: "JANE.doe"}, 1},
		{"q shared address", catalog.ContactFilter{Q: "shared@"}, 2},
		{"q underscore literal", catalog.ContactFilter{Q: "_"}, 1},
		{"q percent literal", catalog.ContactFilter{Q: "%"}, 1},
		{"q and domain", catalog.ContactFilter{DomainID: &d2, Q: "bulk01"}, 100},
		{"q no match", catalog.ContactFilter{Q: "nobody"}, 0},
	}
	for _, tc := range cases {
		want := catWantContacts(all, tc.f)
		require.Len(t, want, tc.want, "%s: the reference", tc.name)

		// Listing: page 1 and a walk in pages of 7 where it is short.
		q := catalog.ContactQuery{ContactFilter: tc.f, Page: 1, Size: catalog.MaxSize}
		require.NoError(t, q.Validate())
		p, err := s.ListContacts(ctx, q)
		require.NoError(t, err)
		require.Equal(t, len(want), p.Total, tc.name)
		require.Equal(t, (len(want)+q.Size-1)/q.Size, p.Pages, tc.name)
		require.Equal(t, rowIDs(want[:min(len(want), q.Size)]), scanIDs(p.Items), tc.name)
		if len(want) <= 20 {
			got := []uuid.UUID{}
			for q.Page, q.Size = 1, 7; ; q.Page++ {
				p, err := s.ListContacts(ctx, q)
				require.NoError(t, err)
				require.Equal(t, len(want), p.Total)
				if len(p.Items) == 0 {
					require.Greater(t, q.Page, p.Pages, "only past the end is a page empty")
					break
				}
				got = append(got, scanIDs(p.Items)...)
			}
			require.Equal(t, rowIDs(want), got, "%s, paged", tc.name)
		}

		// Export: every row, with its domain's host.
		var streamed []catalog.ContactRow
		require.NoError(t, s.StreamContacts(ctx, tc.f, func(r catalog.ContactRow) error {
			streamed = append(streamed, r)
			return nil
		}))
		require.Equal(t, rowIDs(want), rowIDs(streamed), tc.name)
		for i, r := range streamed {
			require.Equal(t, want[i].Domain, r.Domain, tc.name)
		}
	}

	// A listed contact is the stored contact, field by field.
	q := catalog.ContactQuery{ContactFilter: catalog.ContactFilter{Q: "jane"}, Page: 1, Size: 1}
	p, err := s.ListContacts(ctx, q)
	require.NoError(t, err)
	want := catWantContacts(all, q.ContactFilter)[0]
	got := p.Items[0]
	require.Equal(t, want.Contact.Email, got.Email)
	require.Equal(t, want.Contact.DomainID, got.DomainID)
	require.Equal(t, want.Contact.Type, got.Type)
	require.True(t, got.HasGmail)
	require.Equal(t, want.Contact.Context, got.Context)
	require.Equal(t, want.Contact.SourceURL, got.SourceURL)
	require.True(t, want.Contact.FirstSeenAt.Equal(got.FirstSeenAt))
	require.True(t, want.Contact.LastSeenAt.Equal(got.LastSeenAt))

	// The same address on two domains: ordered by ID within the email.
	shared := catWantContacts(all, catalog.ContactFilter{Q: "shared@"})
	require.Negative(t, compareUUID(shared[0].ID, shared[1].ID))

	// fn's error stops the stream and comes back.
	stop := errors.New("client went away")
	calls := 0
	err = s.StreamContacts(ctx, catalog.ContactFilter{}, func(catalog.ContactRow) error {
		calls++
		if calls == 1_500 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1_500, calls, "no row after the error")

	// A cancelled context ends the stream with its error.
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = s.StreamContacts(cctx, catalog.ContactFilter{}, func(catalog.ContactRow) error {
		calls++
		if calls == 10 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, calls, len(all), "the stream stopped early")
}

func rowIDs(rs []catalog.ContactRow) []uuid.UUID {
	ids := make([]uuid.UUID, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func scanIDs(cs []contact.Contact) []uuid.UUID {
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}
