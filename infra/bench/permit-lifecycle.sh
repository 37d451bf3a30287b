#!/usr/bin/env bash
# Benchmark: N permit applications to a signed permit, each with one revision, on a
# fresh local stack (its own moto, its own deployment), printing per application the
# HTTP requests, Lambda invocations, Step Functions state transitions, DynamoDB
# requests / items / capacity units, emails, KMS requests, S3 objects written, the
# permit PDF's size and rendering time, and the cost per 1 000 applications from AWS's
# published prices (stated in the output). See infra/bench/src/permit_lifecycle.rs.
# Usage: infra/bench/permit-lifecycle.sh [APPLICATIONS]   (default 5)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.loket"; mkdir -p "$STATE_DIR"
# shellcheck source=../local/lib.sh
. "$REPO_ROOT/infra/local/lib.sh"
APPLICATIONS=${1:-5}
cd "$REPO_ROOT"
"$REPO_ROOT/infra/local/setup.sh"
# The dev profile (shared with the tests): the counts do not depend on the profile.
cargo build --quiet -p loket-local -p loket-bench --bin loket-local --bin permit-lifecycle
LOCAL_PID=""
trap 'kill $MOTO_PIDS $LOCAL_PID 2>/dev/null || true' EXIT INT TERM
MOTO=$(free_port)
start_moto "$MOTO"
PORT=$(free_port)
PREFIX="bench$$"
"${CARGO_TARGET_DIR:-target}/debug/loket-local" --port "$PORT" --moto "http://127.0.0.1:$MOTO" \
    --prefix "$PREFIX" --trust-forwarded-for --test-support >"$STATE_DIR/bench-permits.log" 2>&1 &
LOCAL_PID=$!
wait_http "http://127.0.0.1:$PORT/__local/health" "$LOCAL_PID" || { cat "$STATE_DIR/bench-permits.log" >&2; exit 1; }
LOKET_API_URL="http://127.0.0.1:$PORT" LOKET_MAIL_URL="http://127.0.0.1:$MOTO" \
    "${CARGO_TARGET_DIR:-target}/debug/permit-lifecycle" --applications "$APPLICATIONS" \
    --moto "http://127.0.0.1:$MOTO" --prefix "$PREFIX"
