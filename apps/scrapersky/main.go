// Command scrapersky is the ScraperSky service: the curation API, the
// background workers that turn selected domains into contacts, database
// migrations, and command-line tools for extraction and crawling.
//
// Usage:
//
//	scrapersky serve                 API, curation page and workers
//	scrapersky worker                workers only
//	scrapersky migrate up|down|status
//	scrapersky extract [--site DOMAIN] [--json] PATH|URL...
//	scrapersky crawl [--site DOMAIN] [--max-pages N] [--allow-private] [--json] DOMAIN|URL
//
// Configuration comes from the environment; see the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: scrapersky <command> [arguments]

commands:
  serve                     run the HTTP API, the curation page and the workers
                            (SCRAPERSKY_WORKERS=0 SCRAPERSKY_SITEMAP_WORKERS=0: no workers)
  worker                    run the workers only
  migrate up|down|status    apply all, revert one, or list database migrations
  extract [--site DOMAIN] [--json] PATH|URL...
                            print the emails found in files or pages
  crawl [--site DOMAIN] [--max-pages N] [--allow-private] [--json] DOMAIN|URL
                            crawl a site and print the emails found
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scrapersky:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run dispatches a subcommand; it is main without the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, getenv, true)
	case "worker":
		return serve(ctx, getenv, false)
	case "migrate":
		return migrateCmd(ctx, args[1:], getenv, stdout)
	case "extract":
		return extractCmd(ctx, args[1:], stdout, stderr)
	case "crawl":
		return crawlCmd(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return errUsage
}
