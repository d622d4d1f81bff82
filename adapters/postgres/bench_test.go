package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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
// ("usecase"), and as the same two statements in one transaction with
// nothing around them ("raw"). bench/update_ratio.sh prints usecase/raw.
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
	b.Run("raw", func(b *testing.B) {
		db, ids := seed10k(b, n)
		ctx := context.Background()
		wf := core.EmailScan
		for b.Loop() {
			b.StopTimer()
			reset10k(b, db)
			b.StartTimer()
			var updated, queued []uuid.UUID
			err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				now := time.Now()
				if err := tx.NewRaw(postgres.SetPrimarySQL, pgdialect.Array(ids),
					bun.Ident(wf.Primary), string(core.CurationSelected), now).Scan(ctx, &updated); err != nil {
					return err
				}
				return tx.NewRaw(postgres.QueueSecondarySQL,
					bun.Ident(wf.Secondary), wf.Queued, bun.Ident(wf.ErrorField),
					bun.Ident(wf.Prefix+"_attempts"), bun.Ident(wf.Prefix+"_next_attempt_at"), now,
					pgdialect.Array(updated), bun.Ident(wf.Secondary), bun.Ident(wf.Secondary), pgdialect.Array(wf.Active)).
					Scan(ctx, &queued)
			})
			if err != nil {
				b.Fatal(err)
			}
			if len(updated) != n || len(queued) != n {
				b.Fatalf("updated %d, queued %d, want %d each", len(updated), len(queued), n)
			}
		}
	})
}

// seed10k stores n domains in a database of their own and returns their
// IDs in insertion order (random, as UUIDs are).
func seed10k(b *testing.B, n int) (*bun.DB, []uuid.UUID) {
	b.Helper()
	db := pgtest.NewDB(b)
	s := postgres.NewStore(db)
	ids := make([]uuid.UUID, 0, n)
	now := time.Now()
	for start := 0; start < n; start += curation.MaxSubmit {
		ds := make([]core.Domain, 0, curation.MaxSubmit)
		for i := start; i < min(start+curation.MaxSubmit, n); i++ {
			ds = append(ds, core.NewDomain(fmt.Sprintf("bench%05d.example.org", i), now))
		}
		stored, err := s.AddDomains(context.Background(), ds)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range stored {
			ids = append(ids, d.ID)
		}
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
