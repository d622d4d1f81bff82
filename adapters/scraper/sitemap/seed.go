package sitemap

import (
	"context"
	"net/url"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/core/analysis"
)

// SeedConfig bounds the sitemap reading of one crawl, far below an
// analysis's bounds: a crawl of a few dozen pages needs the contact-like
// entries of a sitemap, not the site's whole inventory. Zero fields take
// the defaults of DefaultSeedConfig.
type SeedConfig struct {
	// MaxFiles caps the sitemap files requested per crawl, indexes and
	// failed requests included. Default 5.
	MaxFiles int
	// MaxDepth caps how deep indexes are followed, as Config.MaxDepth.
	// Default 2.
	MaxDepth int
	// MaxURLs caps the page URLs read across all files. Default 5000.
	MaxURLs int
	// MaxFileBytes caps the bytes read per file, on the wire and after
	// gzip decompression. Default 5 MiB.
	MaxFileBytes int64
}

// DefaultSeedConfig returns the production bounds of the crawl's sitemap
// reading.
func DefaultSeedConfig() SeedConfig {
	return SeedConfig{MaxFiles: 5, MaxDepth: 2, MaxURLs: 5000, MaxFileBytes: 5 << 20}
}

func (c SeedConfig) withDefaults() SeedConfig {
	d := DefaultSeedConfig()
	if c.MaxFiles <= 0 {
		c.MaxFiles = d.MaxFiles
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = d.MaxDepth
	}
	if c.MaxURLs <= 0 {
		c.MaxURLs = d.MaxURLs
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = d.MaxFileBytes
	}
	return c
}

// Seeder is the crawl's scraper.Seeder: it lists the pages of a site's
// sitemaps, so the crawl reaches pages no link leads to. It is safe for
// concurrent use.
type Seeder struct {
	cfg SeedConfig
}

var _ scraper.Seeder = (*Seeder)(nil)

// NewSeeder returns a Seeder bounded by cfg.
func NewSeeder(cfg SeedConfig) *Seeder { return &Seeder{cfg: cfg.withDefaults()} }

// seedFile is a sitemap file waiting to be read.
type seedFile struct {
	url   string
	depth int
}

// Seed reads the Sitemap lines of the site's robots.txt, then /sitemap.xml,
// following indexes breadth first, and returns the page URLs listed, in
// file order, within the SeedConfig bounds and ctx. Every request goes
// through s, so it stays on the site and honours robots.txt (a file
// robots.txt itself lists may be read); a file that cannot be read is
// skipped.
func (sd *Seeder) Seed(ctx context.Context, s *scraper.Site) []string {
	cfg := sd.cfg
	var (
		queue []seedFile
		seen  = map[string]bool{}
		pages []string
	)
	add := func(u string, depth int) {
		if k := key(u); !seen[k] {
			seen[k] = true
			queue = append(queue, seedFile{url: u, depth: depth})
		}
	}
	for _, u := range s.Sitemaps() {
		add(u, 0)
	}
	if home, err := url.Parse(s.Home()); err == nil {
		add(home.JoinPath("/sitemap.xml").String(), 0)
	}
	for files := 0; len(queue) > 0 && files < cfg.MaxFiles && len(pages) < cfg.MaxURLs && ctx.Err() == nil; files++ {
		f := queue[0]
		queue = queue[1:]
		st, err := s.Open(ctx, f.url, cfg.MaxFileBytes)
		if err != nil {
			continue
		}
		base, err := url.Parse(st.URL)
		if err != nil {
			base, _ = url.Parse(f.url)
		}
		p := parse(st, base, limits{
			maxURLs:     cfg.MaxURLs - len(pages),
			maxBytes:    cfg.MaxFileBytes,
			maxChildren: cfg.MaxFiles,
			maxRun:      DefaultConfig().MaxRunBytes,
			maxText:     4096,
			page:        func(u string) { pages = append(pages, u) },
		}, time.Now())
		_ = st.Close()
		if p.typ == analysis.TypeIndex && f.depth < cfg.MaxDepth {
			for _, c := range p.children {
				add(c.url, f.depth+1)
			}
		}
	}
	return pages
}
