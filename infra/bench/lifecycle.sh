#!/usr/bin/env bash
# What the lifecycle benchmarks share: set up, build, start a fresh local stack (its
# own moto, its own deployment) and run one benchmark binary against it.
# Usage (from order-lifecycle.sh, permit-lifecycle.sh):
#   lifecycle.sh BINARY COUNT_FLAG COUNT
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.loket"; mkdir -p "$STATE_DIR"
# shellcheck source=../local/lib.sh
. "$REPO_ROOT/infra/local/lib.sh"
BINARY=$1 COUNT_FLAG=$2 COUNT=$3
cd "$REPO_ROOT"
"$REPO_ROOT/infra/local/setup.sh"
# The dev profile (shared with the tests): the counts do not depend on the profile.
cargo build --quiet -p loket-local -p loket-bench --bin loket-local --bin "$BINARY"
LOCAL_PID=""
trap 'kill $MOTO_PIDS $LOCAL_PID 2>/dev/null || true' EXIT INT TERM
MOTO=$(free_port)
start_moto "$MOTO"
PORT=$(free_port)
PREFIX="bench$$"
LOG="$STATE_DIR/bench-$BINARY.log"
"${CARGO_TARGET_DIR:-target}/debug/loket-local" --port "$PORT" --moto "http://127.0.0.1:$MOTO" \
    --prefix "$PREFIX" --trust-forwarded-for --test-support >"$LOG" 2>&1 &
LOCAL_PID=$!
wait_http "http://127.0.0.1:$PORT/__local/health" "$LOCAL_PID" || { cat "$LOG" >&2; exit 1; }
LOKET_API_URL="http://127.0.0.1:$PORT" LOKET_MAIL_URL="http://127.0.0.1:$MOTO" \
    "${CARGO_TARGET_DIR:-target}/debug/$BINARY" "$COUNT_FLAG" "$COUNT" \
    --moto "http://127.0.0.1:$MOTO" --prefix "$PREFIX"
