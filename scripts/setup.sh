#!/usr/bin/env bash
# Installs what the build and the tests need, and only what is missing (safe to rerun).
#   scripts/setup.sh            Rust wasm target, cargo-leptos, wasm-bindgen CLI, psql, the root
#                               npm packages (Tailwind CLI, binaryen's wasm-opt)
#   scripts/setup.sh --browser  also Debian's Chromium and end2end/'s npm packages (Playwright)
# Nothing is downloaded from outside the package registries (crates.io, npm, Debian).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer rustc than 1.95
WASM_BINDGEN_VERSION=0.2.130  # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml

browser=0
for arg in "$@"; do
    case $arg in
    --browser) browser=1 ;;
    *) die "usage: scripts/setup.sh [--browser]" ;;
    esac
done

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
command -v npm >/dev/null || die "npm not found: install Node.js 20 and npm first"

need_leptos=0
cargo leptos --version >/dev/null 2>&1 || need_leptos=1
need_bindgen=0
[[ $(wasm-bindgen --version 2>/dev/null | awk '{print $2}') == "$WASM_BINDGEN_VERSION" ]] || need_bindgen=1

# Debian packages: what `cargo install` compiles with must be there before it starts; the rest
# (psql, Chromium) downloads while cargo compiles, which saves minutes on a fresh machine.
build_pkgs=() other_pkgs=()
{ command -v psql && command -v pg_isready; } >/dev/null || other_pkgs+=(postgresql-client)
if ((browser)) && [[ ! -x /usr/bin/chromium ]]; then other_pkgs+=(chromium); fi
if ((need_leptos || need_bindgen)); then
    # What `cargo install` of these crates compiles with (C compiler, make, perl for vendored
    # OpenSSL, pkg-config and the OpenSSL headers for openssl-sys).
    for tool in cc make perl pkg-config; do
        command -v "$tool" >/dev/null || { build_pkgs+=(build-essential pkg-config); break; }
    done
    pkg-config --exists openssl 2>/dev/null || build_pkgs+=(libssl-dev)
fi
if ((${#build_pkgs[@]})); then
    apt_install "${build_pkgs[@]}" "${other_pkgs[@]}" # one apt-get run
    other_pkgs=()
fi

# npm_ci DIR: `npm ci` when DIR/node_modules is missing or older than DIR/package-lock.json
# (npm ci writes node_modules/.package-lock.json, whose age tells when it last ran).
npm_ci() {
    local stamp="$1/node_modules/.package-lock.json"
    if [[ ! -e $stamp || $1/package-lock.json -nt $stamp ]]; then
        log "npm ci in $1"
        (cd "$1" && npm ci --no-audit --no-fund)
    fi
}
# downloads: the remaining Debian packages and the npm packages (network-bound, beside cargo).
downloads() {
    if ((${#other_pkgs[@]})); then apt_install "${other_pkgs[@]}"; fi
    npm_ci "$ROOT"
    # Playwright must not fetch its own browser (it cannot here); the tests use /usr/bin/chromium.
    if ((browser)); then
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_ci "$ROOT/end2end"
    fi
}
downloads &
downloads_pid=$!

if command -v rustup >/dev/null; then
    rustup target list --installed | grep -qx wasm32-unknown-unknown ||
        rustup target add wasm32-unknown-unknown
else
    log "rustup not found: assuming the wasm32-unknown-unknown target is installed"
fi

if ((need_leptos)); then
    # Its manifest asks for fat LTO and one codegen unit: most of its cold install on 2 cores is
    # that one-threaded link-time optimisation of a 48 MB program that runs for seconds per build.
    # Ordinary release settings (config overrides the manifest) compile it in far less time.
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (slow: ~15 min on 2 cores)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION"
fi
if ((need_bindgen)); then
    # Without --locked, as verified in DESIGN.md §6.
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (~5 min)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

wait "$downloads_pid" || die "installing the Debian or npm packages failed (see above)"
