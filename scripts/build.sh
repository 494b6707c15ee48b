#!/usr/bin/env bash
# The build paths, each writing the site into target/site (whichever ran last):
#   scripts/build.sh --release     what `make run` and the end-to-end tests use:
#       site    pkg/gatehouse.<hash>.{js,wasm,css}, each with .br and .gz variants, and a copy
#               of public/
#       server  target/release/gatehouse (profile release: optimised, quick to rebuild), and
#               target/release/hash.txt, which names the site's files
#   scripts/build.sh --production  the same site; server target/production/gatehouse (profile
#       production: fat LTO, what `make bench` measures): the one to deploy
#   scripts/build.sh --dev         the quick inner loop (`make dev`): unhashed, uncompressed
#       dev site; server target/debug/gatehouse
# The front end and the server build side by side: the wasm's link-time optimisation runs on one
# core while the server compiles on the other. Every path then copies the chart library (Chart.js,
# from npm, see package.json) into the site as vendor/chart.umd.js: pages with charts load it on
# demand (app/src/ui/components/chart.rs); it is never committed.
# Run it through make, or directly: lib.sh loads the same LEPTOS_* settings either way.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# site: the release front end into target/site (and target/release/hash.txt).
site() {
    env "${RELEASE_ENV[@]}" cargo leptos build --release --precompress --split --frontend-only
}

# both NAME CMD...: the release site and, at the same time, CMD; fails if either does.
both() {
    local name=$1 site_pid rc=0
    shift
    log "cargo leptos build --release --precompress --split --frontend-only, and $name"
    site &
    site_pid=$!
    "$@" || rc=$?
    wait "$site_pid" || rc=$?
    return "$rc"
}

# vendor [--compress]: Chart.js into target/site/vendor/, with .br and .gz beside it for the
# release site (the server sends those to browsers that accept them, like the site's own files).
vendor() {
    local from=node_modules/chart.js/dist/chart.umd.js to=${LEPTOS_SITE_ROOT:-target/site}/vendor
    [[ -f $from ]] || die "$from is missing: run npm ci (scripts/setup.sh does)"
    log "copying $from into $to/"
    mkdir -p "$to"
    # Without its source map comment: the map is not shipped.
    sed '/^\/\/# sourceMappingURL=/d' "$from" >"$to/chart.umd.js"
    rm -f "$to/chart.umd.js.br" "$to/chart.umd.js.gz"
    if [[ ${1:-} == --compress ]]; then
        node -e '
            const fs = require("fs"), zlib = require("zlib"), file = process.argv[1], data = fs.readFileSync(file);
            fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
            fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, {
                params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
            }));' "$to/chart.umd.js"
    fi
}

case ${1:-} in
--release)
    both "the server (profile release)" \
        env "${RELEASE_ENV[@]}" cargo leptos build --release --server-only
    vendor --compress
    ;;
--production)
    both "the server (profile production)" \
        env "${RELEASE_ENV[@]}" cargo build --profile production -p server --bin gatehouse
    # The server reads the site's file names from hash.txt beside its executable.
    cp target/release/hash.txt target/production/hash.txt
    vendor --compress
    ;;
--dev)
    log "cargo leptos build --split --frontend-only"
    cargo leptos build --split --frontend-only
    log "cargo build -p server"
    cargo build -p server
    vendor
    ;;
*) die "usage: scripts/build.sh --release|--production|--dev" ;;
esac
