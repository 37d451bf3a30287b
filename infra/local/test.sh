#!/usr/bin/env bash
# Sets up this machine and runs every check and test: template lint (cfn-lint), state
# machine validation (statelint), formatting, clippy, unit tests, and the end-to-end
# tests through the HTTP API against a fresh local stack (own moto, own table names).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.loket"; mkdir -p "$STATE_DIR"
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"
cd "$REPO_ROOT"
started=$(date +%s)

ensure_rust_components
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
"$SCRIPT_DIR/setup.sh"

log "cfn-lint infra/template.yaml"
.venv/bin/cfn-lint infra/template.yaml
shopt -s nullglob
asl=(statemachines/*.asl.json)
log "statelint: ${#asl[@]} state machine definition(s)"
for f in "${asl[@]}"; do .venv/bin/statelint "$f"; done

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
log "building tests and the local runner"
cargo nextest run --workspace --no-run --cargo-quiet
cargo build --quiet -p loket-local --bin loket-local

LOCAL_PID=""
cleanup() { kill $LOCAL_PID $MOTO_PIDS 2>/dev/null || true; }
trap cleanup EXIT INT TERM
MOTO_PORT=$(free_port)
start_moto "$MOTO_PORT"
MAIL_PORT=$(free_port)
start_moto "$MAIL_PORT"
# S3 on its own emulator: the 50 MB upload test must not hold up everything else.
S3_PORT=$(free_port)
start_moto "$S3_PORT"
API_PORT=$(free_port)
PREFIX="test-$(date +%s)-$$"
# Test-only tuning, documented in README: fast throttling delays. Lifetimes (codes,
# PINs, cooldowns) are the production ones: tests move the clock (--test-clock).
LOKET_LOGIN_DELAY_BASE_MS=400 \
    target/debug/loket-local --port "$API_PORT" --moto "http://127.0.0.1:$MOTO_PORT" \
    --mail-moto "http://127.0.0.1:$MAIL_PORT" --s3-moto "http://127.0.0.1:$S3_PORT" --prefix "$PREFIX" --trust-forwarded-for --test-clock \
    >"$STATE_DIR/local-test.log" 2>&1 &
LOCAL_PID=$!
# A second deployment on the same emulators, configured for the JATHIL MART onboarding
# chain (the chain is deployment configuration), with its own tables and machines.
JATHIL_PORT=$(free_port)
# Its human tasks time out after 25 s (production: 30 days) so re-issuing is testable.
LOKET_ONBOARDING_CHAIN=jathil LOKET_TASK_TIMEOUT_SECONDS=25 LOKET_LOGIN_DELAY_BASE_MS=400 \
    target/debug/loket-local --port "$JATHIL_PORT" --moto "http://127.0.0.1:$MOTO_PORT" \
    --mail-moto "http://127.0.0.1:$MAIL_PORT" --s3-moto "http://127.0.0.1:$S3_PORT" --prefix "$PREFIX-jathil" --trust-forwarded-for --test-clock \
    >"$STATE_DIR/local-test-jathil.log" 2>&1 &
JATHIL_PID=$!
if ! wait_http "http://127.0.0.1:$API_PORT/__local/health" "$LOCAL_PID" ||
   ! wait_http "http://127.0.0.1:$JATHIL_PORT/__local/health" "$JATHIL_PID"; then
    cat "$STATE_DIR"/local-test*.log >&2; log "the local stack did not start"; exit 1
fi
LOCAL_PID="$LOCAL_PID $JATHIL_PID"
log "local stacks ready on ports $API_PORT (e-Order) and $JATHIL_PORT (JATHIL) (table prefix $PREFIX)"

log "setup and build took $(( $(date +%s) - started )) s; running the tests"
set +e
LOKET_API_URL="http://127.0.0.1:$API_PORT" LOKET_JATHIL_API_URL="http://127.0.0.1:$JATHIL_PORT" LOKET_MAIL_URL="http://127.0.0.1:$MAIL_PORT" \
    cargo nextest run --workspace --no-fail-fast --cargo-quiet
status=$?
set -e
if [ $status -ne 0 ]; then tail -40 "$STATE_DIR/local-test.log" >&2; fi
exit $status
