package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/scrapersky/scrapersky-go/adapters/postgres"
	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// BenchmarkStatusUpdate10k measures one PUT of 10,000 IDs to Selected, all
// of them eligible for queueing: through the use case and the store
// ("usecase"), and as the single hand-written UPDATE that is the floor for
// it ("floor"). bench/update_ratio.sh prints usecase/floor.
func BenchmarkStatusUpdate10k(b *testing.B) {
	const n = curation.MaxBatch
	b.Run("usecase", func(b *testing.B) {
		db, ids := seed10k(b, n)
		u := curation.NewSecondaryStateUpdater(postgres.NewStore(db), core.EmailScan, core.SystemClock{}, nil)
		ctx := context.Background()
		for b.Loop() {
			b.StopTimer()
			reset10k(b, db)
			b.StartTimer()
			res, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationSelected, UserID: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if res.Updated != n || res.Queued != n {
				b.Fatalf("updated %d, queued %d, want %d each", res.Updated, res.Queued, n)
			}
		}
	})
	// The same batch moved away from Selected while all are Queued: every
	// domain is cancelled (no run is open, as after a PUT the workers
	// have not reached yet).
	b.Run("usecase-cancel", func(b *testing.B) {
		db, ids := seed10k(b, n)
		u := curation.NewSecondaryStateUpdater(postgres.NewStore(db), core.EmailScan, core.SystemClock{}, nil)
		ctx := context.Background()
		for b.Loop() {
			b.StopTimer()
			reset10k(b, db)
			if _, err := db.ExecContext(ctx, `UPDATE domains SET email_scan_status = 'Selected', page_scrape_status = 'Queued'`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) domains"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := u.Update(ctx, curation.UpdateInput{IDs: ids, Status: core.CurationNotAFit, UserID: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if res.Updated != n || res.Cancelled != n {
				b.Fatalf("updated %d, cancelled %d, want %d each", res.Updated, res.Cancelled, n)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		db, ids := seed10k(b, n)
		ctx := context.Background()
		for b.Loop() {
			b.StopTimer()
			reset10k(b, db)
			b.StartTimer()
			res, err := db.NewRaw(floorSQL, pgdialect.Array(ids)).Exec(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if got, _ := res.RowsAffected(); got != n {
				b.Fatalf("updated %d, want %d", got, n)
			}
		}
	})
}

// floorSQL is the single hand-written statement a PUT to Selected cannot
// beat: both columns set in one pass over the rows, with no lock order, no
// RETURNING and no transaction around it.
const floorSQL = `UPDATE domains SET email_scan_status = 'Selected', updated_at = now(),
	page_scrape_status = CASE WHEN page_scrape_status IN ('Queued', 'InProgress') THEN page_scrape_status ELSE 'Queued' END,
	page_scrape_error = CASE WHEN page_scrape_status IN ('Queued', 'InProgress') THEN page_scrape_error END
WHERE id = ANY(?)`

// seed10k stores n domains in a database of their own and returns their
// IDs in insertion order (random, as UUIDs are).
func seed10k(b *testing.B, n int) (*bun.DB, []uuid.UUID) {
	b.Helper()
	db := pgtest.NewDB(b)
	// One statement: the store's AddDomains reads every batch back, which
	// times out on a loaded machine before the benchmark even starts.
	var ids []uuid.UUID
	if err := db.NewRaw(`INSERT INTO domains (id, domain, created_at, updated_at)
		SELECT gen_random_uuid(), 'bench' || lpad(g::text, 5, '0') || '.example.org', now(), now()
		FROM generate_series(0, ? - 1) AS g
		RETURNING id`, n).Scan(context.Background(), &ids); err != nil {
		b.Fatal(err)
	}
	return db, ids
}

// reset10k makes every domain eligible again and vacuums away the previous
// iteration's dead rows, so that each iteration sees the same table.
func reset10k(b *testing.B, db *bun.DB) {
	b.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `UPDATE domains SET email_scan_status = 'New',
		page_scrape_status = NULL, page_scrape_error = NULL`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) domains"); err != nil {
		b.Fatal(err)
	}
}
