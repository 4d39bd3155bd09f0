#!/bin/bash
# Usage: destroy-host.sh NAME
# Orderly poweroff (SIGRTMIN+4 to the container's systemd); fallbacks SIGTERM to nspawn, SIGKILL to the
# container's PID 1 (ends its whole PID namespace) and to nspawn. Then unmount the overlay, drop netns and veth,
# delete the machine dir. KEEP_LOG=1 keeps the console log in $TESTHOSTS_HOME/logs. CUT_NETWORK=1 first
# removes the host's veth, so that its peers get no FIN or RST from the poweroff: the host vanishes as on a
# power loss or a pulled cable (its TCP connections stay open on the other side until keepalives end them).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
NAME=${1:?usage: destroy-host.sh NAME}; M=$D/machines/$NAME
[[ $NAME =~ ^[a-z0-9-]{1,11}$ ]] || die "bad name '$NAME'"
if [ ! -d "$M" ]; then echo "$NAME: not found"; exit 0; fi
P=$(cat "$M/nspawn.pid" 2>/dev/null || true); L=$(cat "$M/leader.pid" 2>/dev/null || true)
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# guard against PID reuse: nspawn must still be nspawn, the leader a systemd in another PID namespace
if alive "$P" && [ "$(cat "/proc/$P/comm" 2>/dev/null)" != systemd-nspawn ]; then P=; fi
if alive "$L" && { [ "$(cat "/proc/$L/comm" 2>/dev/null)" != systemd ] || [ "$(readlink "/proc/$L/ns/pid")" = "$(readlink /proc/self/ns/pid)" ]; }; then L=; fi
if [ "${CUT_NETWORK:-0}" = 1 ]; then ip link del "vf-$NAME" 2>/dev/null && echo "$NAME: network cut"; fi
alive "$L" && kill -s SIGRTMIN+4 "$L"
for _ in $(seq 150); do alive "$P" || alive "$L" || break; sleep 0.1; done      # up to 15 s
alive "$P" && { kill -TERM "$P"; sleep 2; }
alive "$L" && kill -KILL "$L"
alive "$P" && kill -KILL "$P"
for _ in $(seq 50); do alive "$P" || alive "$L" || break; sleep 0.1; done
if mountpoint -q "$M/root"; then umount "$M/root" 2>/dev/null || umount -l "$M/root"; fi
ip link del "vf-$NAME" 2>/dev/null
ip netns del "testh-$NAME" 2>/dev/null
rm -rf "/run/systemd/nspawn/propagate/$NAME"
# a sid host's own cgroup2 directory (create-host.sh), children first, once its processes are gone
CG=$(cgroup2_dir "$NAME")
[ ! -d "$CG" ] || find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null || true
if [ "${KEEP_LOG:-0}" = 1 ]; then mkdir -p "$D/logs"; cp "$M/console.log" "$D/logs/console-$NAME.log"; fi
rm -rf "$M"
echo "$NAME destroyed"
