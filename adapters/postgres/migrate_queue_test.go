package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
)

// queueSchema describes what migration 2 adds, as the catalog shows it.
type queueSchema struct {
	Contacts, Pages     bool // the tables exist
	AttemptsColumn      bool // domains.page_scrape_attempts exists
	ClaimIndex, OldPoll bool // domains_page_scrape_claim_idx, migration 1's domains_page_scrape_queued_idx
}

func readQueueSchema(t *testing.T, db *bun.DB) queueSchema {
	t.Helper()
	var s queueSchema
	require.NoError(t, db.NewRaw(`SELECT
		to_regclass('contacts') IS NOT NULL,
		to_regclass('pages') IS NOT NULL,
		EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'domains' AND column_name = 'page_scrape_attempts'),
		to_regclass('domains_page_scrape_claim_idx') IS NOT NULL,
		to_regclass('domains_page_scrape_queued_idx') IS NOT NULL`).
		Scan(context.Background(), &s.Contacts, &s.Pages, &s.AttemptsColumn, &s.ClaimIndex, &s.OldPoll))
	return s
}

// TestMigrateQueueDownUp reverts migration 2 alone and applies it again,
// with data in the tables: the domains survive, the queue's columns, tables
// and indexes go and come back, migration 1's polling index the other way.
func TestMigrateQueueDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t, pgtest.EmptyDSN(t))
	all := allMigrations()
	require.GreaterOrEqual(t, len(all), 2)
	require.Equal(t, "20260101000002_queue", all[1])
	// Reach migration 2 first, in case later ones exist.
	_, err := postgres.Migrate(ctx, db, postgres.Up)
	require.NoError(t, err)
	for range len(all) - 2 {
		_, err := postgres.Migrate(ctx, db, postgres.Down)
		require.NoError(t, err)
	}
	migrated := queueSchema{Contacts: true, Pages: true, AttemptsColumn: true, ClaimIndex: true}
	require.Equal(t, migrated, readQueueSchema(t, db))

	id := uuid.New()
	_, err = db.ExecContext(ctx, "INSERT INTO domains (id, domain, page_scrape_attempts) VALUES (?, 'keep.example.org', 2)", id)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
		VALUES (?, ?, 'a@keep.example.org', 'service', false, 'http://keep.example.org/', now(), now())`, uuid.New(), id)
	require.NoError(t, err)

	ran, err := postgres.Migrate(ctx, db, postgres.Down)
	require.NoError(t, err)
	require.Equal(t, []string{all[1]}, ran)
	require.Equal(t, queueSchema{OldPoll: true}, readQueueSchema(t, db))
	var host string
	require.NoError(t, db.NewRaw("SELECT domain FROM domains WHERE id = ?", id).Scan(ctx, &host))
	require.Equal(t, "keep.example.org", host, "the domains survive")

	ran, err = postgres.Migrate(ctx, db, postgres.Up)
	require.NoError(t, err)
	require.Equal(t, all[1:], ran)
	// Migration 5 moves the queue to the jobs table and brings migration
	// 1's polling index back.
	require.Equal(t, queueSchema{Contacts: true, Pages: true, AttemptsColumn: true, OldPoll: true}, readQueueSchema(t, db))
	d, err := postgres.NewStore(db).GetDomain(ctx, id)
	require.NoError(t, err)
	require.Zero(t, d.PageScrapeAttempts, "the columns come back with their defaults")
}

// TestScanSchemaConstraints checks the constraints of contacts and pages
// that mirror core: the contact types, the context length, one contact per
// address and domain, and the references to domains.
func TestScanSchemaConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	domainID := uuid.New()
	_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'schema.example.org')", domainID)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
		VALUES (?, ?, 'taken@schema.example.org', 'corporate', false, 'http://schema.example.org/', now(), now())`, uuid.New(), domainID)
	require.NoError(t, err)

	const (
		ok          = ""
		checkFailed = "23514"
		notNull     = "23502"
		unique      = "23505"
		foreignKey  = "23503"
	)
	type contactCase struct {
		email, emailType string
		context          any
		domainID         uuid.UUID
	}
	cases := []struct {
		name string
		c    contactCase
		want string
	}{
		{"service", contactCase{"s@schema.example.org", "service", "", domainID}, ok},
		{"free", contactCase{"f@schema.example.org", "free", "x", domainID}, ok},
		{"unknown", contactCase{"u@schema.example.org", "unknown", "x", domainID}, ok},
		{"type bogus", contactCase{"b@schema.example.org", "bogus", "x", domainID}, checkFailed},
		{"type wrong case", contactCase{"w@schema.example.org", "Service", "x", domainID}, checkFailed},
		{"context 200 runes", contactCase{"c200@schema.example.org", "corporate", strings.Repeat("é", 200), domainID}, ok},
		{"context 201 runes", contactCase{"c201@schema.example.org", "corporate", strings.Repeat("é", 201), domainID}, checkFailed},
		{"context null", contactCase{"cn@schema.example.org", "corporate", nil, domainID}, notNull},
		{"same address", contactCase{"taken@schema.example.org", "corporate", "x", domainID}, unique},
		{"unknown domain", contactCase{"d@schema.example.org", "corporate", "x", uuid.New()}, foreignKey},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, context, source_url, first_seen_at, last_seen_at)
				VALUES (?, ?, ?, ?, false, ?, 'http://schema.example.org/', now(), now())`,
				uuid.New(), c.c.domainID, c.c.email, c.c.emailType, c.c.context)
			if c.want == ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, c.want, sqlState(err), "case %d: %v", i, err)
		})
	}

	t.Run("pages", func(t *testing.T) {
		t.Parallel()
		other := uuid.New()
		_, err := db.ExecContext(ctx, "INSERT INTO domains (id, domain) VALUES (?, 'pages.example.org')", other)
		require.NoError(t, err)
		insert := func(domainID uuid.UUID, url string) error {
			_, err := db.ExecContext(ctx, "INSERT INTO pages (domain_id, url, http_status, fetched_at) VALUES (?, ?, 200, ?)",
				domainID, url, time.Now())
			return err
		}
		require.NoError(t, insert(other, "http://pages.example.org/"))
		require.Equal(t, unique, sqlState(insert(other, "http://pages.example.org/")))
		require.Equal(t, foreignKey, sqlState(insert(uuid.New(), "http://pages.example.org/")))
		_, err = db.ExecContext(ctx, `INSERT INTO contacts (id, domain_id, email, email_type, has_gmail, source_url, first_seen_at, last_seen_at)
			VALUES (?, ?, 'p@pages.example.org', 'service', false, 'http://pages.example.org/', now(), now())`, uuid.New(), other)
		require.NoError(t, err)

		// Deleting a domain deletes its results.
		_, err = db.ExecContext(ctx, "DELETE FROM domains WHERE id = ?", other)
		require.NoError(t, err)
		var left int
		require.NoError(t, db.NewRaw(`SELECT (SELECT count(*) FROM pages WHERE domain_id = ?)
			+ (SELECT count(*) FROM contacts WHERE domain_id = ?)`, other, other).Scan(ctx, &left))
		require.Zero(t, left)
	})
}
