package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
)

// migrateCmd runs `scrapersky migrate up|down|status`.
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errUsage
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	db, err := postgres.Open(c.DatabaseURL, postgres.WithApplicationName("scrapersky-migrate"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	switch args[0] {
	case "up", "down":
		dir := postgres.Up
		if args[0] == "down" {
			dir = postgres.Down
		}
		names, err := postgres.Migrate(ctx, db, dir)
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
		st, err := postgres.MigrationStatus(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "version: %s\napplied: %s\npending: %s\n", or(st.Version, "none"),
			or(strings.Join(st.Applied, ", "), "none"), or(strings.Join(st.Pending, ", "), "none"))
		return nil
	}
	return errUsage
}
