# shellcheck shell=bash
# Common settings for the test-host scripts. Sourced, not executed.
#   TESTHOSTS_HOME  state dir: rootfs cache, machines, ssh key, apt cache (default /var/tmp/testhosts)
#   ELLA_KIT_VENV   controller venv with ansible-core/molecule/ansible-lint (default /var/tmp/ella-kit-venv)
#   TESTHOSTS_SUITE bookworm (default) or sid: the Debian suite of the rootfs that hosts boot from
TH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
D=${TESTHOSTS_HOME:-/var/tmp/testhosts}
VENV=${ELLA_KIT_VENV:-/var/tmp/ella-kit-venv}
BRIDGE=br-testh
BRIDGE_IP=10.213.0.1
NET_PREFIX=10.213.0
ts() { date +%s.%N; }
el() { printf '%.1fs' "$(echo "$(ts) - $1" | bc)"; }
log() { printf '[testhosts] %s\n' "$*" >&2; }
die() { printf '[testhosts] ERROR: %s\n' "$*" >&2; exit 1; }
# Only addresses of our own host-only /24 are acceptable targets.
valid_ip() {
  [[ $1 =~ ^10\.213\.0\.([0-9]+)$ ]] && (( BASH_REMATCH[1] >= 2 && BASH_REMATCH[1] <= 254 ))
}
# Debian suite of the test hosts: bookworm (default, Debian 12) or sid (TESTHOSTS_SUITE=sid; the Apptainer
# scenario). Each suite has its own cached rootfs: $D/rootfs (bookworm) and $D/rootfs-sid.
suite() {
  local s=${TESTHOSTS_SUITE:-bookworm}
  case $s in bookworm | sid) echo "$s" ;; *) die "TESTHOSTS_SUITE must be bookworm or sid, not '$s'" ;; esac
}
rootfs_dir() { if [ "$1" = bookworm ]; then echo "$D/rootfs"; else echo "$D/rootfs-$1"; fi; }
# The cgroup2 directory a sid host's nspawn runs in (create-host.sh): under this machine's cgroup2 hierarchy
# (/sys/fs/cgroup/unified on a hybrid layout, else /sys/fs/cgroup).
cgroup2_dir() {
  local root=/sys/fs/cgroup
  [ -f /sys/fs/cgroup/unified/cgroup.procs ] && root=/sys/fs/cgroup/unified
  echo "$root/testhosts/$1"
}
