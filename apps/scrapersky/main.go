// Command scrapersky is the ScraperSky service: the curation API, the
// background workers that turn selected domains into contacts, database
// migrations, credentials, and command-line tools for extraction and
// crawling.
//
// Usage:
//
//	scrapersky serve                 API, curation page and workers
//	scrapersky worker                workers only
//	scrapersky migrate up|down|status
//	scrapersky extract [flags] PATH|URL|-...
//	scrapersky crawl [flags] TARGET... [-i FILE]
//	scrapersky token --sub USER [--ttl 24h]
//	scrapersky apikey create NAME | list | revoke ID
//	scrapersky version
//
// Every command prints its help with --help. Configuration comes from the
// environment; see the README.
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

const usage = `usage: scrapersky <command> [flags] [arguments]

commands:
  serve                     run the HTTP API, the curation page and the workers
  worker                    run the workers only
  migrate up|down|status    apply all, revert one, or list database migrations
  extract PATH|URL|-...     print the emails found in files, pages or stdin
  crawl TARGET...           crawl sites and print the emails found
  token --sub USER          mint a bearer JWT signed with SCRAPERSKY_JWT_SECRET
  apikey create|list|revoke manage API keys for service clients
  version                   print the version, revision and Go version

flags:
  -h, --help                print help (also after any command) and exit
  --version                 print the version and exit

Run 'scrapersky <command> --help' for a command's flags.
Configuration comes from SCRAPERSKY_* variables and DATABASE_URL (see the README).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		fmt.Fprintf(os.Stderr, "scrapersky: %v\n%s\n", err, helpHint(err))
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scrapersky:", err)
		os.Exit(1)
	}
}

// cli is what a command may use of its process: the environment and the
// standard streams.
type cli struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// commands maps each command name to its implementation. Every one parses
// its own flags first, so --help reaches it before anything else happens.
var commands = map[string]func(ctx context.Context, c cli, args []string) error{
	"serve":   func(ctx context.Context, c cli, args []string) error { return serveCmd(ctx, c, args, true) },
	"worker":  func(ctx context.Context, c cli, args []string) error { return serveCmd(ctx, c, args, false) },
	"migrate": migrateCmd,
	"extract": extractCmd,
	"crawl":   crawlCmd,
	"token":   tokenCmd,
	"apikey":  apikeyCmd,
	"version": versionCmd,
}

// run dispatches a command; it is main without the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return misuse("", "no command given")
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "help":
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				return run(ctx, []string{args[1], "--help"}, getenv, stdin, stdout, stderr)
			}
			return misuse("", "unknown command %q", args[1])
		}
		fmt.Fprint(stdout, usage)
		return nil
	case "-version", "--version":
		fmt.Fprint(stdout, version())
		return nil
	}
	cmd, ok := commands[name]
	if !ok {
		return misuse("", "unknown command %q", name)
	}
	err := cmd(ctx, c, args[1:])
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func versionCmd(_ context.Context, c cli, args []string) error {
	f := newFlags("version", "", "Print the module version, the VCS revision and the Go version the binary was built with.")
	pos, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return misuse("version", "takes no arguments, got %q", pos[0])
	}
	fmt.Fprint(c.stdout, version())
	return nil
}
