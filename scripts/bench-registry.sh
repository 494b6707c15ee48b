#!/usr/bin/env bash
# `make bench-registry`: the gateway's registry at scale, measured on this machine.
#   scripts/bench-registry.sh
# Builds the production server (fat LTO, as deployed) and server/examples/bench_registry.rs, creates a fresh database and
# starts `gatehouse serve` with the demo world on 127.0.0.1:3400 (its /echo is PrivateEchoAPI's
# upstream; its gateway is on :3401). Then, for each size in BENCH_SIZES (default
# "10000 100000 1000000"):
#   1. tops the database up to that many registered client versions, each with one active
#      contract on PrivateEchoAPI 1.0 through Silver 1.0 (SQL), and has the serve process reload;
#   2. starts a second gateway process (`gatehouse gateway` on :3411) and reads from its log how
#      long its full load took, and from /proc its resident memory once loaded (and its peak);
#   3. registers 20 clients through the store, one after the other, each timed from its commit
#      to its key answering 200 on the second gateway (median and max), then 50 more in 10 s
#      while a GET /healthz on a new connection to the second gateway is timed every 10 ms
#      (longest wait);
#   4. measures the full chain's throughput on the second gateway with wrk (16 connections, 10 s;
#      `make bench`'s Full API, seeded by bench_world: key, contract, rate limit, proxy), quiet and
#      then during another 50 registrations in 10 s, and prints the ratio;
#   5. asks for a full load (an empty notification) while the first registry is still served,
#      and reads how long it took and the peak memory it cost;
#   6. stops the second gateway.
# Everything (Postgres, both gateways, the client) shares this machine's cores; the load average
# at the start is printed with the figures. Logs go to target/bench-registry/.
# The servers stop and the database is dropped however this ends.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ADDR=127.0.0.1:3400
SECOND=127.0.0.1:3411
read -r -a SIZES <<<"${BENCH_SIZES:-10000 100000 1000000}"
for n in "${SIZES[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$n' is not a count"; done

out=target/bench-registry
db=gatehouse_bench_registry_$$
serve_pid="" second_pid="" db_created=0

cleanup() {
    stop_pid "$second_pid"
    stop_pid "$serve_pid"
    if ((db_created)); then scripts/db.sh --drop "$db" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs on Ctrl-C too

# code URL [API_KEY]: the HTTP status of GET URL, 000 when nothing answers.
code() {
    local h=()
    [[ -n ${2:-} ]] && h=(-H "X-API-Key: $2")
    curl -s -o /dev/null -m 5 -w '%{http_code}' "${h[@]}" "$1" || true
}

# wait_200 PID LOG SECONDS URL [API_KEY]: until GET URL answers 200 while PID lives.
wait_200() {
    local pid=$1 log=$2 deadline=$((SECONDS + $3))
    shift 3
    while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
        [[ $(code "$@") == 200 ]] && return
        sleep 0.2
    done
    tail -n 20 "$log" >&2
    die "$1 did not answer 200 (last status: $(code "$@"))"
}

# mb PID FIELD: a memory figure of /proc/PID/status (VmRSS, VmHWM) in MB.
mb() { awk -v f="$2:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

log "building the production server (profile production: fat LTO) and the bench_registry example (slow the first time)"
env "${RELEASE_ENV[@]}" cargo build --profile production -p server --bin gatehouse --example bench_registry --example bench_world
command -v curl >/dev/null || apt_install curl
command -v wrk >/dev/null || apt_install wrk
bench=target/production/examples/bench_registry

mkdir -p "$out"
[[ $(code "http://$ADDR/readyz") == 000 ]] || die "something already answers on $ADDR: stop it first"
db_url=$(scripts/db.sh --create "$db" | tail -n1)
db_created=1

log "starting the release server with the demo world on http://$ADDR (log: $out/serve.log)"
env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_ADDR=$ADDR GATEHOUSE_DEMO=1 \
    GATEHOUSE_GATEWAY_ADDR=127.0.0.1:3401 GATEHOUSE_METRICS_ADDR=127.0.0.1:3402 \
    GATEHOUSE_ADMIN_PASSWORD=bench-admin-password-1 RUST_LOG=warn,server::gateway::feed=info \
    target/production/gatehouse serve >"$out/serve.log" 2>&1 &
serve_pid=$!
wait_200 "$serve_pid" "$out/serve.log" 120 "http://$ADDR/readyz"
full_key=$(DATABASE_URL="$db_url" target/production/examples/bench_world "http://$ADDR/echo" | tail -n1)
[[ -n $full_key ]] || die "bench_world printed no API key"
FULL=http://$SECOND/gateway/BENCH/Full/1.0/

# rps: requests/s of the full chain on the second gateway over 10 s.
rps() {
    wrk -t2 -c16 -d10s -H "X-API-Key: $full_key" "$FULL" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for n in "${SIZES[@]}"; do
    log "seeding up to $n registered clients"
    key=$(DATABASE_URL="$db_url" "$bench" seed "$n" | tail -n1)
    psql -w -qtA "$db_url" -c "SELECT pg_notify('gatehouse_registry', '')" >/dev/null
    wait_200 "$serve_pid" "$out/serve.log" 300 "http://127.0.0.1:3401/gateway/STRINGER/PrivateEchoAPI/1.0/" "$key"

    log "$n: starting a second gateway process on $SECOND (log: $out/second-$n.log)"
    started=$(date +%s%N)
    env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_DEMO=0 RUST_LOG=warn,server::gateway::feed=info \
        target/production/gatehouse gateway --gateway-addr "$SECOND" --metrics-addr 127.0.0.1:3412 \
        >"$out/second-$n.log" 2>&1 &
    second_pid=$!
    wait_200 "$second_pid" "$out/second-$n.log" 300 "http://$SECOND/healthz"
    ready_ms=$((($(date +%s%N) - started) / 1000000))
    full_ms=$(sed 's/\x1b\[[0-9;]*m//g' "$out/second-$n.log" | grep -m1 'registry loaded' | grep -o 'ms=[0-9]*' | cut -d= -f2)
    rss=$(mb "$second_pid" VmRSS)

    log "$n: 20 registrations, then 50 in 10 s with /healthz probes"
    read -r median max healthz probes < <(DATABASE_URL="$db_url" "$bench" measure "$SECOND" | tail -n1)
    peak=$(mb "$second_pid" VmHWM)

    log "$n: full chain throughput, quiet and during 50 registrations in 10 s"
    wait_200 "$second_pid" "$out/second-$n.log" 10 "$FULL" "$full_key"
    quiet=$(rps)
    DATABASE_URL="$db_url" "$bench" burst "$SECOND" >/dev/null &
    burst_pid=$!
    busy=$(rps)
    wait "$burst_pid"
    ratio=$(awk -v b="$busy" -v q="$quiet" 'BEGIN { printf "%.3f", b / q }')

    log "$n: a full load while serving"
    psql -w -qtA "$db_url" -c "SELECT pg_notify('gatehouse_registry', '')" >/dev/null
    for _ in {1..600}; do
        (($(grep -c 'registry loaded' "$out/second-$n.log") >= 2)) && break
        sleep 0.1
    done
    reload_ms=$(sed 's/\x1b\[[0-9;]*m//g' "$out/second-$n.log" | grep 'registry loaded' | sed -n 2p |
        grep -o 'ms=[0-9]*' | cut -d= -f2)
    reload_peak=$(mb "$second_pid" VmHWM)
    rows+=("$(printf '%9s %8s %8s %6s %6s %8s %8s %8s %7s %6s %6s %6s %6s %6s' "$n" "$full_ms" \
        "$ready_ms" "$rss" "$peak" "$median" "$max" "$healthz" "$probes" "$quiet" "$busy" "$ratio" \
        "${reload_ms:-?}" "$reload_peak")")
    stop_pid "$second_pid"
    second_pid=""
done

echo
echo "load average at the start: $load ($(nproc) cores)"
printf '%9s %8s %8s %6s %6s %8s %8s %8s %7s %6s %6s %6s %6s %6s\n' clients load_ms ready_ms \
    rss_mb peak_mb reg_med reg_max healthz probes rps_q rps_b ratio rld_ms rld_mb
printf '%s\n' "${rows[@]}"
echo "load_ms: the second gateway's full load (its log); ready_ms: from its start to /healthz 200;"
echo "rss_mb once loaded, peak_mb (VmHWM) after the registrations; reg_med/reg_max (ms): commit to"
echo "200 over 20 registrations; healthz (ms): longest GET /healthz on a new connection during 50"
echo "registrations in 10 s; rps_q/rps_b: full chain requests/s (wrk, 16 connections) quiet and"
echo "during 50 registrations in 10 s; rld_ms/rld_mb: a full load while serving, and the peak RSS"
echo "(VmHWM) after it."
