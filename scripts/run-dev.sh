#!/usr/bin/env bash
# `make run`: the service in development mode. Honours SCRAPERSKY_* and
# DATABASE_URL already set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

export SCRAPERSKY_ENV="${SCRAPERSKY_ENV:-development}"
export SCRAPERSKY_ADDR="${SCRAPERSKY_ADDR:-:8000}"
export SCRAPERSKY_DEV_TOKEN="${SCRAPERSKY_DEV_TOKEN:-scraper_sky_2024}"
export SCRAPERSKY_ALLOW_PRIVATE_NETWORKS="${SCRAPERSKY_ALLOW_PRIVATE_NETWORKS:-true}"

if [ -z "${DATABASE_URL:-}" ]; then
  ./scripts/ensure-postgres.sh >/dev/null
  psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qAtc \
    "select 1 from pg_database where datname='scrapersky'" | grep -q 1 ||
    psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qc "create database scrapersky"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/scrapersky?sslmode=disable"
fi

port="${SCRAPERSKY_ADDR##*:}"
cat <<MSG
ScraperSky is starting on http://localhost:${port}
  development token: ${SCRAPERSKY_DEV_TOKEN}
  try:
    curl -s -X POST -H "Authorization: Bearer ${SCRAPERSKY_DEV_TOKEN}" -H "Content-Type: application/json" \\
      -d '{"domains": ["https://www.example.com/about"]}' http://localhost:${port}/api/v3/domains/direct-submit
MSG
exec ./bin/scrapersky serve
