package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/scrapersky/scrapersky-go/adapters/scraper"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/extract"
	"github.com/scrapersky/scrapersky-go/adapters/scraper/render"
	sitemapscraper "github.com/scrapersky/scrapersky-go/adapters/scraper/sitemap"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// emailRow is one line of extract/crawl output. Its member names are the
// API's contact names (GET /api/v3/contacts and its CSV export): one
// convention for both.
type emailRow struct {
	Email     string `json:"email"`
	EmailType string `json:"email_type"`
	Domain    string `json:"domain"`
	SourceURL string `json:"source_url"`
	Context   string `json:"context"`
}

// csvColumns are the CSV header, in the order of emailRow.
var csvColumns = []string{"email", "email_type", "domain", "source_url", "context"}

// outputFormats are the values of --output.
const outputFormats = "table, json or csv"

// printer writes rows as a table, JSON lines or CSV, each email once.
type printer struct {
	format string
	w      io.Writer
	site   string
	seen   map[string]bool
	table  *tabwriter.Writer
	csv    *csv.Writer
}

func newPrinter(w io.Writer, format, site string) *printer {
	p := &printer{w: w, format: format, site: site, seen: map[string]bool{}}
	switch format {
	case "table":
		p.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(p.table, "EMAIL\tTYPE\tSOURCE\tCONTEXT")
	case "csv":
		p.csv = csv.NewWriter(w)
		_ = p.csv.Write(csvColumns)
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
	row := emailRow{Email: email, EmailType: string(contact.Classify(email, site)), Domain: site, SourceURL: source, Context: ctx}
	switch p.format {
	case "json":
		return json.NewEncoder(p.w).Encode(row)
	case "csv":
		return p.csv.Write([]string{row.Email, row.EmailType, row.Domain, row.SourceURL, row.Context})
	}
	_, err := fmt.Fprintf(p.table, "%s\t%s\t%s\t%s\n", row.Email, row.EmailType, row.SourceURL, clip(row.Context, 60))
	return err
}

func (p *printer) flush() error {
	switch {
	case p.table != nil:
		return p.table.Flush()
	case p.csv != nil:
		p.csv.Flush()
		return p.csv.Error()
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

// outputFlags registers --output and its older spelling --json.
func outputFlags(f *flags) func() (string, error) {
	output := f.String("output", "table", "`FORMAT` of the result: "+outputFormats)
	asJSON := f.Bool("json", false, "same as --output json")
	return func() (string, error) {
		if *asJSON {
			return "json", nil
		}
		switch *output {
		case "table", "json", "csv":
			return *output, nil
		}
		return "", misuse(f.cmd, "--output %q: want %s", *output, outputFormats)
	}
}

const extractHelp = `Print the emails found in local files, fetched pages (http:// and https://
URLs) or standard input ("-"), each once, classified against --site (or
each input's host). Files ending in .txt are read as text, others as HTML.

Output members (JSON and CSV): email, email_type, domain, source_url,
context: the names the API uses for contacts.`

// extractCmd prints the emails of local files, fetched pages or stdin.
func extractCmd(ctx context.Context, c cli, args []string) error {
	f := newFlags("extract", "[flags] PATH|URL|-...", extractHelp)
	site := f.String("site", "", "`DOMAIN` used to classify emails (default: each input's host)")
	allowPrivate := f.Bool("allow-private", false, "allow fetching private and loopback addresses (local testing only)")
	format := outputFlags(f)
	inputs, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	outFmt, err := format()
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return misuse("extract", "give at least one file, URL or - for standard input")
	}
	cfg := scraper.DefaultConfig()
	cfg.AllowPrivateNetworks = *allowPrivate
	crawler := scraper.New(cfg)
	out := newPrinter(c.stdout, outFmt, *site)
	stdinRead := false
	for _, in := range inputs {
		var page scraper.Page
		inputSite := ""
		switch u, perr := url.Parse(in); {
		case in == "-":
			if stdinRead {
				return misuse("extract", "- (standard input) given twice")
			}
			stdinRead = true
			body, err := io.ReadAll(io.LimitReader(c.stdin, 32<<20))
			if err != nil {
				return fmt.Errorf("read standard input: %w", err)
			}
			page = scraper.Page{URL: "-", Body: body, IsHTML: bytes.ContainsRune(body, '<')}
		case perr == nil && (u.Scheme == "http" || u.Scheme == "https"):
			page, err = crawler.Fetch(ctx, in)
			if err != nil {
				return fmt.Errorf("%s: %w%s", in, err, privateHint(err, *allowPrivate))
			}
			inputSite = u.Host
		default:
			body, err := os.ReadFile(in)
			if err != nil {
				return fmt.Errorf("read %s: %w", in, err)
			}
			page = scraper.Page{URL: in, Body: body, IsHTML: !strings.HasSuffix(strings.ToLower(in), ".txt")}
		}
		found := extract.Text(page.Body)
		if page.IsHTML {
			found = scraper.Extractor.HTML(ctx, page.Body, page.URL)
		}
		for _, fd := range found {
			if err := out.add(inputSite, fd.Email, in, fd.Context); err != nil {
				return err
			}
		}
	}
	return out.flush()
}

// privateHint tells a user whose target the SSRF guard refused how to crawl
// a local site on purpose.
func privateHint(err error, allowed bool) string {
	var se *scraper.Error
	if !allowed && errors.As(err, &se) && se.Reason() == scraper.ReasonSSRF {
		return " (a private or loopback address: add --allow-private to crawl it, for local testing only)"
	}
	return ""
}

const crawlHelp = `Crawl each TARGET (a domain or URL; more from -i FILE, one per line, "#"
comments and blank lines skipped, "-" for standard input) as the workers do:
robots.txt honoured, same site only, contact-like pages first, the SSRF
guard on. Print every email once, classified against --site (or the
crawled host). A target that fails is reported on stderr and the others
still run; the exit status is then 1.

Output members (JSON and CSV): email, email_type, domain, source_url,
context: the names the API uses for contacts.`

// crawlCmd crawls sites and prints every email once.
func crawlCmd(ctx context.Context, c cli, args []string) error {
	f := newFlags("crawl", "[flags] TARGET... [-i FILE]", crawlHelp)
	site := f.String("site", "", "`DOMAIN` used to classify emails (default: the crawled host)")
	input := f.String("i", "", "read more targets from `FILE`, one per line (- for standard input)")
	maxPages := f.Int("max-pages", scraper.DefaultConfig().MaxPages, "`N` pages to fetch at most per site")
	depth := f.Int("depth", 0, "follow links at most `N` steps from the home page (0: no limit)")
	rate := f.Float64("rate", 2, "`REQUESTS` per second to one site")
	concurrency := f.Int("concurrency", 2, "`N` requests in flight at once per site")
	allowPrivate := f.Bool("allow-private", false, "allow private and loopback addresses (local testing only)")
	renderPages := f.Bool("render", false, "also render pages with scripts in a headless Chromium (slower; for sites only a full browser reveals)")
	format := outputFlags(f)
	targets, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	outFmt, err := format()
	if err != nil {
		return err
	}
	switch {
	case *maxPages < 1:
		return misuse("crawl", "--max-pages %d: must be at least 1", *maxPages)
	case *depth < 0:
		return misuse("crawl", "--depth %d: must be 0 (no limit) or more", *depth)
	case *rate <= 0:
		return misuse("crawl", "--rate %g: must be a positive number of requests per second", *rate)
	case *concurrency < 1:
		return misuse("crawl", "--concurrency %d: must be at least 1", *concurrency)
	}
	if *input != "" {
		more, err := readTargets(*input, c.stdin)
		if err != nil {
			return err
		}
		targets = append(targets, more...)
	}
	if len(targets) == 0 {
		return misuse("crawl", "give at least one domain or URL, or -i FILE")
	}
	hosts := make([]string, len(targets))
	for i, t := range targets {
		host, err := core.NormalizeDomain(t)
		if err != nil {
			return misuse("crawl", "%q is not a domain or URL: %v", t, err)
		}
		hosts[i] = host
	}

	cfg := scraper.DefaultConfig()
	cfg.MaxPages = *maxPages
	cfg.MaxDepth = *depth
	cfg.RequestsPerSecond = *rate
	cfg.Burst = max(1, int(*rate))
	cfg.Concurrency = *concurrency
	cfg.AllowPrivateNetworks = *allowPrivate || c.getenv("SCRAPERSKY_ALLOW_PRIVATE_NETWORKS") == "true"
	crawler := scraper.New(cfg, scraper.WithSeeder(sitemapscraper.NewSeeder(sitemapscraper.DefaultSeedConfig())))
	var renderer scraper.Renderer
	if *renderPages {
		chrome, err := render.New(render.DefaultOptions())
		if err != nil {
			return fmt.Errorf("crawl --render: %w", err)
		}
		defer chrome.Close()
		renderer = chrome
	}
	out := newPrinter(c.stdout, outFmt, *site)
	progress := isTerminal(c.stderr)
	var failed []string
	for _, host := range hosts {
		n := 0
		stats, err := crawler.Crawl(ctx, host, func(_ context.Context, p scraper.Page) error {
			n++
			if progress {
				fmt.Fprintf(c.stderr, "\r\033[K[%d/%d] %s", n, *maxPages, clip(p.URL, 70))
			}
			for _, fd := range scraper.EmailsWith(ctx, renderer, p) {
				if err := out.add(host, fd.Email, p.URL, fd.Context); err != nil {
					return err
				}
			}
			return nil
		})
		if progress {
			fmt.Fprint(c.stderr, "\r\033[K")
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("crawl %s: %w", host, err)
			}
			fmt.Fprintf(c.stderr, "scrapersky: crawl %s: %v%s\n", host, err, privateHint(err, cfg.AllowPrivateNetworks))
			failed = append(failed, host)
			continue
		}
		if progress {
			fmt.Fprintf(c.stderr, "%s: %d pages fetched, %d skipped, %d failed\n", host, stats.PagesFetched, stats.PagesSkipped, stats.PagesFailed)
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d sites failed: %s", len(failed), len(hosts), strings.Join(failed, ", "))
	}
	return nil
}

// readTargets reads one target per line from path ("-": stdin), skipping
// blank lines and "#" comments.
func readTargets(path string, stdin io.Reader) ([]string, error) {
	var r io.Reader = stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read targets: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read targets from %s: %w", path, err)
	}
	return out, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
