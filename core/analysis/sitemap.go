// Package analysis is the sitemap analysis use case: a claimed domain's
// sitemaps are discovered and read, and the files found are stored with the
// domain's totals and sitemap_analysis_status, all in one fenced transaction.
package analysis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// DefaultConcurrency is the default number of sitemap analyses one process
// runs at once. An analysis reads at most a few sitemap files of one site,
// waiting on the network, so a few dozen cost little.
const DefaultConcurrency = 20

// FileType is the kind of a sitemap file, as stored in the type column.
type FileType string

// The sitemap file types, spelled exactly as stored and sent on the wire.
const (
	// TypeIndex is a <sitemapindex> listing other sitemaps.
	TypeIndex FileType = "index"
	// TypeStandard is a <urlset> without image, video or news entries. It is
	// also the type of a file that could not be read far enough to tell.
	TypeStandard FileType = "standard"
	// TypeImage, TypeVideo and TypeNews are urlsets using the Google image,
	// video or news sitemap extensions.
	TypeImage FileType = "image"
	TypeVideo FileType = "video"
	TypeNews  FileType = "news"
)

// FileTypes lists every valid FileType.
var FileTypes = []FileType{TypeIndex, TypeStandard, TypeImage, TypeVideo, TypeNews}

// Valid reports whether t is one of the defined file types.
func (t FileType) Valid() bool {
	switch t {
	case TypeIndex, TypeStandard, TypeImage, TypeVideo, TypeNews:
		return true
	}
	return false
}

// String returns the wire string.
func (t FileType) String() string { return string(t) }

// ParseFileType returns the FileType spelled exactly s, or an error wrapping
// core.ErrInvalidStatus.
func ParseFileType(s string) (FileType, error) {
	if t := FileType(s); t.Valid() {
		return t, nil
	}
	return "", fmt.Errorf("%w: %q is not a sitemap type (want index, standard, image, video or news)", core.ErrInvalidStatus, s)
}

// Discovery is how a sitemap file was found, as stored in the discovery
// column.
type Discovery string

// The discovery methods, spelled exactly as stored and sent on the wire.
const (
	// DiscoveryRobotsTxt is a Sitemap: line of robots.txt.
	DiscoveryRobotsTxt Discovery = "robots_txt"
	// DiscoveryCommonPath is a well-known location such as /sitemap.xml.
	DiscoveryCommonPath Discovery = "common_path"
	// DiscoveryHTMLLink is a <link rel="sitemap"> on the home page.
	DiscoveryHTMLLink Discovery = "html_link"
	// DiscoverySitemapIndex is an entry of a sitemap index.
	DiscoverySitemapIndex Discovery = "sitemap_index"
)

// Discoveries lists every valid Discovery.
var Discoveries = []Discovery{DiscoveryRobotsTxt, DiscoveryCommonPath, DiscoveryHTMLLink, DiscoverySitemapIndex}

// Valid reports whether d is one of the defined discovery methods.
func (d Discovery) Valid() bool {
	switch d {
	case DiscoveryRobotsTxt, DiscoveryCommonPath, DiscoveryHTMLLink, DiscoverySitemapIndex:
		return true
	}
	return false
}

// String returns the wire string.
func (d Discovery) String() string { return string(d) }

// ParseDiscovery returns the Discovery spelled exactly s, or an error
// wrapping core.ErrInvalidStatus.
func ParseDiscovery(s string) (Discovery, error) {
	if d := Discovery(s); d.Valid() {
		return d, nil
	}
	return "", fmt.Errorf("%w: %q is not a sitemap discovery method (want robots_txt, common_path, html_link or sitemap_index)", core.ErrInvalidStatus, s)
}

// MaxErrorLength caps the runes of File.Error kept by Build.
const MaxErrorLength = 500

// File is one sitemap file of a domain. For an index, URLCount counts the
// sitemaps it lists; for a urlset, the page URLs.
type File struct {
	ID        uuid.UUID `json:"id"`
	DomainID  uuid.UUID `json:"domain_id"`
	URL       string    `json:"url"`
	Type      FileType  `json:"type"`
	Discovery Discovery `json:"discovery"`
	URLCount  int       `json:"url_count"`
	// LastModified is the <lastmod> of the index entry that listed the
	// file or, failing that, the newest <lastmod> inside it.
	LastModified *time.Time `json:"last_modified"`
	// Error is empty, or says why the file was cut short or rejected (its
	// counts then cover what was read before).
	Error string `json:"error"`
}

// Analysis is what reading one site's sitemaps produced. Its files carry
// no ID or DomainID yet; Build assigns them.
type Analysis struct {
	Files []File
}

// Analyzer discovers and reads the sitemaps of a site. An error means the
// site as a whole could not be analysed (failures of single files are
// recorded in File.Error); its message is shown to users, and it may
// implement queue.Transient. A site without any sitemap is not an error.
type Analyzer interface {
	Analyze(ctx context.Context, site string) (Analysis, error)
}

// Outcome is a finished analysis, written at once.
type Outcome struct {
	Files []File
	// TotalURLs sums the URL counts of the files that are not indexes.
	TotalURLs  int
	FinishedAt time.Time
}

// Results stores a finished analysis. FinishAnalysis upserts the files on
// (domain_id, url) (a file already stored keeps its ID and takes the new
// values), and sets the domain's sitemap_analysis_status to Completed, its
// error to NULL and its totals (files and URLs) to those of out, in one
// transaction fenced on job.Token: if the job lost its lease nothing is
// written and the error wraps core.ErrLeaseLost.
type Results interface {
	FinishAnalysis(ctx context.Context, job queue.Job, out Outcome) error
}

// Handler is the queue.Handler of the sitemap analysis workflow
// (core.SitemapCuration).
type Handler struct {
	analyzer Analyzer
	results  Results
	clock    core.Clock
	retry    queue.StoreRetry
}

var _ queue.Handler = (*Handler)(nil)

// NewHandler returns the sitemap analysis handler.
func NewHandler(a Analyzer, r Results, clock core.Clock) *Handler {
	return &Handler{analyzer: a, results: r, clock: clock, retry: queue.DefaultStoreRetry()}
}

// WithStoreRetry sets how storing the results is retried in place
// (queue.DefaultStoreRetry unless set) and returns h.
func (h *Handler) WithStoreRetry(p queue.StoreRetry) *Handler {
	h.retry = p
	return h
}

// Handle analyses job.Domain and records the outcome. No transaction is
// open while the site is fetched.
func (h *Handler) Handle(ctx context.Context, job queue.Job) error {
	a, err := h.analyzer.Analyze(ctx, job.Domain)
	if err != nil {
		return err
	}
	out := Build(job.DomainID, a, h.clock.Now())
	write := func(ctx context.Context) error { return h.results.FinishAnalysis(ctx, job, out) }
	if err := h.retry.Do(ctx, write); err != nil {
		return fmt.Errorf("finish analysis: %w", err)
	}
	queue.Note(ctx, "sitemaps", len(out.Files), "urls", out.TotalURLs)
	return nil
}

// Build returns the outcome of a: one file per distinct URL (the first
// wins), each with a fresh ID, domainID and its error cut to
// MaxErrorLength, and the total URL count of the non-index files.
func Build(domainID uuid.UUID, a Analysis, now time.Time) Outcome {
	out := Outcome{FinishedAt: now, Files: make([]File, 0, len(a.Files))}
	seen := make(map[string]bool, len(a.Files))
	for _, f := range a.Files {
		if seen[f.URL] {
			continue
		}
		seen[f.URL] = true
		f.ID = uuid.New()
		f.DomainID = domainID
		f.Error = truncate(strings.TrimSpace(f.Error), MaxErrorLength)
		if f.LastModified != nil {
			t := f.LastModified.UTC()
			f.LastModified = &t
		}
		if f.Type != TypeIndex {
			out.TotalURLs += f.URLCount
		}
		out.Files = append(out.Files, f)
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
