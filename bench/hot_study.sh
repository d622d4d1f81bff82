#!/usr/bin/env bash
# What the listing indexes cost the PUT. Every status write sets updated_at,
# and updated_at sits in the listing indexes, so no status write can be a
# HOT update (PostgreSQL updates in place, without new index entries, only
# when no indexed column changes). This script measures the hand-written
# 10,000-ID UPDATE (the PUT's floor, see bench/put_ratio.sh) on TOTAL rows
# under index designs, median of ROUNDS each, and the share of HOT updates:
#
#   current      the migrations' indexes
#   no-upd-at    the listing indexes without updated_at: (status, id), no
#                (updated_at, id) index; listings sorted by updated_at sort
#   no-status    no index on the written columns at all (nor the claim's
#                partial indexes) and fillfactor 80, so pages have room:
#                the HOT ceiling (the listings and the claim would scan)
#
#   ./bench/hot_study.sh            # 10,000 of 500,000 rows, 5 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

N="${N:-10000}"
TOTAL="${TOTAL:-500000}"
ROUNDS="${ROUNDS:-5}"
ADMIN="${SCRAPERSKY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
work=$(mktemp -d)
db="scrapersky_hot_$$"
cleanup() {
  psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/scrapersky" ./apps/scrapersky
psql "$ADMIN" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
dsn=$(db_url "$ADMIN" "$db")
DATABASE_URL="$dsn" "$work/scrapersky" migrate up >/dev/null
psql -q "$dsn" -c "INSERT INTO domains (id, domain, updated_at) SELECT gen_random_uuid(), 'hot' || g || '.example.org', now() - g * interval '1 second' FROM generate_series(1, $TOTAL) g" -c "VACUUM ANALYZE domains"
psql -qAt "$dsn" -c "SELECT id FROM domains ORDER BY random() LIMIT $N" > "$work/ids"
arr="'{$(paste -sd, "$work/ids")}'::uuid[]"
printf '\\timing on\nUPDATE domains SET email_scan_status = %s, updated_at = now(), page_scrape_status = CASE WHEN page_scrape_status IN (%s) THEN page_scrape_status ELSE %s END WHERE id = ANY(%s);\n' \
  "'Selected'" "'Queued', 'InProgress'" "'Queued'" "$arr" > "$work/floor.sql"
printf "UPDATE domains SET email_scan_status = 'New', page_scrape_status = NULL WHERE id = ANY(%s);\nVACUUM domains;\n" "$arr" > "$work/reset.sql"

hot() { psql -qAt "$dsn" -c "SELECT pg_stat_force_next_flush()" -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'domains'" | tail -1; }
measure() {
  local times=() before after
  before=$(hot)
  for _ in $(seq "$ROUNDS"); do
    psql -q "$dsn" -f "$work/reset.sql" >/dev/null
    times+=("$(psql -X -q "$dsn" -f "$work/floor.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
  done
  after=$(hot)
  awk -v m="$(median "${times[@]}")" -v b="$before" -v a="$after" -v name="$1" -v idx="$(psql -qAt "$dsn" -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'domains'")" 'BEGIN {
    split(b, x, "|"); split(a, y, "|")
    upd = y[1] - x[1]; h = y[2] - x[2]
    printf "%-10s %2d indexes  UPDATE median %8.1f ms  HOT %5.1f%% of %d row updates (resets included)\n", name, idx, m, upd ? 100 * h / upd : 0, upd
  }'
}

measure current
psql -q "$dsn" <<'SQL'
DROP INDEX domains_updated_at_list_idx;
DROP INDEX domains_email_scan_status_list_idx;
DROP INDEX domains_sitemap_curation_status_list_idx;
DROP INDEX domains_page_scrape_status_list_idx;
DROP INDEX domains_sitemap_analysis_status_list_idx;
CREATE INDEX ON domains (email_scan_status, id);
CREATE INDEX ON domains (sitemap_curation_status, id);
CREATE INDEX ON domains (page_scrape_status, id);
CREATE INDEX ON domains (sitemap_analysis_status, id);
VACUUM ANALYZE domains;
SQL
measure no-upd-at
psql -q "$dsn" <<'SQL'
DROP INDEX domains_email_scan_status_id_idx;
DROP INDEX domains_page_scrape_status_id_idx;
DROP INDEX domains_page_scrape_queued_idx;
DROP INDEX domains_sitemap_analysis_queued_idx;
ALTER TABLE domains SET (fillfactor = 80);
VACUUM FULL domains;
ANALYZE domains;
SQL
measure no-status
