#!/bin/bash
# Faults and load on a freshly deployed test host (benchmarks/faults_load.py does the measuring):
#   1. boot the systemd-nspawn host ella-flt (10.213.0.32) and deploy playbooks/site.yml with the demo fixtures
#   2. python benchmarks/faults_load.py against it through nginx (HTTPS, trusting only the kit's CA):
#      20 and 50 clients for a minute each, kill -9 of each service under load, PostgreSQL restarted under
#      load, the watcher killed in the middle of a 30k-variant import, systemd-analyze security
#   3. destroy the host
# Usage: benchmarks/faults_load.sh [faults_load.py options, e.g. --seconds 30 --json]
# Needs the test venv (scripts/run-tests.sh makes /var/tmp/ella-test-venv) for the Python side.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../testhosts/lib.sh
. "$ROOT/testhosts/lib.sh"
NAME=ella-flt; IP=10.213.0.32
PY=${ELLA_TEST_VENV:-/var/tmp/ella-test-venv}/bin/python
[ -x "$PY" ] || die "no test venv at $PY (run scripts/run-tests.sh once, or set ELLA_TEST_VENV)"
"$ROOT/testhosts/provision.sh" >/dev/null
export PATH="$VENV/bin:$PATH" ELLA_KIT_ROOT="$ROOT" ANSIBLE_CONFIG="$ROOT/ansible.cfg"
LOGS=$D/logs/faults; mkdir -p "$LOGS"
cleanup() { "$ROOT/testhosts/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
"$ROOT/testhosts/create-host.sh" "$NAME" "$IP" >/dev/null
log "deploying onto $NAME ($IP)"
CA=$D/ella-ca/$NAME.crt
ansible-playbook -i "$ROOT/inventories/testhost/hosts.yml" -e "ansible_host=$IP" -e "ella_nginx_ca_controller_path=$CA" \
  "$ROOT/playbooks/site.yml" \
  >"$LOGS/converge.log" 2>&1 || { tail -30 "$LOGS/converge.log" >&2; die "playbook failed (log $LOGS/converge.log)"; }
[ -f "$CA" ] || die "no CA certificate at $CA after the deploy (ella_nginx_ca_controller_path)"
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$ROOT/benchmarks/faults_load.py" --url "https://$IP:3114/" --ca "$CA" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
