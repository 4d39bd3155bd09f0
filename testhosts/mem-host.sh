#!/bin/bash
# Usage: mem-host.sh NAME -- PSS/RSS summed over all processes in the test host's PID namespace.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
NAME=${1:?usage: mem-host.sh NAME}
L=$(cat "$D/machines/$NAME/leader.pid"); NS=$(readlink "/proc/$L/ns/pid")
pss=0; rss=0; n=0
for p in /proc/[0-9]*; do
  [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$NS" ] || continue
  read -r a b < <(awk '/^Pss:/{p=$2} /^Rss:/{r=$2} END{print p+0, r+0}' "$p/smaps_rollup" 2>/dev/null)
  pss=$((pss+${a:-0})); rss=$((rss+${b:-0})); n=$((n+1))
done
echo "$NAME: procs=$n pss=$((pss/1024))MiB rss=$((rss/1024))MiB upper=$(du -sh "$D/machines/$NAME/upper" | cut -f1)"
