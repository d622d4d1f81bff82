package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

var now = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)

type fixedClock struct{}

func (fixedClock) Now() time.Time { return now }

func ptr[T any](v T) *T { return &v }

func TestDomainQueryValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*catalog.DomainQuery)
		param string // "" when valid
	}{
		{"defaults", func(*catalog.DomainQuery) {}, ""},
		{"largest page", func(q *catalog.DomainQuery) { q.Page, q.Size = catalog.MaxPage, catalog.MaxSize }, ""},
		{"every filter", func(q *catalog.DomainQuery) {
			q.EmailScanStatus, q.SitemapCurationStatus = ptr(core.CurationNotAFit), ptr(core.CurationNew)
			q.PageScrapeStatus, q.SitemapAnalysisStatus = catalog.IsNull[core.TaskStatus](), catalog.Is(core.AnalysisError)
			q.DomainFilter = strings.Repeat("a", catalog.MaxFilterLength)
		}, ""},
		{"page 0", func(q *catalog.DomainQuery) { q.Page = 0 }, "page"},
		{"page too far", func(q *catalog.DomainQuery) { q.Page = catalog.MaxPage + 1 }, "page"},
		{"size 0", func(q *catalog.DomainQuery) { q.Size = 0 }, "size"},
		{"size 101", func(q *catalog.DomainQuery) { q.Size = catalog.MaxSize + 1 }, "size"},
		{"size negative", func(q *catalog.DomainQuery) { q.Size = -5 }, "size"},
		{"no sort key", func(q *catalog.DomainQuery) { q.SortBy = "" }, "sort_by"},
		{"unknown sort key", func(q *catalog.DomainQuery) { q.SortBy = "id; DROP TABLE domains" }, "sort_by"},
		{"bad curation", func(q *catalog.DomainQuery) { q.EmailScanStatus = ptr(core.CurationStatus("selected")) }, "email_scan_status"},
		{"bad sitemap curation", func(q *catalog.DomainQuery) { q.SitemapCurationStatus = ptr(core.CurationStatus("")) }, "sitemap_curation_status"},
		{"bad task", func(q *catalog.DomainQuery) { q.PageScrapeStatus = catalog.Is(core.TaskStatus("Processing")) }, "page_scrape_status"},
		{"bad analysis", func(q *catalog.DomainQuery) { q.SitemapAnalysisStatus = catalog.Is(core.AnalysisStatus("InProgress")) }, "sitemap_analysis_status"},
		{"long filter", func(q *catalog.DomainQuery) { q.DomainFilter = strings.Repeat("a", catalog.MaxFilterLength+1) }, "domain_filter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := catalog.NewDomainQuery()
			tc.edit(&q)
			err := q.Validate()
			if tc.param == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, catalog.ErrInvalidQuery)
			var qe *catalog.QueryError
			require.ErrorAs(t, err, &qe)
			require.Equal(t, tc.param, qe.Param)
			require.True(t, strings.HasPrefix(err.Error(), tc.param+" "), err.Error())
		})
	}
}

func TestContactQueryValidate(t *testing.T) {
	t.Parallel()
	q := catalog.NewContactQuery()
	require.NoError(t, q.Validate())
	q.EmailType = ptr(contact.TypeFree)
	q.Q = "jane"
	require.NoError(t, q.Validate())

	for _, tc := range []struct {
		edit  func(*catalog.ContactQuery)
		param string
	}{
		{func(q *catalog.ContactQuery) { q.Page = -1 }, "page"},
		{func(q *catalog.ContactQuery) { q.Size = 1000 }, "size"},
		{func(q *catalog.ContactQuery) { q.EmailType = ptr(contact.Type("personal")) }, "email_type"},
		{func(q *catalog.ContactQuery) { q.Q = strings.Repeat("x", 300) }, "q"},
	} {
		q := catalog.NewContactQuery()
		tc.edit(&q)
		var qe *catalog.QueryError
		require.ErrorAs(t, q.Validate(), &qe)
		require.Equal(t, tc.param, qe.Param)
	}
}

func TestParseSortKey(t *testing.T) {
	t.Parallel()
	for _, k := range catalog.SortKeys {
		got, err := catalog.ParseSortKey(string(k))
		require.NoError(t, err)
		require.Equal(t, k, got)
	}
	for _, bad := range []string{"", "id", "Domain", "updated_at ", "domain DESC"} {
		_, err := catalog.ParseSortKey(bad)
		require.ErrorIs(t, err, catalog.ErrInvalidQuery, bad)
		require.Contains(t, err.Error(), "allowed: domain, created_at")
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	q, e := core.TaskQueued, core.TaskError
	cases := []struct {
		m    *catalog.Match[core.TaskStatus]
		v    *core.TaskStatus
		want bool
	}{
		{nil, nil, true},
		{nil, &q, true},
		{catalog.IsNull[core.TaskStatus](), nil, true},
		{catalog.IsNull[core.TaskStatus](), &q, false},
		{catalog.Is(core.TaskQueued), &q, true},
		{catalog.Is(core.TaskQueued), &e, false},
		{catalog.Is(core.TaskQueued), nil, false},
	}
	for i, tc := range cases {
		require.Equal(t, tc.want, tc.m.Matches(tc.v), "case %d", i)
	}
}

func TestNewPage(t *testing.T) {
	t.Parallel()
	cases := []struct{ total, size, pages int }{
		{0, 20, 0}, {1, 20, 1}, {20, 20, 1}, {21, 20, 2}, {100, 1, 100}, {99, 100, 1}, {201, 100, 3},
	}
	for _, tc := range cases {
		p := catalog.NewPage[int](nil, tc.total, 1, tc.size)
		require.Equal(t, tc.pages, p.Pages, "%d/%d", tc.total, tc.size)
		require.NotNil(t, p.Items, "items is [] in JSON, never null")
	}
}

// failingStore fails every listing with err.
type failingStore struct {
	*memory.Store
	err error
}

func (f failingStore) ListDomains(context.Context, catalog.DomainQuery) (catalog.Page[core.Domain], error) {
	return catalog.Page[core.Domain]{}, f.err
}

func TestLister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewStore()
	ds, err := store.AddDomains(ctx, []core.Domain{core.NewDomain("a.example.org", now), core.NewDomain("b.example.org", now.Add(time.Second))})
	require.NoError(t, err)
	l := catalog.NewLister(store)

	p, err := l.ListDomains(ctx, catalog.NewDomainQuery())
	require.NoError(t, err)
	require.Equal(t, 2, p.Total)
	require.Equal(t, ds[1].ID, p.Items[0].ID, "newest update first by default")

	bad := catalog.NewDomainQuery()
	bad.Size = 500
	_, err = l.ListDomains(ctx, bad)
	var qe *catalog.QueryError
	require.ErrorAs(t, err, &qe, "the use case validates too")
	require.Equal(t, "size", qe.Param)

	// A domain's contacts: an unknown domain is not found, a known one
	// without contacts an empty page; the query's own DomainID is ignored.
	other := uuid.New()
	cq := catalog.NewContactQuery()
	cq.DomainID = &other
	_, err = l.DomainContacts(ctx, uuid.New(), cq)
	require.ErrorIs(t, err, core.ErrNotFound)
	cp, err := l.DomainContacts(ctx, ds[0].ID, cq)
	require.NoError(t, err)
	require.Equal(t, 0, cp.Total)
	require.NotNil(t, cp.Items)

	// An unknown domain as a filter selects nothing, without an error.
	cp, err = l.ListContacts(ctx, cq)
	require.NoError(t, err)
	require.Equal(t, 0, cp.Total)

	cq.EmailType = ptr(contact.Type("x"))
	_, err = l.ListContacts(ctx, cq)
	require.ErrorIs(t, err, catalog.ErrInvalidQuery)
	err = l.StreamContacts(ctx, cq.ContactFilter, func(catalog.ContactRow) error { return nil })
	require.ErrorIs(t, err, catalog.ErrInvalidQuery)

	boom := errors.New("boom")
	_, err = catalog.NewLister(failingStore{Store: store, err: boom}).ListDomains(ctx, catalog.NewDomainQuery())
	require.ErrorIs(t, err, boom)
	require.Contains(t, err.Error(), "list domains: ")
}

// countingAdder records the batches it is given.
type countingAdder struct {
	*memory.Store
	batches []int
	failAt  int // fail the batch with this index; -1 never
}

func (c *countingAdder) AddDomains(ctx context.Context, ds []core.Domain) ([]core.Domain, error) {
	if len(c.batches) == c.failAt {
		return nil, errors.New("disk full")
	}
	c.batches = append(c.batches, len(ds))
	return c.Store.AddDomains(ctx, ds)
}

func TestImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewStore()
	known, err := store.AddDomains(ctx, []core.Domain{core.NewDomain("known.example.org", now)})
	require.NoError(t, err)
	im := catalog.NewImporter(store, fixedClock{})

	file := "\uFEFFWebsite,notes\n" + // a header, with a spreadsheet's BOM
		"https://www.Example.com/about,first\n" +
		"\n" + // skipped, not a row
		"exa mple.com,typo\n" +
		"b.io\n" +
		"EXAMPLE.COM,again\n" +
		`"known.example.org",quoted` + "\n" +
		"ftp://nope.example.org\n" +
		"   \n"
	res, err := im.Import(ctx, strings.NewReader(file))
	require.NoError(t, err)
	require.Equal(t, 2, res.Created, "example.com and b.io")
	require.Equal(t, 1, res.Existing, "known.example.org")
	require.Len(t, res.DomainIDs, 3)
	require.Equal(t, known[0].ID, res.DomainIDs[2], "an existing host keeps its ID")
	require.Equal(t, []catalog.ImportRejection{
		{Row: 4, Input: "exa mple.com", Reason: `"exa mple.com" is not a valid host name`},
		{Row: 8, Input: "ftp://nope.example.org", Reason: `scheme "ftp" is not http or https`},
		{Row: 9, Input: "   ", Reason: "empty"},
	}, res.Rejected)
	for i, host := range []string{"example.com", "b.io"} {
		d, err := store.GetDomain(ctx, res.DomainIDs[i])
		require.NoError(t, err)
		require.Equal(t, host, d.Domain)
		require.Equal(t, now, d.CreatedAt)
		require.Equal(t, core.CurationNew, d.EmailScanStatus)
	}

	// Importing the same file again creates nothing.
	again, err := im.Import(ctx, strings.NewReader(file))
	require.NoError(t, err)
	require.Equal(t, 0, again.Created)
	require.Equal(t, 3, again.Existing)
	require.Equal(t, res.DomainIDs, again.DomainIDs)
}

func TestImportHeaderDetection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		created int
	}{
		{"domain\na.example.org\n", 1},
		{"  URL  \na.example.org\n", 1},
		{"Domain Name,x\na.example.org\n", 1},
		{"hostname\na.example.org\n", 1},
		{"a.example.org\nb.example.org\n", 2},
		{"a.example.org\ndomain\n", 2}, // only the first row can be a header
		{"localhost\na.example.org\n", 2},
	}
	for _, tc := range cases {
		im := catalog.NewImporter(memory.NewStore(), fixedClock{})
		res, err := im.Import(context.Background(), strings.NewReader(tc.file))
		require.NoError(t, err, tc.file)
		require.Equal(t, tc.created, res.Created, "%q", tc.file)
		require.Empty(t, res.Rejected, "%q", tc.file)
	}
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	var many strings.Builder
	for i := range catalog.MaxImportRows + 1 {
		fmt.Fprintf(&many, "d%d.example.org\n", i)
	}
	cases := []struct {
		name string
		file string
		want error
	}{
		{"empty", "", core.ErrEmptyBatch},
		{"blank lines", "\n\n\n", core.ErrEmptyBatch},
		{"header only", "domain\n", core.ErrEmptyBatch},
		{"too many rows", many.String(), core.ErrBatchTooLarge},
		{"nothing valid", "domain\nexa mple.com\nftp://x.org\n", core.ErrInvalidDomain},
		{"binary", "PK\x03\x04\x00\x00,a.example.org\n", catalog.ErrInvalidFile},
		{"binary later", "a.example.org\nb.example.org,\x00\n", catalog.ErrInvalidFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := &countingAdder{Store: memory.NewStore(), failAt: -1}
			_, err := catalog.NewImporter(store, fixedClock{}).Import(context.Background(), strings.NewReader(tc.file))
			require.ErrorIs(t, err, tc.want)
			require.Empty(t, store.batches, "nothing is stored")
		})
	}

	_, err := catalog.NewImporter(memory.NewStore(), fixedClock{}).Import(context.Background(), strings.NewReader("domain\nexa mple.com\n,x\n"))
	var nv *catalog.NoValidRowsError
	require.ErrorAs(t, err, &nv)
	require.Equal(t, []catalog.ImportRejection{
		{Row: 2, Input: "exa mple.com", Reason: `"exa mple.com" is not a valid host name`},
		{Row: 3, Input: "", Reason: "empty"},
	}, nv.Rejected)

	_, err = catalog.NewImporter(memory.NewStore(), fixedClock{}).Import(context.Background(), strings.NewReader("a.example.org\nb.example.org,\x00\n"))
	require.ErrorContains(t, err, "line 2")

	// Stray quotes and other encodings spoil a row, not the file.
	res, err := catalog.NewImporter(memory.NewStore(), fixedClock{}).Import(context.Background(),
		strings.NewReader("a.example.org\nb\"c.example.org\nb\xfccher.de\n\"d.example.org\n"))
	require.NoError(t, err)
	require.Equal(t, 2, res.Created, "a.example.org and the unterminated d.example.org")
	require.Equal(t, []catalog.ImportRejection{
		{Row: 2, Input: `b"c.example.org`, Reason: `"b\"c.example.org" is not a valid host name`},
		{Row: 3, Input: "b\uFFFDcher.de", Reason: "not UTF-8 text; save the file as UTF-8"},
	}, res.Rejected)
}

func TestImportBatchesAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var file strings.Builder
	file.WriteString("domain\n")
	for i := range catalog.MaxImportRows {
		fmt.Fprintf(&file, "d%d.example.org\n", i%2_500) // 2,500 distinct hosts, each four times
	}
	store := &countingAdder{Store: memory.NewStore(), failAt: -1}
	res, err := catalog.NewImporter(store, fixedClock{}).Import(ctx, strings.NewReader(file.String()))
	require.NoError(t, err, "exactly the limit is accepted")
	require.Equal(t, 2_500, res.Created)
	require.Len(t, res.DomainIDs, 2_500)
	require.Equal(t, []int{1_000, 1_000, 500}, store.batches, "stored in batches of curation.MaxSubmit")

	// A failing batch fails the import; the batches before it stay.
	failing := &countingAdder{Store: memory.NewStore(), failAt: 1}
	_, err = catalog.NewImporter(failing, fixedClock{}).Import(ctx, strings.NewReader(file.String()))
	require.ErrorContains(t, err, "disk full")
	require.Equal(t, []int{1_000}, failing.batches)

	// A rejected cell is echoed cut short.
	long := strings.Repeat("é", 5_000)
	_, err = catalog.NewImporter(memory.NewStore(), fixedClock{}).Import(ctx, strings.NewReader(long+"\n"))
	var nv *catalog.NoValidRowsError
	require.ErrorAs(t, err, &nv)
	require.Equal(t, strings.Repeat("é", 200)+"...", nv.Rejected[0].Input)
}
