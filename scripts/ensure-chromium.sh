#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests
# (adapters/web, apps/scrapersky); they fail without it unless
# SCRAPERSKY_SKIP_BROWSER=1.
set -euo pipefail
if [ "${SCRAPERSKY_SKIP_BROWSER:-}" = "1" ]; then
  echo "ensure-chromium: SCRAPERSKY_SKIP_BROWSER=1, not checking"; exit 0
fi
if command -v chromium >/dev/null 2>&1 || [ -n "${SCRAPERSKY_CHROMIUM:-}" ]; then
  echo "ensure-chromium: ready"; exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: chromium is missing: install it as root (apt-get install -y chromium) or set SCRAPERSKY_SKIP_BROWSER=1" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null
echo "ensure-chromium: ready"
