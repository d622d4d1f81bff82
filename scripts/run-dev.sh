#!/usr/bin/env bash
# `make run`: the service in development mode on the embedded SQLite file
# (./scrapersky.db) unless DATABASE_URL says otherwise. Every SCRAPERSKY_*
# variable already set in the environment wins over these defaults. It
# listens on 127.0.0.1 only: the development token is published and private
# networks are crawlable, so nobody else on the network may drive it.
set -euo pipefail
cd "$(dirname "$0")/.."

export SCRAPERSKY_ENV="${SCRAPERSKY_ENV:-development}"
export SCRAPERSKY_ADDR="${SCRAPERSKY_ADDR:-127.0.0.1:8000}"
export SCRAPERSKY_DEV_TOKEN="${SCRAPERSKY_DEV_TOKEN:-scraper_sky_2024}"
# Local sites (127.0.0.1:PORT) are how one tries the crawler on a laptop.
export SCRAPERSKY_ALLOW_PRIVATE_NETWORKS="${SCRAPERSKY_ALLOW_PRIVATE_NETWORKS:-true}"
export DATABASE_URL="${DATABASE_URL:-sqlite://./scrapersky.db}"

host="${SCRAPERSKY_ADDR%:*}"
port="${SCRAPERSKY_ADDR##*:}"
if [ -z "$host" ] || [ "$host" = "0.0.0.0" ]; then
  host=localhost
  echo "warning: SCRAPERSKY_ADDR=${SCRAPERSKY_ADDR} listens on every interface, with the published development token" >&2
fi
token="${SCRAPERSKY_DEV_TOKEN}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) where="PostgreSQL (DATABASE_URL)" ;;
  *) where="SQLite ${DATABASE_URL#sqlite://}" ;;
esac
cat <<MSG
ScraperSky (development) is starting on http://${host}:${port}
  curation page:     http://${host}:${port}/
  API docs:          http://${host}:${port}/docs
  database:          ${where}
  development token: ${token}
  stop:              Ctrl-C
  try:
    curl -s -X POST -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" \\
      -d '{"domains": ["https://www.example.com/about", "b.io"]}' http://${host}:${port}/api/v3/domains/direct-submit
MSG
# SCRAPERSKY_BIN lets the tests run the script with another binary.
exec "${SCRAPERSKY_BIN:-./bin/scrapersky}" serve
