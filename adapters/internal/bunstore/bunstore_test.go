package bunstore

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

func TestArgsFor(t *testing.T) {
	t.Parallel()
	unknown := core.EmailScan
	unknown.Name = "page_scrape"
	missing := core.SitemapCuration
	missing.Done = nil
	noCancel := core.EmailScan
	noCancel.Cancelled = nil
	tests := []struct {
		name string
		wf   core.Workflow
		want QueueArgs
		err  bool
	}{
		{name: "email scan", wf: core.EmailScan, want: QueueArgs{
			Workflow: "email_scan", Primary: "email_scan_status",
			Secondary: "page_scrape_status", ErrorCol: "page_scrape_error",
			Attempts: "page_scrape_attempts", Started: "page_scrape_started_at", Finished: "page_scrape_finished_at",
			Next:        "page_scrape_next_attempt_at",
			QueuedIndex: "domains_page_scrape_queued_idx",
			Queued:      "Queued", Running: "InProgress", Done: "Completed", Failed: "Error", Cancelled: "Cancelled",
		}},
		{name: "sitemap curation", wf: core.SitemapCuration, want: QueueArgs{
			Workflow: "sitemap_curation", Primary: "sitemap_curation_status",
			Secondary: "sitemap_analysis_status", ErrorCol: "sitemap_analysis_error",
			Attempts: "sitemap_analysis_attempts", Started: "sitemap_analysis_started_at", Finished: "sitemap_analysis_finished_at",
			Next:        "sitemap_analysis_next_attempt_at",
			QueuedIndex: "domains_sitemap_analysis_queued_idx",
			Queued:      "Queued", Running: "Processing", Done: "Completed", Failed: "Error", Cancelled: "Cancelled",
		}},
		{name: "unknown name", wf: unknown, err: true},
		{name: "status missing", wf: missing, err: true},
		{name: "cancelled status missing", wf: noCancel, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ArgsFor(tt.wf)
			if tt.err {
				require.ErrorIs(t, err, ErrUnknownWorkflow)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestContainsPattern(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "%%"},
		{"acme", "%acme%"},
		{"50%_off", `%50\%\_off%`},
		{`a\b`, `%a\\b%`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ContainsPattern(tt.in), tt.in)
	}
}

func TestAsStored(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://a.example/sitemap.xml", "https://a.example/sitemap.xml"},
		{"https://a.example/\x00s.xml", "https://a.example/s.xml"},
		{"https://a.example/\xffs.xml", "https://a.example/\uFFFDs.xml"},
		{"https://a.example/é.xml", "https://a.example/é.xml"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, asStored(tt.in), "%q", tt.in)
	}
}

func TestDomainRowRoundTrip(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	started := time.Date(2026, 1, 2, 3, 4, 5, 6000, est)
	analysis := core.AnalysisQueued
	task := core.TaskInProgress
	msg := "boom"
	d := core.Domain{
		ID: uuid.New(), Domain: "a.example",
		CreatedAt: started, UpdatedAt: started.Add(time.Minute),
		SitemapCurationStatus: core.CurationSelected, SitemapAnalysisStatus: &analysis, SitemapAnalysisError: &msg,
		EmailScanStatus: core.CurationNew, PageScrapeStatus: &task,
		PageScrapeAttempts: 2, PageScrapeStartedAt: &started, PagesScanned: 3, ContactsFound: 4,
		SitemapCount: 5, SitemapURLCount: 6,
	}
	got := RowOf(d).Core()
	require.Equal(t, time.UTC, got.CreatedAt.Location())
	require.Equal(t, time.UTC, got.PageScrapeStartedAt.Location())
	require.True(t, got.CreatedAt.Equal(d.CreatedAt))
	require.Nil(t, got.PageScrapeFinishedAt)
	got.CreatedAt, got.UpdatedAt, got.PageScrapeStartedAt = d.CreatedAt, d.UpdatedAt, d.PageScrapeStartedAt
	require.Equal(t, d, got)
}

func TestDedupeHostsAndInHostOrder(t *testing.T) {
	t.Parallel()
	a1, b, a2 := uuid.New(), uuid.New(), uuid.New()
	in := []core.Domain{{ID: a1, Domain: "a.example"}, {ID: b, Domain: "b.example"}, {ID: a2, Domain: "a.example"}}
	hosts, rows := DedupeHosts(in)
	require.Equal(t, []string{"a.example", "b.example", "a.example"}, hosts)
	require.Len(t, rows, 2)
	require.Equal(t, a1, rows[0].ID, "a host listed twice keeps its first ID")

	out, err := InHostOrder(hosts, []DomainRow{rows[1], rows[0]})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{a1, b, a1}, []uuid.UUID{out[0].ID, out[1].ID, out[2].ID})

	_, err = InHostOrder(hosts, rows[:1])
	require.ErrorContains(t, err, `"b.example" missing`)
}

func TestOutcomeRows(t *testing.T) {
	t.Parallel()
	domainID := uuid.New()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	first := uuid.New()
	contacts := contactRows(queue.Job{DomainID: domainID}, []contact.Contact{
		{ID: first, DomainID: uuid.New(), Email: "a@a.example", Type: contact.TypeService, FirstSeenAt: t0, LastSeenAt: t0},
		{ID: uuid.New(), Email: "b@a.example", Type: contact.TypeFree, FirstSeenAt: t0, LastSeenAt: t0},
		{ID: uuid.New(), Email: "a@a.example", Type: contact.TypeFree, FirstSeenAt: t0, LastSeenAt: t0.Add(time.Hour)},
	})
	require.Len(t, contacts, 2)
	require.Equal(t, first, contacts[0].ID)
	require.Equal(t, domainID, contacts[0].DomainID, "rows go under the job's domain")
	require.Equal(t, string(contact.TypeService), contacts[0].EmailType)
	require.Equal(t, t0.Add(time.Hour), contacts[0].LastSeenAt)

	pages := pageRows(domainID, []scan.Page{
		{URL: "https://a.example/", Status: 500},
		{URL: "https://a.example/x", Status: 200},
		{URL: "https://a.example/", Status: 200},
	})
	require.Len(t, pages, 2)
	require.Equal(t, 200, pages[0].Status, "a page's last record wins")

	files, err := sitemapFileRows(domainID, []analysis.File{
		{URL: "https://a.example/s\x00.xml", Type: analysis.TypeStandard, Discovery: analysis.DiscoveryRobotsTxt, URLCount: 1},
		{URL: "https://a.example/s.xml", Type: analysis.TypeIndex, Discovery: analysis.DiscoveryCommonPath, URLCount: 2},
	})
	require.NoError(t, err)
	require.Len(t, files, 1, "URLs equal once stored are one file")
	require.Equal(t, string(analysis.TypeStandard), files[0].Type)
	require.NotEqual(t, uuid.Nil, files[0].ID)

	_, err = sitemapFileRows(domainID, []analysis.File{{URL: "u", Type: "bogus", Discovery: analysis.DiscoveryHTMLLink}})
	require.ErrorIs(t, err, core.ErrInvalidStatus)
	_, err = sitemapFileRows(domainID, []analysis.File{{URL: "u", Type: analysis.TypeNews, Discovery: analysis.DiscoveryHTMLLink, URLCount: -1}})
	require.True(t, errors.Is(err, core.ErrInvalidStatus))
}

func TestDirectionAndByteOrder(t *testing.T) {
	t.Parallel()
	require.Equal(t, "up", Up.String())
	require.Equal(t, "down", Down.String())
	require.Equal(t, "Direction(7)", Direction(7).String())
	require.Equal(t, `c.email COLLATE "C"`, Dialect{ByteOrder: `COLLATE "C"`}.OrderBytes("c.email"))
	require.Equal(t, "c.email", Dialect{}.OrderBytes("c.email"))
}
