#!/usr/bin/env bash
# Runs every test of the kit, fastest first:
#   1. lint (ruff) and the Python suites (pytest; they start their own PostgreSQL cluster),
#   2. the deployment suite: ansible-lint, argument_specs check, Molecule on systemd-nspawn test hosts.
# Installs what it needs (apt, pip) on a fresh Debian 12 machine. Run as root.
# Environment: SKIP_DEPLOY=1 runs only stage 1; PYTEST_ARGS adds pytest arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${ELLA_TEST_VENV:-/var/tmp/ella-test-venv}
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n=== %s\n' "$*"; }

step "system packages"
need=()
for pkg in postgresql python3-venv chromium nginx-light libnss3-tools; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster of its own; the tests start theirs and don't need it.

step "python environment ($VENV)"
PY=$(command -v python3.11 || command -v python3)
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q -e "$ROOT[test]"

step "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

step "pytest"
# The browser tests must run here (they skip on a machine without Chromium only when this is unset).
export ELLA_E2E_REQUIRED=1
# shellcheck disable=SC2086
"$VENV/bin/python" -m pytest -q --ignore=tests/deploy --ignore=tests/deployed ${PYTEST_ARGS:-}  # both in the deploy stage

if [ "${SKIP_DEPLOY:-0}" != 1 ] && [ -x scripts/test-deploy.sh ]; then
  step "deployment tests (ansible-lint, argument specs, molecule)"
  scripts/test-deploy.sh
fi
step "all tests passed"
