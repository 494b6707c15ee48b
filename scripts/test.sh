#!/usr/bin/env bash
# `make test`: everything CI checks, in order, stopping at the first failure.
#   scripts/test.sh [all]  setup → Postgres → fmt → clippy → cargo tests → build → end-to-end
#   scripts/test.sh lint   setup → Postgres → fmt → clippy
#   scripts/test.sh unit   setup → Postgres → Redis → cargo tests
#   scripts/test.sh e2e    setup → Postgres → release build → end-to-end
# The end-to-end tests run against the release build, the one `make run` serves and people deploy.
# DATABASE_URL (from scripts/db.sh) points at a server where the tests may create databases
# (#[sqlx::test] makes one per test). The end-to-end run gets its own fresh database.
# REDIS_URL (from scripts/redis.sh) is set for the cargo tests only: a server test shares rate
# limit counters between two gateways through it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

stage=${1:-all}
case $stage in
all | lint | unit | e2e) ;;
*) die "usage: scripts/test.sh [all|lint|unit|e2e]" ;;
esac
want() { [[ $stage == all || $stage == "$1" ]]; }

E2E_PORT=${E2E_PORT:-3100} # another port lets two checkouts run end-to-end at once
E2E_GATEWAY_PORT=$((E2E_PORT + 1)) E2E_METRICS_PORT=$((E2E_PORT + 2))
# Only the e2e server and Playwright get these; the cargo tests see the caller's environment.
E2E_ENV=(GATEHOUSE_ADMIN_PASSWORD=admin-e2e-password GATEHOUSE_DEMO_PASSWORD=david-e2e-password)

run() {
    log "$*"
    "$@"
}

# What cleanup() undoes (script-level: the EXIT trap runs after e2e() has returned).
e2e_db=gatehouse_e2e_$$
e2e_pid=""
cleanup() {
    stop_pid "$e2e_pid"
    scripts/db.sh --drop "$e2e_db" || true
}

# GET URL → exit 0 on HTTP 200 (node is always here; curl may not be).
http_ok() { node -e 'fetch(process.argv[1]).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"; }

# Fresh database, server on $E2E_PORT, Playwright; the server and the database go away however
# this ends.
e2e() {
    local base=http://127.0.0.1:$E2E_PORT server_log=target/e2e-server.log db_url ready=0 rc=0
    if http_ok "$base/readyz"; then die "something already answers on $base: stop it first"; fi

    trap cleanup EXIT
    trap 'exit 130' INT TERM # so that the EXIT trap runs on Ctrl-C too
    db_url=$(scripts/db.sh --create "$e2e_db" | tail -n1)
    log "starting the server on $base (log: $server_log)"
    # Without REDIS_URL: rate-limit counters live in the server, fresh for each run (a shared Redis
    # would carry the last run's counts into the analytics test's quota).
    env -u REDIS_URL "${E2E_ENV[@]}" DATABASE_URL="$db_url" GATEHOUSE_ADDR=127.0.0.1:$E2E_PORT GATEHOUSE_DEMO=1 \
        GATEHOUSE_GATEWAY_ADDR=127.0.0.1:$E2E_GATEWAY_PORT GATEHOUSE_METRICS_ADDR=127.0.0.1:$E2E_METRICS_PORT \
        RUST_LOG="${RUST_LOG:-info}" target/release/gatehouse serve >"$server_log" 2>&1 &
    e2e_pid=$!
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)) && kill -0 "$e2e_pid" 2>/dev/null; do
        if http_ok "$base/readyz"; then ready=1 && break; fi
        sleep 0.5
    done
    if ((!ready)); then
        cat "$server_log" >&2
        kill -0 "$e2e_pid" 2>/dev/null || die "the server exited before $base/readyz answered"
        die "the server did not answer 200 on $base/readyz within 60 s"
    fi

    log "npx playwright test (end2end/)"
    (cd end2end && env "${E2E_ENV[@]}" BASE_URL="$base" GATEWAY_URL="http://127.0.0.1:$E2E_GATEWAY_PORT" npx playwright test ${E2E_ARGS:-}) || rc=$?
    if ((rc)); then
        log "end-to-end tests failed; last lines of $server_log:"
        tail -n 40 "$server_log" >&2
        log "traces and screenshots: end2end/test-results/"
        exit "$rc"
    fi
}

if [[ $stage == all || $stage == e2e ]]; then scripts/setup.sh --browser; else scripts/setup.sh; fi
db_env=$(scripts/db.sh --export) # a failure stops here; inside eval "$(…)" it would not
eval "$db_env"

if want lint; then
    run cargo fmt --all -- --check
    run cargo clippy -p app --features ssr --all-targets -- -D warnings
    run cargo clippy -p server --all-targets -- -D warnings
fi
if want unit; then
    redis_url=$(scripts/redis.sh | tail -n1) # not exported: the e2e server runs without Redis
    # server/tests/registry_restart.rs restarts a Postgres cluster of its own: initdb and pg_ctl.
    if [[ -z $(find /usr/lib/postgresql -maxdepth 3 -name initdb 2>/dev/null) ]] && ! command -v initdb >/dev/null; then
        apt_install postgresql # only for initdb/pg_ctl; its packaged service is not used
    fi
    run env REDIS_URL="$redis_url" cargo test -p app --features ssr
    run env REDIS_URL="$redis_url" cargo test -p server
fi
if want e2e; then
    # E2E_SKIP_BUILD=1: test the release build already in target/ (after a build.sh --release);
    # E2E_ARGS: more arguments for `playwright test` (a file, --grep …), unquoted.
    if [[ ${E2E_SKIP_BUILD:-} != 1 ]]; then scripts/build.sh --release; fi
    e2e
fi
log "all checks passed ($stage)"
