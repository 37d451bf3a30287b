#!/usr/bin/env bash
# Idempotently prepare this machine for the local stack (moto server, linters,
# regions data). Everything is installed project-locally:
#   <repo>/.venv                      python venv (moto[server], cfn-lint, aws-sam-translator, statelint)
#   <repo>/infra/local/node_modules   npm deps (idn-area-data, asl-validator, axe-core)
# Re-running is cheap: pip is skipped while requirements.txt is unchanged
# (sha256 stamp in .venv/.requirements.sha256), npm is skipped while
# node_modules/.package-lock.json matches package-lock.json.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
VENV="${REPO_ROOT}/.venv"
REQS="${SCRIPT_DIR}/requirements.txt"
STAMP="${VENV}/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------- python venv
command -v "${PYTHON}" >/dev/null 2>&1 || die "${PYTHON} not found"
[[ -f "${REQS}" ]] || die "missing ${REQS}"

if [[ ! -x "${VENV}/bin/python" ]] || ! "${VENV}/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "creating venv at ${VENV}"
    rm -rf "${VENV}"
    "${PYTHON}" -m venv "${VENV}"
    rm -f "${STAMP}"
else
    log "venv present: ${VENV}"
fi

want_sha="$(sha256_of "${REQS}")"
have_sha="$(cat "${STAMP}" 2>/dev/null || true)"
if [[ "${want_sha}" == "${have_sha}" ]]; then
    log "python requirements unchanged (sha256 ${want_sha:0:12}), skipping pip"
else
    log "installing python requirements from ${REQS#"${REPO_ROOT}"/}"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "${VENV}/bin/python" -m pip install \
        --quiet --no-input -r "${REQS}"
    printf '%s\n' "${want_sha}" > "${STAMP}"
    log "python requirements installed"
fi

# ------------------------------------------------------------------------ npm
command -v node >/dev/null 2>&1 || die "node not found"
command -v npm >/dev/null 2>&1 || die "npm not found"

cd "${SCRIPT_DIR}"
npm_up_to_date() {
    # True when npm's hidden lockfile (written by the last ci/install) describes
    # exactly the packages pinned in package-lock.json.
    [[ -f package-lock.json && -f node_modules/.package-lock.json ]] || return 1
    node -e '
        const fs = require("fs");
        const pick = (f) => {
            const pk = JSON.parse(fs.readFileSync(f, "utf8")).packages || {};
            const out = {};
            for (const [k, v] of Object.entries(pk)) {
                if (k === "") continue;
                out[k] = [v.version, v.resolved, v.integrity];
            }
            return JSON.stringify(Object.keys(out).sort().map((k) => [k, out[k]]));
        };
        process.exit(pick("package-lock.json") === pick("node_modules/.package-lock.json") ? 0 : 1);
    ' >/dev/null 2>&1
}

if npm_up_to_date; then
    log "node_modules matches package-lock.json, skipping npm"
elif [[ -f package-lock.json ]]; then
    log "npm ci in infra/local"
    npm ci --no-audit --no-fund --loglevel=error >&2
else
    log "no package-lock.json: npm install in infra/local"
    npm install --no-audit --no-fund --loglevel=error >&2
fi

log "done (moto_server: ${VENV}/bin/moto_server)"
