#!/usr/bin/env bash
# Runs every test of the kit, fastest first:
#   1. lint (ruff) and the Python suites (pytest; they start their own PostgreSQL cluster),
#   2. the deployment suite: ansible-lint, argument_specs check, Molecule on systemd-nspawn test hosts.
# Installs what it needs (apt, pip) on a fresh Debian 12 machine. Run as root.
# Environment: SKIP_DEPLOY=1 runs only stage 1; PYTEST_ARGS adds pytest arguments; ELLA_DEPLOY_ALL chooses the
# long Molecule scenarios (multihost, upgrade, and those scripts/test-deploy.sh adds): 1 always, 0 never,
# unset ("auto") when the deployment files differ from those of the last run on this machine in which they
# passed (the fingerprint below, kept in $LONG_SCENARIOS_STAMP), and always on a machine without that record.
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

# What the long scenarios test: the kit (roles, playbooks, scenarios, test hosts, inventories, the strategy
# plugin, its configuration and collections, the deploy test script) and what of the app changes a deployment
# (migrations, packaging). One SHA-1 over the committed tree of those paths; uncommitted changes in them
# always count as a change.
DEPLOY_PATHS=(roles playbooks molecule testhosts inventories plugins ansible.cfg requirements.yml
  scripts/test-deploy.sh scripts/check-mode.sh ella_app/db/migrations pyproject.toml)
LONG_SCENARIOS_STAMP=${LONG_SCENARIOS_STAMP:-/var/tmp/ella-kit/long-scenarios.passed}
deploy_fingerprint() {
  if git -C "$ROOT" diff --quiet HEAD -- "${DEPLOY_PATHS[@]}" 2>/dev/null; then
    git -C "$ROOT" ls-tree -r HEAD -- "${DEPLOY_PATHS[@]}" | sha1sum | cut -d' ' -f1
  else
    echo "uncommitted-$(date +%s)"
  fi
}

if [ "${SKIP_DEPLOY:-0}" != 1 ] && [ -x scripts/test-deploy.sh ]; then
  long=${ELLA_DEPLOY_ALL:-auto}
  fingerprint=$(deploy_fingerprint || echo unknown)
  if [ "$long" = auto ]; then
    if [ "$fingerprint" != "$(cat "$LONG_SCENARIOS_STAMP" 2>/dev/null)" ]; then long=1; else long=0; fi
    echo "long scenarios: $([ "$long" = 1 ] && echo 'run (deployment files changed since they last passed on this machine, or no record of that)' \
      || echo "skipped (deployment files as in the last passing run, $fingerprint; ELLA_DEPLOY_ALL=1 runs them)")"
  fi
  step "deployment tests (ansible-lint, argument specs, molecule$([ "$long" = 1 ] && echo ', long scenarios'))"
  ELLA_DEPLOY_ALL=$long scripts/test-deploy.sh
  if [ "$long" = 1 ] && [ "${fingerprint#uncommitted-}" = "$fingerprint" ]; then
    mkdir -p "$(dirname "$LONG_SCENARIOS_STAMP")" && echo "$fingerprint" > "$LONG_SCENARIOS_STAMP"
  fi
fi
step "all tests passed"
