#!/usr/bin/env bash
# The one build path (dev profile):
#   site   → target/site: pkg/gatehouse.{js,wasm,css} (wasm + Tailwind) and a copy of public/
#   server → target/debug/gatehouse
# Run it through make, or directly: lib.sh loads the same LEPTOS_* settings either way.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

log "cargo leptos build --frontend-only"
cargo leptos build --frontend-only
log "cargo build -p server"
cargo build -p server
