#!/usr/bin/env bash
# `make bench`: what the gateway adds to a request, measured with wrk on this machine.
#   scripts/bench-gateway.sh
# Builds the production server (fat LTO, as deployed) and the examples bench_world, tls_echo and
# bench_floor (server/examples/), creates a fresh database, serves the console on 127.0.0.1:3300
# and the gateway on :3301, and seeds (bench_world) organization BENCH with two APIs in front of
# the server's own echo upstream: Null (public, no policies) and Full (private: API key,
# contract, plan Fast with a rate limit), and a third, Tls, in front of the same echo over HTTPS
# (tls_echo, a process of its own on :3303). It measures
#   direct  GET :3300/echo/                    the upstream alone
#   nginx   GET :3312/echo/                    nginx's bare reverse proxy in front of it (Debian's
#                                              nginx-light, 2 workers, upstream keep-alive, no
#                                              access log): the baseline the gateway is held to
#   floor   GET :3313/echo/                    the fastest proxy this stack makes: bare hyper on
#                                              Tokio, one runtime per core, nothing of Gatehouse
#                                              (server/examples/bench_floor.rs)
#   null    GET :3301/gateway/BENCH/Null/1.0/  the gateway's bare proxy path
#   full    GET :3301/gateway/BENCH/Full/1.0/  key lookup, contract, rate limit counter, proxy
#   logged  GET :3310/gateway/BENCH/Full/1.0/  the full chain through a `gatehouse gateway`
#                                              process with analytics on (the default)
#   quiet   GET :3304/gateway/BENCH/Full/1.0/  the same through a `gatehouse gateway` process
#                                              with analytics off (GATEHOUSE_ANALYTICS=0): logged
#                                              and quiet differ only in that setting
#   tls     GET :3301/gateway/BENCH/Tls/1.0/   the bare proxy path, HTTPS to the upstream
# at 1, 16 and 64 connections, the setups taking turns in each of BENCH_ROUNDS rounds, and
# prints medians over the rounds: requests/s, their ratios, and the latency that the gateway
# adds at p50 and p99. wrk's raw output goes to target/bench-gateway/.
# Client, gateway and upstream share this machine's cores: the figures compare the setups with
# each other on one machine, they are not a capacity figure.
# For a quick look: BENCH_ROUNDS (3, at most 9) and BENCH_DURATION (wrk -d, 5s); BENCH_SETUPS
# (all of them) for some setups only, e.g. BENCH_SETUPS="logged quiet" BENCH_ROUNDS=9.
# Everything stays on 127.0.0.1; the server stops and the database is dropped however this ends.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ADDR=127.0.0.1:3300
BASE=http://$ADDR
GATEWAY=http://127.0.0.1:3301
CONNS=(1 16 64)
ALL_SETUPS=(direct nginx floor null full logged quiet tls)
# BENCH_SETUPS measures some of them only, e.g. "logged quiet" with BENCH_ROUNDS=9 to read the
# cost of analytics alone; every process is started either way.
read -r -a SETUPS <<<"${BENCH_SETUPS:-${ALL_SETUPS[*]}}"
for s in "${SETUPS[@]}"; do
    [[ " ${ALL_SETUPS[*]} " == *" $s "* ]] || die "BENCH_SETUPS: unknown setup '$s' (${ALL_SETUPS[*]})"
done
NGINX=127.0.0.1:3312
FLOOR=127.0.0.1:3313
QUIET=127.0.0.1:3304
LOGGED=127.0.0.1:3310
TLS_UPSTREAM=127.0.0.1:3303
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-5s}
[[ $ROUNDS =~ ^[1-9]$ ]] || die "BENCH_ROUNDS must be 1 to 9"
[[ $DURATION =~ ^[1-9][0-9]?s$ ]] || die "BENCH_DURATION must be like 5s (1s to 99s)"

declare -A URL=(
    [direct]=$BASE/echo/
    [nginx]=http://$NGINX/echo/
    [floor]=http://$FLOOR/echo/
    [null]=$GATEWAY/gateway/BENCH/Null/1.0/
    [full]=$GATEWAY/gateway/BENCH/Full/1.0/
    [logged]=http://$LOGGED/gateway/BENCH/Full/1.0/
    [quiet]=http://$QUIET/gateway/BENCH/Full/1.0/
    [tls]=$GATEWAY/gateway/BENCH/Tls/1.0/
)
out=target/bench-gateway
server_log=$out/server.log
db=gatehouse_bench_$$
server_pid=""
quiet_pid=""
logged_pid=""
nginx_pid=""
floor_pid=""
tls_pid=""
db_created=0

AUTOGROUP=/proc/sys/kernel/sched_autogroup_enabled
autogroup_was=""

cleanup() {
    if [[ -n $autogroup_was ]]; then echo "$autogroup_was" >"$AUTOGROUP" || true; fi
    stop_pid "$server_pid"
    stop_pid "$quiet_pid"
    stop_pid "$logged_pid"
    stop_pid "$nginx_pid"
    stop_pid "$floor_pid"
    if [[ -n $tls_pid ]]; then kill "$tls_pid" 2>/dev/null || true; fi
    if ((db_created)); then scripts/db.sh --drop "$db" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs on Ctrl-C too

# Session-based group scheduling (autogroup) starved Postgres here when wrk, the gateways and
# the upstream kept both cores busy: perf sched showed it runnable but waiting up to 3 s, and the
# logged gateway dropped half its records, which made analytics look free. The run turns it off
# (when it may) so that every process competes alike, and puts it back at the end.
if [[ -w $AUTOGROUP && $(cat "$AUTOGROUP") == 1 ]]; then
    autogroup_was=1
    echo 0 >"$AUTOGROUP"
    log "kernel.sched_autogroup_enabled: 1 -> 0 for this run"
elif [[ -r $AUTOGROUP && $(cat "$AUTOGROUP") == 1 ]]; then
    log "warning: kernel.sched_autogroup_enabled is 1 and cannot be changed: Postgres may starve and logged drop records"
fi

# status URL [API_KEY]: the HTTP status of GET URL, 0 when nothing answers (node is always here
# for the build; curl may not be).
status() {
    node -e '
        const [url, key] = process.argv.slice(1);
        const headers = key ? { "X-API-Key": key } : {};
        fetch(url, { headers, signal: AbortSignal.timeout(5000) }).then(
            r => { console.log(r.status); process.exit(0); },
            () => { console.log(0); process.exit(0); });' "$1" "${2:-}"
}

# wait_for URL [API_KEY]: until GET URL answers 200, for at most 60 s.
wait_for() {
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)) && kill -0 "$server_pid" 2>/dev/null; do
        [[ $(status "$@") == 200 ]] && return
        sleep 0.5
    done
    tail -n 20 "$server_log" >&2
    die "$1 did not answer 200 within 60 s (last status: $(status "$@"))"
}

log "building the production server (profile production: fat LTO) and the bench examples (slow the first time)"
env "${RELEASE_ENV[@]}" cargo build --profile production -p server --bin gatehouse --example bench_world --example tls_echo --example bench_floor
command -v wrk >/dev/null || apt_install wrk
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt_install nginx-light
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
command -v node >/dev/null || die "node not found: install Node.js 20 first"

mkdir -p "$out"
rm -f "$out"/round*.txt "$out"/warmup-*.txt # an earlier run's, possibly with more rounds
[[ $(status "$BASE/readyz") == 0 ]] || die "something already answers on $BASE: stop it first"
# The floor shares its port by SO_REUSEPORT: a leftover one would take half the connections.
[[ $(status "${URL[floor]}") == 0 ]] || die "something already answers on $FLOOR: stop it first"
db_url=$(scripts/db.sh --create "$db" | tail -n1)
db_created=1

log "starting the release server on $BASE (log: $server_log)"
# No REDIS_URL: rate limit counters stay in the process, as for a single gateway. RUST_LOG=warn:
# a log line per request would cost more than what is measured.
env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_ADDR=$ADDR GATEHOUSE_DEMO=0 \
    GATEHOUSE_GATEWAY_ADDR=${GATEWAY#http://} GATEHOUSE_METRICS_ADDR=127.0.0.1:3302 \
    GATEHOUSE_ADMIN_PASSWORD=bench-admin-password-1 RUST_LOG=warn \
    target/production/gatehouse serve >"$server_log" 2>&1 &
server_pid=$!
wait_for "$BASE/readyz"

# The HTTPS row's upstream: the same echo over TLS, in a process of its own, with a CA made now.
target/production/examples/tls_echo "$TLS_UPSTREAM" "$out/ca.pem" >"$out/tls-echo.log" 2>&1 &
tls_pid=$!
for _ in {1..50}; do [[ -s $out/ca.pem ]] && break; sleep 0.1; done
[[ -s $out/ca.pem ]] || die "tls_echo did not start (log: $out/tls-echo.log)"
key=$(DATABASE_URL="$db_url" target/production/examples/bench_world "$BASE/echo" \
    "https://localhost:${TLS_UPSTREAM#*:}/echo" "$out/ca.pem" | tail -n1)
[[ -n $key ]] || die "bench_world printed no API key"
# The same gateway without analytics, as a process of its own beside the server.
env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_GATEWAY_ADDR=$QUIET \
    GATEHOUSE_METRICS_ADDR=127.0.0.1:3305 GATEHOUSE_ANALYTICS=0 RUST_LOG=warn \
    target/production/gatehouse gateway >"$out/quiet.log" 2>&1 &
quiet_pid=$!
# And with analytics on, otherwise the same.
env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_GATEWAY_ADDR=$LOGGED \
    GATEHOUSE_METRICS_ADDR=127.0.0.1:3311 RUST_LOG=warn \
    target/production/gatehouse gateway >"$out/logged.log" 2>&1 &
logged_pid=$!
# nginx as a bare reverse proxy of the same echo: its own prefix, config and port; 2 workers
# (the machine's cores), HTTP/1.1 with idle upstream connections kept, no access log (the
# gateway's per-request log line is off here too: RUST_LOG=warn).
mkdir -p "$out/nginx/tmp"
cat >"$out/nginx/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $ROOT/$out/nginx/nginx.pid;
error_log $ROOT/$out/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $ROOT/$out/nginx/tmp/body;
    proxy_temp_path $ROOT/$out/nginx/tmp/proxy;
    fastcgi_temp_path $ROOT/$out/nginx/tmp/fastcgi;
    uwsgi_temp_path $ROOT/$out/nginx/tmp/uwsgi;
    scgi_temp_path $ROOT/$out/nginx/tmp/scgi;
    upstream echo {
        server $ADDR;
        keepalive 256;
    }
    server {
        listen $NGINX reuseport;
        location / {
            proxy_pass http://echo;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
NGINX
"$NGINX_BIN" -p "$ROOT/$out/nginx" -c "$ROOT/$out/nginx/nginx.conf" >"$out/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_for "${URL[nginx]}"
# The stack's own floor: bare hyper in front of the same echo, as many workers as the gateway.
target/production/examples/bench_floor "$FLOOR" "$ADDR" "$(nproc)" >"$out/floor.log" 2>&1 &
floor_pid=$!
wait_for "${URL[floor]}"
# The gateway picks up published APIs and registered clients by itself, within a moment.
wait_for "${URL[null]}"
wait_for "${URL[full]}" "$key"
wait_for "${URL[quiet]}" "$key"
wait_for "${URL[logged]}" "$key"
wait_for "${URL[tls]}"

# bench SETUP CONNS FILE: one wrk run into FILE. One wrk thread per connection up to two (the
# machine has 2 cores, shared with the server).
bench() {
    local threads=$(($2 < 2 ? $2 : 2)) args=()
    if [[ $1 == full || $1 == logged || $1 == quiet ]]; then args=(-H "X-API-Key: $key"); fi
    wrk -t"$threads" -c"$2" -d"$DURATION" --latency "${args[@]}" "${URL[$1]}" >"$3" 2>&1 ||
        { cat "$3" >&2; die "wrk failed on $1 with $2 connections"; }
}

# parse FILE: "requests/s p50_us p99_us non2xx socket_errors" from wrk's --latency output, where
# latencies read like 52.00us, 1.20ms or 2.01s.
parse() {
    awk '
        function us(v) {
            if (v ~ /us$/) return v + 0
            if (v ~ /ms$/) return v * 1000
            if (v ~ /m$/) return v * 60000000
            if (v ~ /s$/) return v * 1000000
            return -1
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = us($2) }
        $1 == "99%" { p99 = us($2) }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
        END { printf "%s %.1f %.1f %d %d\n", rps, p50, p99, bad, sock }' "$1"
}

# median NUMBER...: the middle value (the mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Per "setup,conns": the values of the rounds, space-separated.
declare -A RPS P50 P99

log "warming up (1 s per setup, not counted)"
for s in "${SETUPS[@]}"; do
    DURATION=1s bench "$s" 16 "$out/warmup-$s.txt"
done

runs=$((ROUNDS * ${#CONNS[@]} * ${#SETUPS[@]}))
log "measuring: $ROUNDS rounds x ${#CONNS[@]} connection counts x ${#SETUPS[@]} setups, $DURATION each ($runs runs)"
for ((round = 1; round <= ROUNDS; round++)); do
    for c in "${CONNS[@]}"; do
        for s in "${SETUPS[@]}"; do
            file=$out/round$round-c$c-$s.txt
            bench "$s" "$c" "$file"
            read -r rps p50 p99 bad sock < <(parse "$file")
            [[ -n $rps && $rps != 0* ]] || { cat "$file" >&2; die "no requests/s in $file"; }
            # A failing setup would measure its error path: stop instead.
            ((bad == 0)) || { cat "$file" >&2; die "$s: $bad answers were not 2xx ($file)"; }
            ((sock == 0)) || log "warning: $s with $c connections: $sock socket errors ($file)"
            log "round $round, $c connections, $s: $rps requests/s, p50 ${p50} us, p99 ${p99} us"
            RPS[$s,$c]+="$rps " P50[$s,$c]+="$p50 " P99[$s,$c]+="$p99 "
        done
    done
done

# has SETUP: whether SETUP is measured in this run.
has() { [[ " ${SETUPS[*]} " == *" $1 "* ]]; }

# added LATENCIES SETUP CONNS: the median over rounds of (SETUP - direct) in the same round.
added() {
    local -n lat=$1
    local -a mine base diffs=()
    read -ra mine <<<"${lat[$2,$3]}"
    read -ra base <<<"${lat[direct,$3]}"
    for i in "${!mine[@]}"; do diffs+=("$(awk -v a="${mine[$i]}" -v b="${base[$i]}" 'BEGIN { print a - b }')"); done
    median "${diffs[@]}"
}

# paired A B CONNS: the median over rounds of A/B within each round (setups measured side by
# side, so a slow stretch of the machine weighs on both).
paired() {
    local -a a b ratios=()
    read -ra a <<<"${RPS[$1,$3]}"
    read -ra b <<<"${RPS[$2,$3]}"
    for i in "${!a[@]}"; do ratios+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { print x / y }')"); done
    printf '%.3f' "$(median "${ratios[@]}")"
}

echo
echo "Gateway benchmark: wrk against 127.0.0.1:3300 (echo upstream in the same process), $(nproc) cores"
echo "$ROUNDS rounds of $DURATION per setup and connection count; wrk -t min(connections, 2)"
echo
echo "Requests/s (median over rounds)"
printf '%6s' conns
printf ' %12s' "${SETUPS[@]}"
echo
for c in "${CONNS[@]}"; do
    printf '%6s' "$c"
    # shellcheck disable=SC2086 # the rounds' values, split on purpose
    for s in "${SETUPS[@]}"; do printf ' %12.0f' "$(median ${RPS[$s,$c]})"; done
    echo
done
echo
echo "Ratios (median over rounds of the ratio within each round)"
PAIRS=()
for pair in null/direct full/direct null/nginx full/nginx floor/nginx null/floor quiet/floor full/null logged/quiet tls/null; do
    if has "${pair%/*}" && has "${pair#*/}"; then PAIRS+=("$pair"); fi
done
printf '%6s' conns
printf ' %13s' "${PAIRS[@]}"
echo
for c in "${CONNS[@]}"; do
    printf '%6s' "$c"
    for pair in "${PAIRS[@]}"; do printf ' %13s' "$(paired "${pair%/*}" "${pair#*/}" "$c")"; done
    echo
done
if has logged && has quiet; then
    echo "(logged/quiet: analytics on versus off, the same chain in two \`gatehouse gateway\` processes)"
fi
if has tls; then
    echo "(tls: the null chain to the echo over HTTPS, served by a separate process: tls_echo)"
fi
if has direct; then
    echo
    echo "Added latency versus direct, microseconds (median over rounds of the difference in each round)"
    printf '%6s' conns
    for s in nginx floor null full; do
        if has "$s"; then printf ' %12s %12s' "$s p50" "$s p99"; fi
    done
    echo
    for c in "${CONNS[@]}"; do
        printf '%6s' "$c"
        for s in nginx floor null full; do
            if has "$s"; then printf ' %12.1f %12.1f' "$(added P50 "$s" "$c")" "$(added P99 "$s" "$c")"; fi
        done
        echo
    done
fi
if has logged; then
    # Records the logged gateway could not write (database too slow to keep up) would make
    # logged/quiet look cheaper than analytics are: say how many there were.
    # The last batches: a flush every 2 s, each given up after 10 s at most.
    sleep 12
    dropped=$(node -e '
        fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(r => r.text()).then(t => {
            const m = t.match(/^gatehouse_analytics_dropped_total (\d+)/m);
            console.log(m ? m[1] : "unknown");
        }, () => console.log("unknown"));' "http://127.0.0.1:3311/metrics")
    echo
    echo "logged: analytics records dropped during the run: $dropped"
    [[ $dropped == 0 ]] || echo "WARNING: records were dropped, so logged/quiet understates what analytics cost"
fi
