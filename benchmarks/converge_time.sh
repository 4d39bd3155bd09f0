#!/bin/bash
# Converge time of the kit on a local test host, beside what apt alone takes for the same packages.
#   1. fresh converge: playbooks/site.yml on a newly booted host (demo fixtures, everything)
#   2. second run on the converged host (nothing to do: changed=0 expected)
#   3. apt alone: `apt-get update && apt-get install` of the packages the roles install, on another new host
# All three go through the same apt proxy, so the package downloads are cached after the first run on this
# machine; the wheelhouse on the controller is reused when the app's source did not change.
# Usage: benchmarks/converge_time.sh [RUNS]     (RUNS repetitions of each, default 1; prints a Markdown table)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-1}
# shellcheck source=../testhosts/lib.sh
. "$ROOT/testhosts/lib.sh"
NAME=ella-bench; IP=10.213.0.40
APT_NAME=ella-apt; APT_IP=10.213.0.45
PACKAGES="postgresql-15 postgresql-client-15 python3-psycopg2 acl python3 python3-venv nginx"
"$ROOT/testhosts/provision.sh" >/dev/null
# every task's time at the end of each log (profile_tasks), not only the slowest 20
export PATH="$VENV/bin:$PATH" ELLA_KIT_ROOT="$ROOT" ANSIBLE_CONFIG="$ROOT/ansible.cfg" PROFILE_TASKS_TASK_OUTPUT_LIMIT=all
LOGS=$D/logs/bench; mkdir -p "$LOGS"
cleanup() { "$ROOT/testhosts/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true; "$ROOT/testhosts/destroy-host.sh" "$APT_NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

play() {  # $1 log file; prints seconds, fails unless the recap has failed=0
  local t; t=$(ts)
  ansible-playbook -i "$ROOT/inventories/testhost/hosts.yml" -e "ansible_host=$IP" "$ROOT/playbooks/site.yml" >"$1" 2>&1 \
    || { tail -30 "$1" >&2; die "playbook failed (log $1)"; }
  printf '%.1f' "$(echo "$(ts) - $t" | bc)"
}
changed() { awk '/^ella-demo/ {for (i=1;i<=NF;i++) if ($i ~ /^changed=/) {split($i,a,"="); print a[2]}}' "$1" | tail -1; }

rows=()
for r in $(seq "$RUNS"); do
  cleanup
  "$ROOT/testhosts/create-host.sh" "$NAME" "$IP" >/dev/null
  fresh=$(play "$LOGS/fresh-$r.log"); c1=$(changed "$LOGS/fresh-$r.log")
  second=$(play "$LOGS/second-$r.log"); c2=$(changed "$LOGS/second-$r.log")
  "$ROOT/testhosts/destroy-host.sh" "$NAME" >/dev/null
  "$ROOT/testhosts/create-host.sh" "$APT_NAME" "$APT_IP" >/dev/null
  t=$(ts)
  "$ROOT/testhosts/ssh-host.sh" "$APT_NAME" "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq $PACKAGES" \
    >"$LOGS/apt-$r.log" 2>&1 || die "apt install failed (log $LOGS/apt-$r.log)"
  apt=$(printf '%.1f' "$(echo "$(ts) - $t" | bc)")
  "$ROOT/testhosts/destroy-host.sh" "$APT_NAME" >/dev/null
  rows+=("| $r | $fresh s (changed=$c1) | $second s (changed=$c2) | $apt s |")
done
echo "| run | fresh converge (site.yml) | second run | apt-get install alone |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "second run's slowest tasks (profile_tasks, $LOGS/second-$RUNS.log):"
sed -n '/^TASKS RECAP/,$p' "$LOGS/second-$RUNS.log" | sed -n '4,13p'
echo
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(ansible --version 2>/dev/null | sed -n 1p)"
echo "packages: $PACKAGES"
