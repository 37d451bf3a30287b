#!/usr/bin/env bash
# Sets up this machine and runs every check and test: template lint (cfn-lint, root and
# nested stacks), resources per stack (check_template_size.py), state machine
# validation (statelint), formatting, clippy, unit tests, and the end-to-end
# tests through the HTTP API against a fresh local stack (own moto, own table names),
# generated requests over the API description (infra/local/fuzz.sh, schemathesis);
# some tests in headless Chromium through WebDriver (Debian's chromium and
# chromium-driver, installed here when missing; axe-core from infra/local/package.json).
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
# The browser tests' browser: Debian's packages, never a browser download.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    log "installing chromium and chromium-driver (apt-get) for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
"$SCRIPT_DIR/setup.sh"

stacks=(infra/template.yaml infra/stacks/*.yaml)
log "cfn-lint: ${stacks[*]}"
.venv/bin/cfn-lint "${stacks[@]}"
log "CloudFormation resources per stack (SAM transform, offline): at most 400 each"
.venv/bin/python infra/local/check_template_size.py --limit 400 infra/template.yaml
shopt -s nullglob
asl=(statemachines/*.asl.json)
log "statelint: ${#asl[@]} state machine definition(s)"
for f in "${asl[@]}"; do .venv/bin/statelint "$f"; done

log "moto patches answer as plain moto does"
.venv/bin/python infra/local/check_moto_patches.py

log "cargo fmt --check"
cargo fmt --all -- --check
# One compile serves clippy and the tests: clippy-driver is the compiler of the
# workspace's own crates (what `cargo clippy` does, through the same variables), so its
# lints run while every target is built for real; dependencies are compiled once, not a
# second time in check mode. Every later cargo command here sees the same variables and
# reuses this build.
log "cargo build of every target, with clippy -D warnings"
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo build --workspace --all-targets --quiet
cargo nextest run --workspace --no-run --cargo-quiet

LOCAL_PIDS=""; DRIVER_PID=""
cleanup() { kill $LOCAL_PIDS $MOTO_PIDS $DRIVER_PID 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# The stack in shards: moto serves one request at a time on one core, so the tests are
# spread over SHARDS deployments, each on emulators of its own (DynamoDB + Step
# Functions, and SES so that reading mail stays fast); a test always uses the shard its
# name hashes to (tests/src/lib.rs). S3 has one emulator of its own for all: the 50 MB
# upload test must not hold up anything else.
SHARDS=${LOKET_TEST_SHARDS:-2}
PREFIX="test-$(date +%s)-$$"
S3_PORT=$(free_port); launch_moto "$S3_PORT"
# The fault test stops and restarts an emulator (SIGSTOP, SIGCONT): its deployment has
# one of its own, for every service, so that nothing else waits on it.
FAULT_MOTO_PORT=$(free_port); launch_moto "$FAULT_MOTO_PORT"; FAULT_MOTO_PID=$!
MOTO_PORTS=(); MAIL_PORTS=(); API_PORTS=()
for ((i = 0; i < SHARDS; i++)); do
    MOTO_PORTS+=("$(free_port)"); launch_moto "${MOTO_PORTS[i]}"
    MAIL_PORTS+=("$(free_port)"); launch_moto "${MAIL_PORTS[i]}"
done
for port in "$S3_PORT" "$FAULT_MOTO_PORT" "${MOTO_PORTS[@]}" "${MAIL_PORTS[@]}"; do wait_moto "$port"; done

# deploy NAME PORT SHARD [VAR=VALUE…]: one deployment of the stack on that shard's
# emulators, with its own tables and state machines (table prefix PREFIX-NAME).
# Test-only tuning, documented in README: fast throttling delays; SDK timeouts of 20 s
# (the emulators serve one request at a time and queue under the suite's load). Lifetimes (codes,
# PINs, cooldowns) are the production ones: tests move the clock (--test-support).
deploy() {
    local name=$1 port=$2 shard=$3; shift 3
    deploy_on "$name" "$port" "${MOTO_PORTS[shard]}" "${MAIL_PORTS[shard]}" "$S3_PORT" "$@"
}
# deploy_on NAME PORT MOTO_PORT MAIL_PORT S3_PORT [VAR=VALUE…]: the same on given emulators.
deploy_on() {
    local name=$1 port=$2 moto=$3 mail=$4 s3=$5; shift 5
    env LOKET_LOGIN_DELAY_BASE_MS=400 LOKET_SDK_TIMEOUT_SECONDS=20 "$@" "${CARGO_TARGET_DIR:-target}/debug/loket-local" --port "$port" \
        --moto "http://127.0.0.1:$moto" --mail-moto "http://127.0.0.1:$mail" \
        --s3-moto "http://127.0.0.1:$s3" --prefix "$PREFIX-$name" --trust-forwarded-for --test-support \
        >"$STATE_DIR/local-test-$name.log" 2>&1 &
    LOCAL_PIDS="$LOCAL_PIDS $!"
}
API_URLS=(); MAIL_URLS=()
for ((i = 0; i < SHARDS; i++)); do
    API_PORTS+=("$(free_port)")
    deploy "$i" "${API_PORTS[i]}" "$i"
    API_URLS+=("http://127.0.0.1:${API_PORTS[i]}"); MAIL_URLS+=("http://127.0.0.1:${MAIL_PORTS[i]}")
done
# One more deployment on the first shard, configured for the JATHIL MART onboarding chain
# (the chain is deployment configuration). Its human tasks time out after 10 s
# (production: 30 days) so that re-issuing is testable.
JATHIL_PORT=$(free_port)
deploy jathil "$JATHIL_PORT" 0 LOKET_ONBOARDING_CHAIN=jathil LOKET_TASK_TIMEOUT_SECONDS=10
# One more for the generated requests (infra/local/fuzz.sh), so what they create never
# meets the tests' data.
FAULT_PORT=$(free_port)
deploy_on fault "$FAULT_PORT" "$FAULT_MOTO_PORT" "$FAULT_MOTO_PORT" "$FAULT_MOTO_PORT" \
    LOKET_SDK_TIMEOUT_SECONDS=8 # the production timeouts: the fault test waits them out
FUZZ_PORT=$(free_port)
deploy fuzz "$FUZZ_PORT" "$((SHARDS - 1))"
FUZZ_PID=$!
for port in "${API_PORTS[@]}" "$JATHIL_PORT" "$FAULT_PORT" "$FUZZ_PORT"; do
    if ! wait_http "http://127.0.0.1:$port/__local/health" ""; then
        cat "$STATE_DIR"/local-test-*.log >&2; log "the local stack did not start"; exit 1
    fi
done
log "local stack ready: $SHARDS shard(s) on ports ${API_PORTS[*]} (e-Order), JATHIL on $JATHIL_PORT (table prefix $PREFIX)"

# One chromedriver for the whole run; every browser test opens a session of its own
# (tests/src/browser.rs) and closes it, failed or not. A failed browser test saves a
# screenshot in $STATE_DIR/screenshots, beside the stack's logs.
DRIVER_PORT=$(free_port)
chromedriver --port="$DRIVER_PORT" >"$STATE_DIR/chromedriver.log" 2>&1 &
DRIVER_PID=$!
if ! wait_http "http://127.0.0.1:$DRIVER_PORT/status" "$DRIVER_PID"; then
    cat "$STATE_DIR/chromedriver.log" >&2; log "chromedriver did not start"; exit 1
fi
SCREENSHOTS="$STATE_DIR/screenshots"; rm -rf "$SCREENSHOTS"; mkdir -p "$SCREENSHOTS"
AXE_JS="$SCRIPT_DIR/node_modules/axe-core/axe.min.js"
[ -f "$AXE_JS" ] || { log "missing $AXE_JS (npm ci in infra/local)"; exit 1; }
log "chromedriver $(chromedriver --version | cut -d' ' -f2) on port $DRIVER_PORT, $(chromium --version 2>/dev/null | cut -d' ' -f1-2); screenshots of failed browser tests in ${SCREENSHOTS#"$REPO_ROOT"/}"

log "setup and build took $(( $(date +%s) - started )) s"
fuzz_started=$(date +%s)
log "generated requests over docs/openapi.yaml (schemathesis): anonymous and five roles"
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-10} "$SCRIPT_DIR/fuzz.sh" "http://127.0.0.1:$FUZZ_PORT"
kill "$FUZZ_PID" 2>/dev/null || true # its schedules and stream pollers: CPU the tests need
log "generated requests took $(( $(date +%s) - fuzz_started )) s; running the tests"
set +e
LOKET_API_URL=$(IFS=,; echo "${API_URLS[*]}") LOKET_MAIL_URL=$(IFS=,; echo "${MAIL_URLS[*]}") \
LOKET_JATHIL_API_URL="http://127.0.0.1:$JATHIL_PORT" \
LOKET_FAULT_API_URL="http://127.0.0.1:$FAULT_PORT" LOKET_FAULT_MAIL_URL="http://127.0.0.1:$FAULT_MOTO_PORT" \
LOKET_FAULT_EMULATOR_PID="$FAULT_MOTO_PID" \
LOKET_WEBDRIVER_URL="http://127.0.0.1:$DRIVER_PORT" LOKET_AXE_JS="$AXE_JS" LOKET_SCREENSHOTS="$SCREENSHOTS" \
    cargo nextest run --workspace --no-fail-fast --cargo-quiet
status=$?
set -e
# Where the stack's CPU went (moto servers by port, deployments by name): for
# diagnosing a slow run.
ps -o cputime=,args= -p "$(echo $MOTO_PIDS $LOCAL_PIDS | tr -s ' ' ',' | sed 's/^,//')" 2>/dev/null \
    | sed -E 's/ .*(moto_serial.py).* -p ([0-9]+).*/ moto :\2/; s/ .*loket-local .*--prefix [^ ]*-([a-z0-9]+) .*/ loket-local \1/' \
    | sed 's/^/[stack cpu] /' || true
if [ $status -ne 0 ]; then tail -n 20 "$STATE_DIR"/local-test-*.log >&2; fi
exit $status
