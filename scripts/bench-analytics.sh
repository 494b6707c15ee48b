#!/usr/bin/env bash
# `make bench-analytics`: how fast the Metrics tabs and the Log Analyzer answer over a big log.
#   scripts/bench-analytics.sh            10,000,000 requests over 30 days
#   BENCH_ANALYTICS_REQUESTS=1000000 scripts/bench-analytics.sh   a quicker look
# Builds server/examples/bench_analytics.rs (release profile), creates a fresh database, seeds it
# through the gateway's own write path (request log, minute, hour and per-API rollups in day
# partitions), then runs the Metrics tabs' use cases and Log Analyzer pages with filters, 5 times
# each after a warm-up, and prints the medians against the 300 ms target (PASS/FAIL; exits 1 on a
# FAIL). The database is dropped however this ends. Seeding 10 M requests takes ~10 minutes.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

REQUESTS=${BENCH_ANALYTICS_REQUESTS:-10000000}
DAYS=30
[[ $REQUESTS =~ ^[1-9][0-9]{3,8}$ ]] || die "BENCH_ANALYTICS_REQUESTS must be a number from 1000 to 999999999"
db=gatehouse_bench_analytics_$$
db_created=0
cleanup() { if ((db_created)); then scripts/db.sh --drop "$db" || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the bench_analytics example (release profile)"
env "${RELEASE_ENV[@]}" cargo build --release -p server --example bench_analytics
db_url=$(scripts/db.sh --create "$db" | tail -n1)
db_created=1
echo "Analytics benchmark: $REQUESTS requests over $DAYS days, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
DATABASE_URL="$db_url" target/release/examples/bench_analytics "$REQUESTS" "$DAYS"
