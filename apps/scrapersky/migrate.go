package main

import (
	"context"
	"fmt"
	"strings"
)

// migrateCmd runs `scrapersky migrate up|down|status` on the configured
// database (PostgreSQL or the SQLite file, as for serve).
func migrateCmd(ctx context.Context, cl cli, args []string) error {
	f := newFlags("migrate", "up|down|status", `Apply every pending migration (up), revert the newest (down), or list the
applied and pending ones (status) on the database DATABASE_URL names.`)
	pos, err := f.parse(args, cl.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return misuse("migrate", "want exactly one of up, down or status, got %d arguments", len(pos))
	}
	switch pos[0] {
	case "up", "down", "status":
	default:
		return misuse("migrate", "unknown action %q: want up, down or status", pos[0])
	}
	stdout := cl.stdout
	c, err := loadConfig(cl.getenv)
	if err != nil {
		return err
	}
	d, err := openDatabase(c.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer d.db.Close()
	switch pos[0] {
	case "up", "down":
		names, err := d.migrate(ctx, pos[0] == "up")
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintf(stdout, "migrate %s: nothing to do\n", pos[0])
		}
		for _, n := range names {
			fmt.Fprintf(stdout, "migrate %s: %s\n", pos[0], n)
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
	return misuse("migrate", "unknown action %q", pos[0])
}
