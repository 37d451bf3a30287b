#!/usr/bin/env bash
# Benchmark: package size and init time of one function (identity, use case `login`).
#  1. `cargo lambda build --release --arm64` → the deployable bootstrap.zip; prints its size.
#  2. Init time, measured locally: this machine cannot run arm64 code, so the same source
#     is built for x86_64 (same release profile) and started under a stub Lambda Runtime
#     API; the time from process start to its first `next` poll is printed (SDK clients
#     and configuration are built by then, as in Lambda).
# Usage: infra/bench/cold-start.sh [RUNS]   (default 30)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
RUNS=${1:-30}
cd "$REPO_ROOT"
"$REPO_ROOT/infra/local/setup.sh"
[ -x .venv/bin/cargo-lambda ] || .venv/bin/pip install --quiet cargo-lambda==1.9.2
rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
export PATH="$REPO_ROOT/.venv/bin:$PATH"

echo "== release build for arm64 (cargo lambda build --release --arm64 -p loket-identity --bin identity)"
t0=$(date +%s)
cargo lambda build --release --arm64 -p loket-identity --bin identity --output-format zip
echo "build took $(( $(date +%s) - t0 )) s"
zip=target/lambda/identity/bootstrap.zip
size=$(stat -c %s "$zip")
unzip -p "$zip" bootstrap > /tmp/loket-bootstrap-arm64
raw=$(stat -c %s /tmp/loket-bootstrap-arm64)
printf 'package %s: %d bytes zipped (%.2f MiB), bootstrap %d bytes (%.2f MiB)\n' \
    "$zip" "$size" "$(echo "$size/1048576" | bc -l)" "$raw" "$(echo "$raw/1048576" | bc -l)"
file /tmp/loket-bootstrap-arm64 2>/dev/null | sed 's/^/  /' || true

echo "== init time (x86_64 build of the same source, stub Runtime API)"
cargo lambda build --release -p loket-identity --bin identity
B64=$(python3 -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())')
python3 "$SCRIPT_DIR/runtime_stub.py" "$RUNS" target/lambda/identity/bootstrap \
    LOKET_USE_CASE=login LOKET_TABLE=bench LOKET_STAGE=bench LOKET_CAPTCHA=test \
    LOKET_JWT_KEYS="k1=$B64" LOKET_JWT_ACTIVE_KID=k1 LOKET_DATA_KEY="$B64" LOKET_PEPPER="$B64" \
    AWS_REGION=ap-southeast-3 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
    AWS_LAMBDA_FUNCTION_NAME=login AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 \
    AWS_LAMBDA_LOG_GROUP_NAME=bench AWS_LAMBDA_LOG_STREAM_NAME=bench
