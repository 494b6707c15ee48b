#!/usr/bin/env bash
# `make bench-web`: what a browser downloads and how long it waits before the pages work, on a
# throttled link, measured with Chromium on this machine (issue 13).
#   scripts/bench-web.sh
# Builds the release site and server (scripts/build.sh --release; BENCH_WEB_SKIP_BUILD=1 skips
# it and uses what target/ holds), prints the sizes of the built assets in target/site/pkg (raw,
# .gz, .br), creates a fresh database and serves the release build with the demo world on
# 127.0.0.1:$BENCH_WEB_PORT (3500; gateway +1, metrics +2). Then end2end/bench/web.mjs drives
# headless Chromium (Playwright, /usr/bin/chromium) over a link of 40 ms latency, 20 Mbit/s down
# and 5 Mbit/s up, through these pages, each in a fresh browser context:
#   /portal                                the portal's home (signed in as david)
#   /portal/apis/STRINGER/PrivateEchoAPI   an API in the portal (signed in as david)
#   /login                                 the sign-in page (signed out)
#   /orgs/STRINGER                         the console's organization page (signed in as david)
# a first visit with an empty cache (signing in comes before it and is not counted) and a repeat
# visit with the cache warm: bytes transferred and milliseconds from navigation start until the
# page is interactive (hydrated, and a page-specific click or keystroke has its effect; the
# probes are in web.mjs). Medians over BENCH_WEB_RUNS runs (3; BENCH_WEB_PAGES=portal,org for
# some pages only), then the targets, PASS or FAIL:
#   portal home, first visit        <= 450 KB and <= 2.0 s
#   console org page, first visit   <= 700 KB and <= 2.5 s
#   repeat visits                   no .wasm/.js/.css fetched over the network
# A missed target does not change the exit status (a benchmark, not a test); a page that cannot
# be measured does. Every request of every visit: target/bench-web/results.json; the server's log:
# target/bench-web/server.log. The server stops and the database is dropped however this ends.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PORT=${BENCH_WEB_PORT:-3500}
RUNS=${BENCH_WEB_RUNS:-3}
if [[ ! $PORT =~ ^[1-9][0-9]{3,4}$ ]] || ((PORT > 65533)); then die "BENCH_WEB_PORT must be 1000 to 65533"; fi
[[ $RUNS =~ ^[1-9]$ ]] || die "BENCH_WEB_RUNS must be 1 to 9"
BASE=http://127.0.0.1:$PORT
# Fixed passwords: the server gets them, web.mjs signs in with david's.
ADMIN_PASSWORD=bench-web-admin-password
DEMO_PASSWORD=bench-web-david-password
PKG=target/site/pkg

out=target/bench-web
server_log=$out/server.log
db=gatehouse_bench_web_$$
server_pid=""
db_created=0

cleanup() {
    stop_pid "$server_pid"
    if ((db_created)); then scripts/db.sh --drop "$db" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs on Ctrl-C too

# GET URL → exit 0 on HTTP 200 (node is always here; curl may not be).
http_ok() {
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(
        r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"
}

# size FILE: its size in bytes, or nothing when it does not exist.
size() { if [[ -f $1 ]]; then stat -c %s "$1"; fi; }

# Prints the built assets: each .wasm/.js/.css with its .gz and .br variants, largest first, and
# the totals. The shared chunks that --split makes (chunk_<n>.<hash>.wasm, hundreds of small
# files) are summed on one line after the five largest; $out/assets.txt lists every file.
asset_sizes() {
    local f files=()
    for f in "$PKG"/*.wasm "$PKG"/*.js "$PKG"/*.css; do [[ -f $f ]] && files+=("$f"); done
    ((${#files[@]})) || die "no .wasm/.js/.css in $PKG: build first (scripts/build.sh --release)"
    for f in "${files[@]}"; do
        printf '%s %s %s %s\n' "${f##*/}" "$(size "$f")" "$(size "$f.gz")" "$(size "$f.br")"
    done | sort -k2,2nr >"$out/assets.txt"
    awk '
        function kb(b) { return b == "" ? "-" : sprintf("%.1f", b / 1000) }
        function row(name, a, b, c) { printf "  %-56s %9s %9s %9s\n", name, kb(a), kb(b), kb(c) }
        # split___org_frame_view_10463757213563300298.<hash>.wasm: without the long number.
        function short(name) { sub(/_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]+\./, ".", name); return name }
        {
            raw += $2; gz += $3; br += $4; n++
            if ($3 == "") nogz++
            if ($4 == "") nobr++
            # gatehouse.<hash>.{wasm,js,css}: what every page loads.
            if ($1 ~ /^gatehouse\.[^.]+\.(wasm|js|css)$/) { mraw += $2; mgz += $3; mbr += $4; m++ }
            if ($1 ~ /^chunk_[0-9]+\./ && ++c > 5) { craw += $2; cgz += $3; cbr += $4 } else row(short($1), $2, $3, $4)
        }
        END {
            if (c > 5) row("chunk_*.wasm: the other " c - 5 " shared chunks", craw, cgz, cbr)
            row("total (" n " files)", raw, gz, br)
            row("  gatehouse.<hash>.{wasm,js,css} (" m " files, every page)", mraw, mgz, mbr)
            row("  split views, shared chunks, __wasm_split.js (" n - m " files)", raw - mraw, gz - mgz, br - mbr)
            if (nogz || nobr) printf "  (missing variants: %d without .gz, %d without .br)\n", nogz, nobr
        }' "$out/assets.txt"
}

command -v node >/dev/null || die "node not found: install Node.js 20 first"
# Chromium and end2end/'s Playwright (only what is missing; never a downloaded browser).
scripts/setup.sh --browser
if [[ ${BENCH_WEB_SKIP_BUILD:-0} == 1 ]]; then
    log "BENCH_WEB_SKIP_BUILD=1: using the release build in target/ as it is"
else
    scripts/build.sh --release
fi
[[ -x target/release/gatehouse ]] || die "no target/release/gatehouse: run scripts/build.sh --release"
[[ -f target/release/hash.txt ]] ||
    die "no target/release/hash.txt: target/site is not a release build (scripts/build.sh --release)"
# The server names the files after target/release/hash.txt ("js: <hash>" lines): they must be there.
while read -r kind hash; do
    kind=${kind%:}
    case $kind in js | wasm | css) ;; *) continue ;; esac
    [[ -f $PKG/gatehouse.$hash.$kind ]] ||
        die "$PKG/gatehouse.$hash.$kind (named in target/release/hash.txt) is missing: is a build running?"
done <target/release/hash.txt

mkdir -p "$out"
rm -f "$out/results.json" "$out/report.txt"
if http_ok "$BASE/readyz"; then die "something already answers on $BASE: stop it first"; fi
db_url=$(scripts/db.sh --create "$db" | tail -n1)
db_created=1

log "starting the release server on $BASE (log: $server_log)"
env -u REDIS_URL DATABASE_URL="$db_url" GATEHOUSE_ADDR="127.0.0.1:$PORT" \
    GATEHOUSE_GATEWAY_ADDR=127.0.0.1:$((PORT + 1)) GATEHOUSE_METRICS_ADDR=127.0.0.1:$((PORT + 2)) \
    GATEHOUSE_DEMO=1 GATEHOUSE_ADMIN_PASSWORD=$ADMIN_PASSWORD GATEHOUSE_DEMO_PASSWORD=$DEMO_PASSWORD \
    RUST_LOG="${RUST_LOG:-warn}" target/release/gatehouse serve >"$server_log" 2>&1 &
server_pid=$!
ready=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)) && kill -0 "$server_pid" 2>/dev/null; do
    if http_ok "$BASE/readyz"; then ready=1 && break; fi
    sleep 0.5
done
if ((!ready)); then
    tail -n 40 "$server_log" >&2
    kill -0 "$server_pid" 2>/dev/null || die "the server exited before $BASE/readyz answered"
    die "the server did not answer 200 on $BASE/readyz within 60 s"
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
command_line="$0${*:+ $*}"
for var in BENCH_WEB_PAGES BENCH_WEB_RUNS BENCH_WEB_PORT BENCH_WEB_SKIP_BUILD; do
    if [[ -n ${!var:-} ]]; then command_line="$var=${!var} $command_line"; fi
done
echo
echo "command: $command_line"
echo "machine: $(nproc) cores, load average at the start: $load"
echo
echo "Assets in $PKG (KB = 1000 bytes; largest first; every file: $out/assets.txt)"
printf '  %-56s %9s %9s %9s\n' file 'raw KB' '.gz KB' '.br KB'
asset_sizes

log "measuring with Chromium: a warm-up round, then $RUNS runs of each page, first and repeat visit"
rc=0
(cd end2end && BASE_URL=$BASE DEMO_PASSWORD=$DEMO_PASSWORD BENCH_WEB_RUNS=$RUNS \
    BENCH_WEB_OUT="$ROOT/$out" node bench/web.mjs) | tee "$out/report.txt" || rc=$?
if ((rc)); then
    log "the browser run failed (above); last lines of $server_log:"
    tail -n 20 "$server_log" >&2
    exit "$rc"
fi
