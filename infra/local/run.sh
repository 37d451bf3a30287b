#!/usr/bin/env bash
# Sets up this machine and runs the whole platform locally: moto (AWS emulator) and
# every Loket function behind one HTTP port, seeded with demo data. Ctrl-C stops all.
#   PORT (default 3000), MOTO_PORT (default 5000), MAIL_PORT (default 5001) pick the ports.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.loket"; mkdir -p "$STATE_DIR"
# shellcheck source=lib.sh
. "$SCRIPT_DIR/lib.sh"

PORT=${PORT:-3000}
MOTO_PORT=${MOTO_PORT:-5000}
MAIL_PORT=${MAIL_PORT:-5001}

ensure_rust_components
"$SCRIPT_DIR/setup.sh"
log "building the local runner"
cargo build --manifest-path "$REPO_ROOT/Cargo.toml" -p loket-local --bin loket-local

cleanup() { for p in $MOTO_PIDS; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
start_moto "$MOTO_PORT"
start_moto "$MAIL_PORT"
log "moto is at http://127.0.0.1:$MOTO_PORT (email: http://127.0.0.1:$MAIL_PORT)"
"${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/loket-local" --port "$PORT" --moto "http://127.0.0.1:$MOTO_PORT" \
    --mail-moto "http://127.0.0.1:$MAIL_PORT" --prefix loket-local
