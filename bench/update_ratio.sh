#!/usr/bin/env bash
# Runs BenchmarkStatusUpdate10k (a PUT of 10,000 IDs to Selected, against
# the local PostgreSQL) and prints how much slower the use case is than the
# floor, one hand-written UPDATE that sets both columns (usecase/floor). The
# target is at most 1.3; the script exits 1 above UPDATE_RATIO_MAX (default
# 1.3).
#
#   BENCHTIME=20x COUNT=3 ./bench/update_ratio.sh
set -euo pipefail
cd "$(dirname "$0")/.."

benchtime="${BENCHTIME:-10x}"
count="${COUNT:-1}"
max="${UPDATE_RATIO_MAX:-1.3}"

out=$(go test -run '^$' -bench 'StatusUpdate10k' -benchtime "$benchtime" -count "$count" \
  -benchmem ./adapters/postgres/)
echo "$out"

# Average ns/op per sub-benchmark over the -count runs, then divide.
echo "$out" | awk -v max="$max" '
  /^BenchmarkStatusUpdate10k\/(usecase|floor)/ {
    split($1, name, "/"); sub(/-[0-9]+$/, "", name[2])
    for (i = 2; i < NF; i++) if ($(i+1) == "ns/op") { sum[name[2]] += $i; n[name[2]]++ }
  }
  END {
    if (!n["usecase"] || !n["floor"]) { print "update_ratio: benchmark output not found" > "/dev/stderr"; exit 2 }
    u = sum["usecase"] / n["usecase"]; r = sum["floor"] / n["floor"]
    ratio = u / r
    printf "usecase %.1f ms/op, floor %.1f ms/op, ratio usecase/floor = %.2fx (target <= %.2fx)\n", u / 1e6, r / 1e6, ratio, max
    exit (ratio > max) ? 1 : 0
  }'
