#!/usr/bin/env bash
# Benchmark: N permit applications to a signed permit, each with one revision, on a
# fresh local stack (its own moto, its own deployment), printing per application the
# HTTP requests, Lambda invocations, Step Functions state transitions, DynamoDB
# requests / items / capacity units, emails, KMS requests, S3 objects written, the
# permit PDF's size and rendering time, and the cost per 1 000 applications from AWS's
# published prices (stated in the output). See infra/bench/src/permit_lifecycle.rs.
# Usage: infra/bench/permit-lifecycle.sh [APPLICATIONS]   (default 5)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/lifecycle.sh" permit-lifecycle --applications "${1:-5}"
