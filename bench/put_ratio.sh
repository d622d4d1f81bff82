#!/usr/bin/env bash
# The PUT against its floor, as a user sees it: a 10,000-ID
# `PUT /api/v3/domains/email-scan/status` (Selected) sent with curl to the
# real binary on PostgreSQL, against ONE hand-written statement run through
# psql on the same table:
#
#   UPDATE domains SET email_scan_status = 'Selected', updated_at = now(),
#          page_scrape_status = CASE WHEN page_scrape_status IN ('Queued', 'InProgress')
#                                    THEN page_scrape_status ELSE 'Queued' END
#    WHERE id = ANY('{…}'::uuid[])
#
# The two alternate (PUT first in odd rounds, psql first in even ones); the
# rows are put back to New and the table vacuumed before every run, so each
# starts from the same state. It prints the median of ROUNDS of each and
# their ratio, and exits 1 above MAX (1.3, the issue's target). curl's
# total time (connection, JSON, the transaction, the response) is compared
# with psql's \timing of the statement (sent to result).
#
#   ./bench/put_ratio.sh                       # 10,000 of 100,000 rows, 5 rounds
#   N=1000 TOTAL=500000 ROUNDS=7 ./bench/put_ratio.sh
#
# Needs PostgreSQL (SCRAPERSKY_TEST_DATABASE_URL, an admin URL); creates a
# database and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

N="${N:-10000}"
TOTAL="${TOTAL:-100000}"
ROUNDS="${ROUNDS:-5}"
MAX="${MAX:-1.3}"
PORT="${PORT:-18777}"
ADMIN="${SCRAPERSKY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
TOKEN=scraper_sky_2024

work=$(mktemp -d)
db="scrapersky_put_$$"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/scrapersky" ./apps/scrapersky
psql "$ADMIN" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
dsn=$(db_url "$ADMIN" "$db")

# Workers off: nothing but the measured statements touches the table.
DATABASE_URL="$dsn" SCRAPERSKY_ENV=development SCRAPERSKY_ADDR="127.0.0.1:$PORT" \
  SCRAPERSKY_WORKERS=0 SCRAPERSKY_SITEMAP_WORKERS=0 SCRAPERSKY_LOG_LEVEL=warn \
  "$work/scrapersky" serve >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

psql -q "$dsn" -c "INSERT INTO domains (id, domain) SELECT gen_random_uuid(), 'put' || g || '.example.org' FROM generate_series(1, $TOTAL) g" -c "VACUUM ANALYZE domains"
psql -qAt "$dsn" -c "SELECT id FROM domains ORDER BY random() LIMIT $N" > "$work/ids"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
ids = open(w + "/ids").read().split()
json.dump({"domain_ids": ids, "email_scan_status": "Selected"}, open(w + "/body.json", "w"))
arr = "'{" + ",".join(ids) + "}'::uuid[]"
open(w + "/floor.sql", "w").write(
    "\\timing on\nUPDATE domains SET email_scan_status = 'Selected', updated_at = now(), "
    "page_scrape_status = CASE WHEN page_scrape_status IN ('Queued', 'InProgress') "
    "THEN page_scrape_status ELSE 'Queued' END WHERE id = ANY(" + arr + ");\n")
open(w + "/reset.sql", "w").write(
    "UPDATE domains SET email_scan_status = 'New', page_scrape_status = NULL WHERE id = ANY(" + arr + ");\n"
    "VACUUM domains;\n")
PY

reset() { psql -q "$dsn" -f "$work/reset.sql" >/dev/null; }
put_ms() {
  local out
  out=$(curl -s -o "$work/put.out" -w '%{http_code} %{time_total}' -X PUT \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$work/body.json" "http://127.0.0.1:$PORT/api/v3/domains/email-scan/status")
  [ "${out%% *}" = 200 ] || { echo "PUT answered ${out%% *}: $(cat "$work/put.out")" >&2; exit 1; }
  grep -q "\"queued_for_scan_count\":$N" "$work/put.out" || { echo "PUT did not queue $N: $(cat "$work/put.out")" >&2; exit 1; }
  awk -v s="${out#* }" 'BEGIN {printf "%.1f", s * 1000}'
}
floor_ms() { psql -X -q "$dsn" -f "$work/floor.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }

puts=() floors=()
for i in $(seq "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then
    reset; puts+=("$(put_ms)"); reset; floors+=("$(floor_ms)")
  else
    reset; floors+=("$(floor_ms)"); reset; puts+=("$(put_ms)")
  fi
  echo "round $i: PUT ${puts[-1]} ms, psql UPDATE ${floors[-1]} ms" >&2
done
p=$(median "${puts[@]}"); f=$(median "${floors[@]}")
awk -v p="$p" -v f="$f" -v n="$N" -v t="$TOTAL" -v r="$ROUNDS" -v max="$MAX" 'BEGIN {
  ratio = p / f
  printf "PUT of %d IDs (of %d rows) over HTTP: median %.1f ms; one UPDATE through psql: median %.1f ms; ratio %.2fx (target <= %.2fx, %d rounds alternated)\n", n, t, p, f, ratio, max, r
  exit (ratio > max) ? 1 : 0
}'
