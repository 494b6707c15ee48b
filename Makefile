# Gatehouse. `make run` and `make test` are all a newcomer needs: both install what is missing
# (scripts/setup.sh) and find or start Postgres (scripts/db.sh). `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# leptos reads these at compile time. cargo-leptos sets the same values (from Cargo.toml) for its
# own cargo runs; exporting them for every plain cargo command too makes both compile leptos
# identically, so neither invalidates the other's build. scripts/lib.sh reads these lines as well.
export LEPTOS_OUTPUT_NAME := gatehouse
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg
export LEPTOS_SITE_ADDR := 127.0.0.1:3000
export LEPTOS_RELOAD_PORT := 3001
export LEPTOS_LIB_DIR := frontend
export LEPTOS_BIN_DIR := server
export LEPTOS_JS_MINIFY := false
export LEPTOS_HASH_FILES := false

.PHONY: help run dev test setup build build-dev build-production db db-stop redis redis-stop lint unit e2e fmt bench bench-registry bench-web bench-analytics

help:
	@echo 'make run      install what is missing, start/find Postgres, release build, serve on $$GATEHOUSE_ADDR (127.0.0.1:3000)'
	@echo 'make dev      the same with the quick dev build (33 MB unoptimised wasm, slow gateway): the inner loop'
	@echo 'make test     everything CI runs (.ci/run): fmt, clippy, cargo tests, build, Playwright end-to-end'
	@echo 'make lint     cargo fmt --check and clippy only'
	@echo 'make unit     cargo tests only (against Postgres and Redis)'
	@echo 'make e2e      release build, then the Playwright tests against a fresh database'
	@echo 'make build    release site into target/site (hashed, precompressed), server into target/release/gatehouse'
	@echo 'make build-dev  dev site into target/site, server into target/debug/gatehouse'
	@echo 'make build-production  release site, server with fat LTO into target/production/gatehouse (deploy this)'
	@echo 'make setup    install the toolchain pieces that are missing'
	@echo 'make db       print the DATABASE_URL that run/test use (starting Postgres if needed)'
	@echo 'make db-stop  stop the private Postgres cluster under target/pg, if one runs'
	@echo 'make redis    print the REDIS_URL that the cargo tests use (starting Redis if needed)'
	@echo 'make redis-stop  stop the private Redis under target/redis, if one runs'
	@echo 'make bench    production build, then wrk: gateway versus the bare upstream, nginx and bare hyper (~8 min)'
	@echo 'make bench-registry  release build, then 10k/100k/1M registered clients: load time, memory,'
	@echo '             register-to-200 on a second gateway, /healthz during registrations (~15 min)'
	@echo 'make bench-web  release build, then Chromium on a throttled link: bytes and time to interactive'
	@echo '             of the portal and console pages, first and repeat visit; asset sizes (~5 min)'
	@echo 'make bench-analytics  10M logged requests over 30 days, then the Metrics and Log Analyzer'
	@echo '             queries against their 300 ms target (~15 min)'
	@echo 'make fmt      cargo fmt --all'

run:
	scripts/run.sh --release

dev:
	scripts/run.sh --dev

test:
	scripts/test.sh all

lint:
	scripts/test.sh lint

unit:
	scripts/test.sh unit

e2e:
	scripts/test.sh e2e

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh --release

build-dev: setup
	scripts/build.sh --dev

build-production: setup
	scripts/build.sh --production

db:
	@scripts/db.sh

db-stop:
	scripts/db.sh --stop

redis:
	@scripts/redis.sh

redis-stop:
	scripts/redis.sh --stop

bench:
	scripts/bench-gateway.sh

bench-registry:
	scripts/bench-registry.sh

bench-web:
	scripts/bench-web.sh

bench-analytics:
	scripts/bench-analytics.sh

fmt:
	cargo fmt --all
