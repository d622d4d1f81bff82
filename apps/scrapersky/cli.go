package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/extract"
	sitemapscraper "github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// emailRow is one line of extract/crawl output.
type emailRow struct {
	Email   string `json:"email"`
	Type    string `json:"type"`
	Source  string `json:"source"`
	Context string `json:"context"`
}

// printer writes rows as JSON lines or as a table, each email once.
type printer struct {
	w     io.Writer
	json  bool
	site  string
	seen  map[string]bool
	table *tabwriter.Writer
}

func newPrinter(w io.Writer, asJSON bool, site string) *printer {
	p := &printer{w: w, json: asJSON, site: site, seen: map[string]bool{}}
	if !asJSON {
		p.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(p.table, "EMAIL\tTYPE\tSOURCE\tCONTEXT")
	}
	return p
}

func (p *printer) add(site, email, source, ctx string) error {
	if p.seen[email] {
		return nil
	}
	p.seen[email] = true
	if p.site != "" {
		site = p.site
	}
	row := emailRow{Email: email, Type: string(contact.Classify(email, site)), Source: source, Context: ctx}
	if p.json {
		return json.NewEncoder(p.w).Encode(row)
	}
	_, err := fmt.Fprintf(p.table, "%s\t%s\t%s\t%s\n", row.Email, row.Type, row.Source, clip(row.Context, 60))
	return err
}

func (p *printer) flush() error {
	if p.table != nil {
		return p.table.Flush()
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// extractCmd prints the emails of local files or fetched pages.
func extractCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "domain used to classify emails (default: each input's host)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	allowPrivate := fs.Bool("allow-private", false, "allow fetching private and loopback addresses")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		return errUsage
	}
	cfg := scraper.DefaultConfig()
	cfg.AllowPrivateNetworks = *allowPrivate
	crawler := scraper.New(cfg)
	out := newPrinter(stdout, *asJSON, *site)
	for _, in := range fs.Args() {
		var page scraper.Page
		inputSite := ""
		if u, err := url.Parse(in); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			page, err = crawler.Fetch(ctx, in)
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			inputSite = u.Host
		} else {
			body, err := os.ReadFile(in)
			if err != nil {
				return err
			}
			page = scraper.Page{URL: in, Body: body, IsHTML: !strings.HasSuffix(strings.ToLower(in), ".txt")}
		}
		found := extract.Text(page.Body)
		if page.IsHTML {
			found = scraper.Extractor.HTML(ctx, page.Body, page.URL)
		}
		for _, f := range found {
			if err := out.add(inputSite, f.Email, in, f.Context); err != nil {
				return err
			}
		}
	}
	return out.flush()
}

// crawlCmd crawls one site and prints every email once.
func crawlCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "domain used to classify emails (default: the crawled host)")
	maxPages := fs.Int("max-pages", 30, "pages to fetch at most")
	allowPrivate := fs.Bool("allow-private", false, "allow private and loopback addresses (local testing only)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 || *maxPages < 1 {
		return errUsage
	}
	host, err := core.NormalizeDomain(fs.Arg(0))
	if err != nil {
		return err
	}
	cfg := scraper.DefaultConfig()
	cfg.MaxPages = *maxPages
	cfg.AllowPrivateNetworks = *allowPrivate || getenv("SCRAPERSKY_ALLOW_PRIVATE_NETWORKS") == "true"
	out := newPrinter(stdout, *asJSON, *site)
	progress := isTerminal(stderr)
	n := 0
	crawler := scraper.New(cfg, scraper.WithSeeder(sitemapscraper.NewSeeder(sitemapscraper.DefaultSeedConfig())))
	stats, err := crawler.Crawl(ctx, host, func(_ context.Context, p scraper.Page) error {
		n++
		if progress {
			fmt.Fprintf(stderr, "\r\033[K[%d/%d] %s", n, *maxPages, clip(p.URL, 70))
		}
		for _, f := range scraper.Emails(ctx, p) {
			if err := out.add(host, f.Email, p.URL, f.Context); err != nil {
				return err
			}
		}
		return nil
	})
	if progress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("crawl %s: %w", host, err)
	}
	if err := out.flush(); err != nil {
		return err
	}
	if progress {
		fmt.Fprintf(stderr, "%d pages fetched, %d skipped, %d failed, %d emails\n", stats.PagesFetched, stats.PagesSkipped, stats.PagesFailed, len(out.seen))
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
