package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

const apikeyHelp = `Manage the API keys of service clients, in the database DATABASE_URL names
(pending migrations are applied first unless SCRAPERSKY_MIGRATE_ON_START=false):

  create NAME   make a key and print it once; only its SHA-256 hash is stored
  list          list the keys: ID, name, hint, created, revoked
  revoke ID     refuse the key from now on

A client sends the key as a bearer token (Authorization: Bearer ssk_...);
the access log names it as user_id apikey:NAME. The API offers the same
under /api/v3/api-keys.`

// apikeyCmd is `scrapersky apikey create NAME | list | revoke ID`.
func apikeyCmd(ctx context.Context, c cli, args []string) error {
	f := newFlags("apikey", "create NAME | list | revoke ID", apikeyHelp)
	pos, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return misuse("apikey", "want create NAME, list or revoke ID")
	}
	action, rest := pos[0], pos[1:]
	var id uuid.UUID
	switch action {
	case "create":
		if len(rest) != 1 {
			return misuse("apikey create", "give the key's NAME (one argument; quote a name with spaces)")
		}
	case "list":
		if len(rest) != 0 {
			return misuse("apikey list", "takes no arguments, got %q", rest[0])
		}
	case "revoke":
		if len(rest) != 1 {
			return misuse("apikey revoke", "give the ID of the key to revoke (see apikey list)")
		}
		if id, err = uuid.Parse(rest[0]); err != nil {
			return misuse("apikey revoke", "%q is not a key ID (a UUID; see apikey list)", rest[0])
		}
	default:
		return misuse("apikey", "unknown action %q: want create, list or revoke", action)
	}

	cfg, err := loadConfig(c.getenv)
	if err != nil {
		return err
	}
	d, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer d.db.Close()
	svc := apikey.NewService(d.store, core.SystemClock{})
	switch action {
	case "create":
		k, secret, err := svc.Create(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "API key %s (%s) created. It is shown only now: store it safely.\n", k.Name, k.ID)
		fmt.Fprintln(c.stdout, secret)
	case "list":
		ks, err := svc.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tHINT\tCREATED\tREVOKED")
		for _, k := range ks {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Hint, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		k, err := svc.Revoke(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "revoked %s (%s) at %s\n", k.ID, k.Name, k.RevokedAt.Format(time.RFC3339))
	}
	return nil
}
