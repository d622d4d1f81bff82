#!/usr/bin/env bash
# Soak test on loopback: creates a PostgreSQL database of SOAK_DOMAINS
# (default 500,000) domains on the local server, starts `scrapersky serve`
# with workers on it, and runs bench/soak: concurrent status PUTs and
# domain listings for SOAK_SECONDS (default 60), then the same again with
# /metrics scraped by 4 clients. It prints p50/p99 and error counts per
# route and phase, then stops the service and drops the database.
#
#   SOAK_SECONDS=60 ./bench/soak.sh     (or: make soak)
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${SOAK_SECONDS:-60}"
domains="${SOAK_DOMAINS:-500000}"
server="${SOAK_PG:-postgres://postgres@127.0.0.1:5432}"
case "$server" in
  postgres://*@127.0.0.1:*|postgres://*@localhost:*) ;;
  *) echo "soak: SOAK_PG must be a loopback server, not $server" >&2; exit 2 ;;
esac
db="scrapersky_soak_$$"
admin="$server/postgres?sslmode=disable"
dsn="$server/$db?sslmode=disable"
work=$(mktemp -d)
pid=""

cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/scrapersky" ./apps/scrapersky
go build -o "$work/soak" ./bench/soak
psql -q "$admin" -c "CREATE DATABASE $db"
DATABASE_URL="$dsn" "$work/scrapersky" migrate up >/dev/null

echo "soak: seeding $domains domains"
# No seeded domain is queued, and the PUTs select only the local sites,
# so the workers crawl nothing but 127.0.0.1.
psql -q "$dsn" <<SQL
INSERT INTO domains (id, domain, created_at, updated_at, email_scan_status, page_scrape_status, sitemap_curation_status)
SELECT gen_random_uuid(), 'soak-' || g || '.example',
       now() - g * interval '1 second', now() - g * interval '1 second',
       (ARRAY['New','Selected','Maybe','Not a Fit','Archived'])[1 + g % 5],
       (ARRAY[NULL,'Completed','Error'])[1 + g % 3],
       (ARRAY['New','Selected','Maybe'])[1 + g % 3]
FROM generate_series(1, $domains) g;
ANALYZE domains;
SQL
psql -qAt "$dsn" -c "SELECT id FROM domains ORDER BY random() LIMIT 5000" > "$work/ids"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="$dsn" SCRAPERSKY_ENV=development SCRAPERSKY_ADDR="127.0.0.1:$port" \
  SCRAPERSKY_WORKERS=2 SCRAPERSKY_SITEMAP_WORKERS=0 SCRAPERSKY_ALLOW_PRIVATE_NETWORKS=true \
  SCRAPERSKY_POLL_INTERVAL=200ms SCRAPERSKY_CRAWL_RATE=50 SCRAPERSKY_MIGRATE_ON_START=false SCRAPERSKY_LOG_LEVEL=error \
  "$work/scrapersky" serve 2>"$work/serve.log" &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done

echo "soak: $domains domains, 2 workers, ${secs}s per phase"
"$work/soak" -url "http://127.0.0.1:$port" -ids "$work/ids" -phase "${secs}s"
echo "soak: scan states of the local sites (status | error | count):"
psql -qAt "$dsn" -c "SELECT coalesce(page_scrape_status, 'null'), coalesce(page_scrape_error, ''), count(*)
  FROM domains WHERE domain LIKE '127.0.0.1:%' GROUP BY 1, 2 ORDER BY 1, 2"
if grep -q 'level=ERROR' "$work/serve.log"; then
  echo "soak: errors logged by the service:"; grep 'level=ERROR' "$work/serve.log" | head -20
fi
