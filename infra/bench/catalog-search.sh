#!/usr/bin/env bash
# Benchmark: the public catalog search at scale. Loads PRODUCTS published products of
# VENDORS vendors (defaults 100000 and 2000) into a table provisioned from
# infra/template.yaml on a fresh moto, then runs SEARCHES product-name searches,
# vendor-name searches and filtered listings with the code behind GET /catalog/products,
# and prints p50/p99 latency, DynamoDB requests and items read per search.
# moto runs with infra/local/moto_scale.py (always loaded): without it moto
# sorts the whole table on every query, which measures moto, not the design.
# Loading 100 000 products (about 0.9 million items) into moto takes roughly 10 minutes.
# Usage: infra/bench/catalog-search.sh [PRODUCTS] [VENDORS] [SEARCHES]
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.loket"; mkdir -p "$STATE_DIR"
# shellcheck source=../local/lib.sh
. "$REPO_ROOT/infra/local/lib.sh"
PRODUCTS=${1:-100000}
VENDORS=${2:-2000}
SEARCHES=${3:-200}
cd "$REPO_ROOT"
"$REPO_ROOT/infra/local/setup.sh"
# The emulator patch must not change what a query answers.
.venv/bin/python infra/local/check_moto_patches.py
# The dev profile (shared with the tests): the time is in the emulator, not in Rust.
cargo build --quiet -p loket-bench --bin catalog-search
trap 'kill $MOTO_PIDS 2>/dev/null || true' EXIT INT TERM
PORT=$(free_port)
start_moto "$PORT"
target/debug/catalog-search --endpoint "http://127.0.0.1:$PORT" \
    --products "$PRODUCTS" --vendors "$VENDORS" --searches "$SEARCHES"
