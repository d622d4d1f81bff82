#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the tests:
# installs Debian's postgresql if it is missing, starts the cluster if it is
# stopped, and waits until it accepts connections. Tests create and drop
# their own databases; nothing here depends on earlier runs.
set -euo pipefail

url="${SCRAPERSKY_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if [ "${SCRAPERSKY_SKIP_POSTGRES:-}" = "1" ]; then
  echo "ensure-postgres: SCRAPERSKY_SKIP_POSTGRES=1, not checking"; exit 0
fi
if [ -n "${SCRAPERSKY_TEST_DATABASE_URL:-}" ]; then
  echo "ensure-postgres: using SCRAPERSKY_TEST_DATABASE_URL"; exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-postgres: PostgreSQL is not installed; install it (apt-get install postgresql) or set SCRAPERSKY_TEST_DATABASE_URL" >&2
    exit 1
  fi
  echo "ensure-postgres: installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi

ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
conf=/etc/postgresql/$ver/main
# The tests connect as postgres over TCP without a password: make sure the
# local cluster trusts loopback (a fresh Debian install asks for one).
if [ -n "$ver" ] && [ -w "$conf/pg_hba.conf" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
  ready && pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || true
fi
if ! ready && [ -n "$ver" ]; then
  echo "ensure-postgres: starting cluster $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
fi
if ! ready; then
  echo "ensure-postgres: PostgreSQL does not answer on 127.0.0.1:5432" >&2
  exit 1
fi
psql "$url" -qAtc 'select 1' >/dev/null
echo "ensure-postgres: ready"
