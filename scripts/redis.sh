#!/usr/bin/env bash
# Makes sure a Redis server is reachable and prints a REDIS_URL for it (for the cargo tests that
# share rate limit counters through Redis).
#   scripts/redis.sh                      print the URL (last line of stdout; messages go to stderr)
#   eval "$(scripts/redis.sh --export)"   set and export REDIS_URL in the calling shell (in a
#                                         script, assign first: set -e does not see a failure in eval)
#   scripts/redis.sh --stop               stop the private server (if this script started one)
# The server: $REDIS_URL when set; else 127.0.0.1:6379 if it answers PING; else a private
# redis-server (Debian's package, installed if missing) on 127.0.0.1:6380 with its pid file and
# log in target/redis, keeping nothing on disk.
# For testing: GATEHOUSE_REDIS_PROBE_PORT (6379), GATEHOUSE_REDIS_PORT (6380),
# GATEHOUSE_REDIS_DIR (target/redis).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

probe_port=${GATEHOUSE_REDIS_PROBE_PORT:-6379}
port=${GATEHOUSE_REDIS_PORT:-6380}
dir=$(realpath -m "${GATEHOUSE_REDIS_DIR:-$ROOT/target/redis}")
pidfile=$dir/redis.pid
logfile=$dir/redis.log

# answers PORT: whether a Redis on 127.0.0.1:PORT replies PONG to PING (within 3 s).
answers() {
    if command -v redis-cli >/dev/null; then
        [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
    else
        tcp_ping "$1"
    fi
}

# tcp_ping PORT: the same without redis-cli (not installed yet), in Redis' inline protocol over
# bash's /dev/tcp. A subshell, so fd 3 closes with it. On loopback a closed port refuses at once;
# only the reply needs a timeout. The reply line ends in \r\n, and `read` keeps the \r.
tcp_ping() (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 3 reply <&3 || exit 1
    [[ $reply == $'+PONG\r' ]]
) 2>/dev/null

# The pid of the private server when it runs (pid file present and that process a redis-server).
private_pid() {
    local pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]] || return 1
    printf '%s' "$pid"
}

start_private() {
    command -v redis-server >/dev/null || apt_install redis-server
    if private_pid >/dev/null; then
        answers "$port" && return
        # Another port (GATEHOUSE_REDIS_PORT changed): a second server would take over the pid file.
        die "the private Redis in $dir runs, but not on port $port (scripts/redis.sh --stop, then retry)"
    fi
    if answers "$port"; then
        die "a Redis that this script did not start answers on 127.0.0.1:$port: stop it, or set REDIS_URL"
    fi
    mkdir -p "$dir"
    log "starting private Redis on 127.0.0.1:$port (log in $logfile)"
    # --save '' and --appendonly no: throwaway counters, nothing is written to $dir but the log.
    redis-server --daemonize yes --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$dir" --pidfile "$pidfile" --logfile "$logfile" >&2 ||
        die "redis-server would not start (see $logfile)"
    for _ in {1..50}; do
        answers "$port" && return
        sleep 0.2
    done
    tail -n 20 "$logfile" >&2 || true
    die "the private Redis did not answer PING on 127.0.0.1:$port within 10 s"
}

stop_private() {
    local pid
    pid=$(private_pid) || return 0
    log "stopping private Redis (pid $pid)"
    kill "$pid"
    for _ in {1..50}; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$pidfile"
}

resolve_url() {
    if [[ -n ${REDIS_URL:-} ]]; then
        url=$REDIS_URL
    elif answers "$probe_port"; then
        url=redis://127.0.0.1:$probe_port
    else
        start_private
        url=redis://127.0.0.1:$port
    fi
}

case ${1:-} in
"")
    resolve_url
    printf '%s\n' "$url"
    ;;
--export)
    resolve_url
    printf 'export REDIS_URL=%q\n' "$url"
    ;;
--stop) stop_private ;;
*) die "usage: scripts/redis.sh [--export | --stop]" ;;
esac
