#!/usr/bin/env bash
# The fleet benchmark: many small local sites scanned at once by the real
# binary with its DEFAULT settings, on each store. It starts SITES sites
# (PAGES pages each, LATENCY before every response), each on its own
# loopback address (127.0.0.2, 127.0.0.3, …), runs `scrapersky serve` with
# nothing set but the database, the address, the development token and
# SCRAPERSKY_ALLOW_PRIVATE_NETWORKS=true, selects every site with one PUT
# and waits until all scans are finished. Per store it prints:
#
#   wall ÷ ideal   wall: from the PUT to the last scan's recorded end
#                  (page_scrape_finished_at; the shared stats show it up to
#                  about a second later, printed beside it). The ideal is
#                  pages ÷ per-site rate (10 ÷ 2/s = 5 s): the time one site
#                  needs, so the time of all of them at once
#   peak RSS       VmHWM of the serve process (/proc/PID/status)
#   idle q/s       PostgreSQL: xact_commit + xact_rollback of the database
#                  (pg_stat_database) over IDLE seconds after the run, the
#                  benchmark's own reads excluded (they run in another
#                  database). SQLite keeps no such counter: the script
#                  prints the read and write system calls of the process
#                  per second (/proc/PID/io syscr + syscw; an idle process
#                  does no other I/O) next to the number of statements the
#                  idle loop issues by design (each workflow's worker claims
#                  once per SCRAPERSKY_POLL_INTERVAL whatever its number of
#                  slots, and its rescuer once per SCRAPERSKY_RESCUE_INTERVAL).
#
#   ./bench/fleet.sh                      # both stores, the issue's case
#   STORES=sqlite SITES=40 ./bench/fleet.sh
#   SITES=1000 SERVE_ENV="SCRAPERSKY_WORKERS=1000" ./bench/fleet.sh   # not the defaults
#
# PostgreSQL: SCRAPERSKY_TEST_DATABASE_URL (an admin URL; default
# postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); the script
# creates a database and drops it. Each run is bounded by TIMEOUT.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

SITES="${SITES:-120}"
SERVE_ENV="${SERVE_ENV:-}" # extra VAR=value settings for serve (none: the defaults)
PAGES="${PAGES:-10}"
LATENCY="${LATENCY:-50ms}"
SITE_PORT="${SITE_PORT:-18080}"
STORES="${STORES:-sqlite postgres}"
IDLE="${IDLE:-30}"
TIMEOUT="${TIMEOUT:-15m}"
ADMIN="${SCRAPERSKY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
RATE=2            # SCRAPERSKY_CRAWL_RATE's default, for the ideal time
POLLERS=2         # one worker (poller) per workflow, for the idle estimate
POLL=2            # SCRAPERSKY_POLL_INTERVAL's default, in seconds
RESCUE=60         # SCRAPERSKY_RESCUE_INTERVAL's default, in seconds

work=$(mktemp -d)
sites_pid=""
serve_pid=""
pgdb=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$sites_pid" ] && kill "$sites_pid" 2>/dev/null && wait "$sites_pid" 2>/dev/null || true
  [ -n "$pgdb" ] && psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS \"$pgdb\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/scrapersky" ./apps/scrapersky
go build -o "$work/fleet" ./bench/fleet

"$work/fleet" sites -n "$SITES" -pages "$PAGES" -latency "$LATENCY" -port "$SITE_PORT" -hosts "$work/hosts" &
sites_pid=$!
for _ in $(seq 100); do [ -s "$work/hosts" ] && break; sleep 0.1; done
[ -s "$work/hosts" ] || { echo "fleet: the sites did not start" >&2; exit 1; }

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
io_calls() { awk '/^syscr:|^syscw:/ {n += $2} END {print n}' "/proc/$1/io"; }
pg_xacts() { psql "$ADMIN" -qAtc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$1'"; }

results=()
for store in $STORES; do
  case "$store" in
    sqlite) dsn="sqlite://$work/fleet.db" ;;
    postgres)
      pgdb="scrapersky_fleet_$$"
      psql "$ADMIN" -qAtc "CREATE DATABASE \"$pgdb\"" >/dev/null
      dsn=$(db_url "$ADMIN" "$pgdb")
      ;;
    *) echo "fleet: unknown store $store" >&2; exit 2 ;;
  esac

  # Defaults: only what cannot be left out is set.
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" DATABASE_URL="$dsn" SCRAPERSKY_ENV=development \
    SCRAPERSKY_ADDR=127.0.0.1:0 SCRAPERSKY_ALLOW_PRIVATE_NETWORKS=true $SERVE_ENV \
    "$work/scrapersky" serve >"$work/serve-$store.log" 2>&1 &
  serve_pid=$!
  addr=""
  for _ in $(seq 300); do
    addr=$(grep -o 'msg=listening addr=[0-9.:]*' "$work/serve-$store.log" | head -1 | sed 's/.*addr=//') || true
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "fleet: serve did not start:" >&2; cat "$work/serve-$store.log" >&2; exit 1; }

  echo "== $store: $SITES sites × $PAGES pages, ${LATENCY} latency, default settings" >&2
  out=$("$work/fleet" drive -api "http://$addr" -hosts "$work/hosts" -pages "$PAGES" -rate "$RATE" -timeout "$TIMEOUT")
  echo "$out" >&2
  ratio=$(echo "$out" | sed -n 's/^ratio=//p')
  wall=$(echo "$out" | sed -n 's/^wall_s=//p')
  seen=$(echo "$out" | sed -n 's/^seen_s=//p')
  ideal=$(echo "$out" | sed -n 's/^ideal_s=//p')
  errors=$(echo "$out" | sed -n 's/^errors=//p')
  peak=$(hwm_kb "$serve_pid")

  # Let the last scans' writes settle. PostgreSQL backends report their
  # transaction counts to pg_stat_database lazily (at most once a second
  # while busy, within about ten seconds once idle), so a shorter wait
  # counts the run's own tail as idle traffic.
  sleep 12
  if [ "$store" = postgres ]; then
    a=$(pg_xacts "$pgdb"); sleep "$IDLE"; b=$(pg_xacts "$pgdb")
    idle=$(awk -v a="$a" -v b="$b" -v s="$IDLE" 'BEGIN {printf "%.2f transactions/s", (b - a) / s}')
  else
    a=$(io_calls "$serve_pid"); sleep "$IDLE"; b=$(io_calls "$serve_pid")
    idle=$(awk -v a="$a" -v b="$b" -v s="$IDLE" 'BEGIN {printf "%.1f read+write syscalls/s", (b - a) / s}')
  fi
  design=$(awk -v w="$POLLERS" -v p="$POLL" -v r="$RESCUE" 'BEGIN {printf "%.2f", w / p + w / r}')
  results+=("$(printf '%-9s wall %6ss (stats showed it at %ss)  ideal %4ss  wall/ideal %6sx  errors %s  peak RSS %5.1f MB  idle %s (by design %s claims/s)' \
    "$store" "$wall" "$seen" "$ideal" "$ratio" "$errors" "$(awk -v k="$peak" 'BEGIN {print k / 1024}')" "$idle" "$design")")

  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
  if [ -n "$pgdb" ]; then
    psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS \"$pgdb\" WITH (FORCE)" >/dev/null; pgdb=""
  fi
done

echo
echo "fleet: $SITES sites × $PAGES pages, $LATENCY latency, per-site rate ${RATE}/s, default settings"
printf '%s\n' "${results[@]}"
