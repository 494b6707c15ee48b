#!/usr/bin/env bash
# Makes sure a Postgres server is reachable and prints a DATABASE_URL for it (DESIGN.md §5).
#   scripts/db.sh                      print the URL (last line of stdout; messages go to stderr)
#   eval "$(scripts/db.sh --export)"   set and export DATABASE_URL in the calling shell (in a
#                                      script, assign first: set -e does not see a failure in eval)
#   scripts/db.sh --create NAME        create a fresh database NAME on that server, print its URL
#   scripts/db.sh --drop NAME          drop database NAME on that server (if it exists)
#   scripts/db.sh --stop               stop the private cluster (if this script started one)
# The server: $DATABASE_URL when set; else 127.0.0.1:5432 if user postgres gets in there without a
# password; else a private cluster in target/pg on 127.0.0.1:5433 (the system's initdb/pg_ctl,
# run as user postgres when we are root). The database named in the URL is created if missing.
# For testing: GATEHOUSE_PG_PROBE_PORT (5432), GATEHOUSE_PG_PORT (5433), GATEHOUSE_PG_DIR (target/pg).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

probe_port=${GATEHOUSE_PG_PROBE_PORT:-5432}
port=${GATEHOUSE_PG_PORT:-5433}
dir=$(realpath -m "${GATEHOUSE_PG_DIR:-$ROOT/target/pg}")
export PGCONNECT_TIMEOUT=5

# psql, never prompting for a password.
sql() { psql -w -v ON_ERROR_STOP=1 -qtA "$@"; }

valid_name() { [[ $1 =~ ^[A-Za-z0-9_]+$ ]] || die "bad database name: '$1'"; }

# Runs a PostgreSQL server program as the owner of the cluster: pg_ctl refuses to run as root.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Where the cluster goes when user postgres cannot reach $dir (e.g. a checkout under /root).
fallback_dir() { printf '/tmp/gatehouse-pg-%s' "$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"; }

pg_bindir() {
    local d
    d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)
    if [[ -z $d ]] && command -v initdb >/dev/null; then d=$(dirname "$(command -v initdb)"); fi
    printf '%s' "$d"
}

# Starts (creating it first if needed) the private cluster; prints nothing.
start_private() {
    local bin data
    bin=$(pg_bindir)
    if [[ -z $bin ]]; then
        apt_install postgresql # only for initdb/pg_ctl; its packaged service is not used
        bin=$(pg_bindir)
        [[ -n $bin ]] || die "no initdb found after installing postgresql"
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        chown postgres: "$dir"
        if ! as_pg test -w "$dir"; then
            log "user postgres cannot write in $dir; using $(fallback_dir) instead"
            dir=$(fallback_dir)
            mkdir -p "$dir" && chown postgres: "$dir"
        fi
    fi
    data=$dir/data
    if [[ ! -s $data/PG_VERSION ]]; then
        log "initdb $data"
        as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        as_pg mkdir -p "$dir/sock"
        # Throwaway development data: durability is not worth the time it costs the tests.
        cat >>"$data/postgresql.conf" <<CONF

# added by scripts/db.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        log "starting private Postgres on 127.0.0.1:$port ($data, log in $dir/log)"
        as_pg "$bin/pg_ctl" -D "$data" -l "$dir/log" -o "-p $port" -w -t 60 start >&2 ||
            { tail -n 20 "$dir/log" >&2; die "could not start the private Postgres cluster"; }
    fi
    pg_isready -q -h 127.0.0.1 -p "$port" ||
        die "the private cluster in $data runs, but not on port $port (scripts/db.sh --stop, then retry)"
}

stop_private() {
    local bin
    bin=$(pg_bindir)
    for d in "$dir" "$(fallback_dir)"; do
        if [[ -n $bin && -s $d/data/PG_VERSION ]] && as_pg "$bin/pg_ctl" -D "$d/data" status >/dev/null 2>&1; then
            log "stopping private Postgres in $d/data"
            as_pg "$bin/pg_ctl" -D "$d/data" -m fast -w stop >&2
        fi
    done
}

# Sets `url` to the base URL, starting a server if needed.
resolve_url() {
    { command -v psql && command -v pg_isready; } >/dev/null || apt_install postgresql-client
    if [[ -n ${DATABASE_URL:-} ]]; then
        url=$DATABASE_URL
    elif pg_isready -q -h 127.0.0.1 -p "$probe_port" &&
        sql "postgres://postgres@127.0.0.1:$probe_port/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
        url=postgres://postgres@127.0.0.1:$probe_port/gatehouse
    else
        start_private
        url=postgres://postgres@127.0.0.1:$port/gatehouse
    fi
    # Split into scheme://authority, database name and ?query, to swap the database name.
    local re='^(postgres(ql)?://[^/?]*)(/([^?]*))?(\?.*)?$'
    [[ $url =~ $re ]] || die "cannot parse DATABASE_URL: $url"
    url_prefix=${BASH_REMATCH[1]} url_db=${BASH_REMATCH[4]} url_query=${BASH_REMATCH[5]}
}

url_for() { printf '%s/%s%s' "$url_prefix" "$1" "$url_query"; }

create_db() {
    local exists
    valid_name "$1"
    exists=$(sql "$(url_for postgres)" -c "SELECT 1 FROM pg_database WHERE datname = '$1'")
    if [[ $exists != 1 ]]; then
        log "creating database $1"
        sql "$(url_for postgres)" -c "CREATE DATABASE \"$1\"" >&2
    fi
}

case ${1:-} in
"")
    resolve_url
    if [[ -n $url_db ]]; then create_db "$url_db"; fi
    printf '%s\n' "$url"
    ;;
--export)
    resolve_url
    if [[ -n $url_db ]]; then create_db "$url_db"; fi
    printf 'export DATABASE_URL=%q\n' "$url"
    ;;
--create)
    [[ $# -eq 2 ]] || die "usage: scripts/db.sh --create NAME"
    resolve_url
    create_db "$2"
    url_for "$2"
    echo
    ;;
--drop)
    [[ $# -eq 2 ]] || die "usage: scripts/db.sh --drop NAME"
    valid_name "$2"
    resolve_url
    log "dropping database $2"
    sql "$(url_for postgres)" -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" >&2
    ;;
--stop) stop_private ;;
*) die "usage: scripts/db.sh [--export | --create NAME | --drop NAME | --stop]" ;;
esac
