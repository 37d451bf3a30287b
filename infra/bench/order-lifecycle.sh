#!/usr/bin/env bash
# Benchmark: N complete orders (Pesan → Selesai) on a fresh local stack (its own moto,
# its own deployment), printing per order the HTTP requests, Lambda invocations,
# Step Functions state transitions, DynamoDB requests / items / capacity units and
# emails, and the cost per 1 000 orders from AWS's published prices (stated in the
# output). See infra/bench/src/order_lifecycle.rs for what is counted and how.
# Usage: infra/bench/order-lifecycle.sh [ORDERS]   (default 20)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/lifecycle.sh" order-lifecycle --orders "${1:-20}"
