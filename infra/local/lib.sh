# Shared by run.sh and test.sh: toolchain checks, free ports, moto start/stop.
# shellcheck shell=bash

log() { printf '[loket] %s\n' "$*" >&2; }

ensure_rust_components() {
    command -v cargo >/dev/null || { log "cargo not found: install Rust with rustup first"; exit 1; }
    for c in rustfmt clippy; do
        rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
    done
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# launch_moto PORT: starts moto in server mode (the pinned one from .venv, one request at
# a time: see moto_serial.py) and appends its pid to MOTO_PIDS; wait_moto PORT waits
# until it answers. start_moto PORT does both.
MOTO_PIDS=""
launch_moto() {
    local port=$1
    MOTO_PORT=$port "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/infra/local/moto_serial.py" -H 127.0.0.1 -p "$port" >"$STATE_DIR/moto-$port.log" 2>&1 &
    MOTO_PIDS="$MOTO_PIDS $!"
}
wait_moto() {
    local port=$1
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$port/moto-api/config" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    cat "$STATE_DIR/moto-$port.log" >&2
    log "moto did not start on port $port"; return 1
}
start_moto() { launch_moto "$1" && wait_moto "$1"; }

# wait_http URL [PID]: waits until URL answers (while PID, if given, lives).
wait_http() {
    local url=$1 pid=${2:-}
    for _ in $(seq 1 900); do
        curl -sf "$url" >/dev/null 2>&1 && return 0
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
