# shellcheck shell=bash
# Sourced by the other scripts: repo root, PATH, the LEPTOS_* build settings, logging, apt-get.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" # where `cargo install` puts its binaries

# The LEPTOS_* compile-time settings are written once, in the Makefile; load them here too so a
# script run directly compiles exactly like one run by make (otherwise leptos rebuilds).
while IFS= read -r line; do
    if [[ $line =~ ^export\ (LEPTOS_[A-Z_]+)\ :=\ (.*)$ ]]; then
        export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
    fi
done <"$ROOT/Makefile"

# What release builds add (scripts/build.sh --release, the benchmarks): hashed file names and
# minified JavaScript. cargo-leptos passes these to the compiler too and the server reads the first
# at compile time (server/src/lib.rs), so every release build must use the same values or each
# rebuilds the other's.
# shellcheck disable=SC2034 # used by the scripts that source this file
RELEASE_ENV=(LEPTOS_HASH_FILES=true LEPTOS_JS_MINIFY=true)

# stop_pid PID: stop a process we started (nothing when PID is empty or gone): TERM, up to 10 s
# to finish, then KILL.
stop_pid() {
    [[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 0
    kill "$1" 2>/dev/null || true
    for _ in {1..50}; do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$1" 2>/dev/null || true
}

# Messages go to stderr: db.sh's stdout is meant to be captured.
log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# apt_install PKG...: install Debian packages. `apt-get update` runs first unless this did it
# less than an hour ago (a stamp file: setup.sh and db.sh in one `make` update only once).
apt_install() {
    local sudo=() stamp=${TMPDIR:-/tmp}/gatehouse-apt-update.stamp
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: $*"
        sudo=(sudo)
    fi
    if [[ -z $(find "$stamp" -mmin -60 2>/dev/null) ]]; then
        log "apt-get update"
        "${sudo[@]}" apt-get update -qq >&2
        touch "$stamp"
    fi
    log "apt-get install $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}
