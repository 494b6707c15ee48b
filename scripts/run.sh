#!/usr/bin/env bash
# `make run`: install what is missing, make sure Postgres is there, build the release site and
# server, and serve. `make dev` (scripts/run.sh --dev) does the same with the quick dev build.
# The server takes GATEHOUSE_ADDR (default 127.0.0.1:3000), GATEHOUSE_GATEWAY_ADDR (127.0.0.1:8080),
# GATEHOUSE_ADMIN_PASSWORD, GATEHOUSE_DEMO, RUST_LOG… from the environment as they are.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

case ${1:---release} in
--release) profile=release ;;
--dev) profile=debug ;;
*) die "usage: scripts/run.sh [--release|--dev]" ;;
esac

scripts/setup.sh
db_env=$(scripts/db.sh --export) # a failure stops here; inside eval "$(…)" it would not
eval "$db_env"
scripts/build.sh "${1:---release}"
log "target/$profile/gatehouse serve ($profile build)"
exec "target/$profile/gatehouse" serve
