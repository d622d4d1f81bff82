package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// migrateCmd runs `scrapersky migrate up|down|status` on the configured
// database (PostgreSQL or the SQLite file, as for serve).
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errUsage
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	d, err := openDatabase(c.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer d.db.Close()
	switch args[0] {
	case "up", "down":
		names, err := d.migrate(ctx, args[0] == "up")
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintf(stdout, "migrate %s: nothing to do\n", args[0])
		}
		for _, n := range names {
			fmt.Fprintf(stdout, "migrate %s: %s\n", args[0], n)
		}
		return nil
	case "status":
		version, applied, pending, err := d.status(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "store: %s (%s)\nversion: %s\napplied: %s\npending: %s\n", d.kind, d.where, or(version, "none"),
			or(strings.Join(applied, ", "), "none"), or(strings.Join(pending, ", "), "none"))
		return nil
	}
	return errUsage
}
