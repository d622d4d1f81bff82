package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/postgres/pgtest"
	"github.com/scrapersky/scrapersky-go/migrations"
)

// TestSeedCurlAgainstServe runs the work order's section 6 against a real
// `scrapersky serve` on PostgreSQL and checks the rows.
func TestSeedCurlAgainstServe(t *testing.T) {
	eachBackend(t, testSeedCurl)
}

func testSeedCurl(t *testing.T, b backend) {
	dsn := b.dsn(t)
	p := startProc(t, devEnv(dsn), "serve")
	db := b.open(t, dsn)
	ctx := context.Background()

	s := submit(t, p.URL, "https://www.Fresh-One.example.org/about", "busy.example.org", "failed.example.org", "done.example.org")
	require.Equal(t, []string{"fresh-one.example.org", "busy.example.org", "failed.example.org", "done.example.org"}, s.NormalizedDomains)
	fresh, busy, failed, done := s.DomainIDs[0], s.DomainIDs[1], s.DomainIDs[2], s.DomainIDs[3]
	_, err := db.ExecContext(ctx, `UPDATE domains SET page_scrape_status = 'InProgress' WHERE id = ?`, busy)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE domains SET page_scrape_status = 'Error', page_scrape_error = 'no such host' WHERE id = ?`, failed)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE domains SET page_scrape_status = 'Completed' WHERE id = ?`, done)
	require.NoError(t, err)

	// The seed's curl, verbatim but for the IDs and the port.
	body := fmt.Sprintf(`{"domain_ids": ["%s", "%s", "%s", "%s"], "email_scan_status": "Selected"}`, fresh, busy, failed, done)
	out, err := exec.Command("curl", "-s", "-X", "PUT",
		"-H", "Authorization: Bearer scraper_sky_2024",
		"-H", "Content-Type: application/json",
		"-d", body,
		p.URL+"/api/v3/domains/email-scan/status").Output()
	require.NoError(t, err, "curl")
	var res struct {
		Updated     int      `json:"updated_count"`
		QueuedCount int      `json:"queued_for_scan_count"`
		NotFound    []string `json:"not_found_ids"`
	}
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	require.Equal(t, 4, res.Updated)
	require.Equal(t, 3, res.QueuedCount, "the InProgress domain is updated but not re-queued or counted")
	require.Empty(t, res.NotFound)

	type row struct {
		ID      string  `bun:"id"`
		Primary string  `bun:"email_scan_status"`
		Status  *string `bun:"page_scrape_status"`
		Err     *string `bun:"page_scrape_error"`
	}
	var rows []row
	require.NoError(t, db.NewRaw(`SELECT id, email_scan_status, page_scrape_status, page_scrape_error FROM domains`).Scan(ctx, &rows))
	require.Len(t, rows, 4)
	for _, r := range rows {
		require.Equal(t, "Selected", r.Primary)
		require.NotNil(t, r.Status)
		if r.ID == busy {
			require.Equal(t, "InProgress", *r.Status)
		} else {
			require.Equal(t, "Queued", *r.Status, r.ID)
			require.Nil(t, r.Err, "a previous error is cleared when queued")
		}
	}

	// The reference workflow answers with its own counter name.
	var ref map[string]any
	require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/sitemap-curation/status",
		map[string]any{"domain_ids": []string{fresh}, "sitemap_curation_status": "Selected"}, &ref))
	require.Equal(t, map[string]any{"updated_count": 1.0, "queued_count": 1.0, "cancelled_count": 0.0, "not_found_ids": []any{}}, ref)

	var health map[string]any
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/health/db", nil, &health))
	require.Equal(t, "ok", health["status"])
	require.Equal(t, b.name, health["store"])
	all := migrations.Postgres.Sorted()
	require.Equal(t, all[len(all)-1].Name, health["migration_version"], "the newest migration")
	p.stop(t)
}

// TestConcurrentPutsOverHTTP fires 8 overlapping PUTs at once, several
// times: none fails, and the counts add up to the rows that were queued.
func TestConcurrentPutsOverHTTP(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	db := pgtest.Open(t, dsn)
	p := startProc(t, devEnv(dsn), "serve")
	ctx := context.Background()

	var hosts []string
	for i := range 80 {
		hosts = append(hosts, fmt.Sprintf("c%d.example.org", i))
	}
	ids := submit(t, p.URL, hosts...).DomainIDs
	for round := range 4 {
		_, err := db.ExecContext(ctx, `UPDATE domains SET page_scrape_status = NULL, email_scan_status = 'New'`)
		require.NoError(t, err)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for w := range 8 {
			lo := w * 8
			batch := append([]string(nil), ids[lo:lo+24]...)
			if w%2 == 1 {
				for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
					batch[i], batch[j] = batch[j], batch[i]
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var res struct {
					Queued int `json:"queued_for_scan_count"`
				}
				status := call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
					map[string]any{"domain_ids": batch, "email_scan_status": "Selected"}, &res)
				if status != http.StatusOK {
					t.Errorf("round %d: status %d", round, status)
				}
				mu.Lock()
				total += res.Queued
				mu.Unlock()
			}()
		}
		wg.Wait()
		var queued int
		require.NoError(t, db.NewRaw(`SELECT count(*) FROM domains WHERE page_scrape_status = 'Queued'`).Scan(ctx, &queued))
		require.Equal(t, 8*8+16, queued, "round %d: every domain in some batch is queued", round)
		require.Equal(t, queued, total, "round %d: the counts add up", round)
	}
}

// TestRestartKeepsState: on the embedded SQLite default, what a client
// stored survives a SIGTERM and a restart, and the restarted service goes
// on from there.
func TestRestartKeepsState(t *testing.T) {
	t.Parallel()
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "restart.db")
	first := startProc(t, devEnv(dsn), "serve")
	ids := submit(t, first.URL, "kept-one.example.org", "kept-two.example.org").DomainIDs
	require.Equal(t, http.StatusOK, call(t, "PUT", first.URL+"/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": ids[:1], "email_scan_status": "Maybe"}, nil))
	first.stop(t)

	second := startProc(t, devEnv(dsn), "serve")
	var d map[string]any
	require.Equal(t, http.StatusOK, call(t, "GET", second.URL+"/api/v3/domains/"+ids[0], nil, &d))
	require.Equal(t, "Maybe", d["email_scan_status"])
	var page struct {
		Total int `json:"total"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", second.URL+"/api/v3/domains", nil, &page))
	require.Equal(t, 2, page.Total)
	require.Equal(t, ids[1], submit(t, second.URL, "https://www.kept-two.example.org/").DomainIDs[0], "the stored ID is kept")
	second.stop(t)
	require.NotContains(t, second.logs.String(), "migrations applied", "nothing to migrate on the second start")
}
