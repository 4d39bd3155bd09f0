#!/bin/bash
# Destroy every test host, stop the apt proxy, remove the bridge, then check that nothing is left running.
# The rootfs cache, the apt cache and the SSH key stay (they make the next run fast).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
for m in "$D"/machines/*/; do [ -d "$m" ] && "$TH_DIR/destroy-host.sh" "$(basename "$m")"; done
if [ -f "$D/run/acng.pid" ]; then
  p=$(cat "$D/run/acng.pid")
  if kill -0 "$p" 2>/dev/null && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = apt-cacher-ng ]; then
    kill "$p"; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    echo "apt proxy stopped"
  fi
  rm -f "$D/run/acng.pid"
fi
ip link del "$BRIDGE" 2>/dev/null && echo "bridge removed"
left=$(
  pgrep -a -x systemd-nspawn | grep -F -- "--directory=$D/machines/" || true
  pgrep -a -x apt-cacher-ng | grep -F -- "$D/acng" || true
  ip netns list 2>/dev/null | grep '^testh-' || true
  grep -F " $D/machines/" /proc/mounts || true
)
if [ -n "$left" ]; then echo "teardown: still present:"; echo "$left"; exit 1; fi
echo "teardown: nothing left running"
