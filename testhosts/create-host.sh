#!/bin/bash
# Usage: create-host.sh NAME IP      (IP in 10.213.0.2-254, NAME max 11 chars [a-z0-9-])
# Boots a throwaway Debian 12 systemd-nspawn container (systemd as PID 1) on an overlay of the cached rootfs,
# in its own network namespace with a veth in br-testh, and waits until root can log in over SSH with the
# controller key ($TESTHOSTS_HOME/ssh/id_ed25519). Env: BOOT_TIMEOUT (s, default 120);
# TESTHOSTS_BIND="SRC:DEST [SRC:DEST ...]" bind-mounts controller directories into the host (systemd-nspawn
# --bind, read-write, same owners and inodes: several hosts given the same SRC share it, like an NFS export).
# SRC and DEST are absolute paths without ':' or spaces; SRC is created when missing and never removed here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
NAME=${1:?usage: create-host.sh NAME IP}; IP=${2:?usage: create-host.sh NAME IP}; TIMEOUT=${BOOT_TIMEOUT:-120}
M=$D/machines/$NAME; SUITE=$(suite); BASE=$(rootfs_dir "$SUITE")
[[ $NAME =~ ^[a-z0-9-]{1,11}$ ]] || die "bad name '$NAME' (max 11 chars, [a-z0-9-])"
valid_ip "$IP" || die "IP must be 10.213.0.2-254"
[ -f "$BASE.tar" ] && [ -f "$D/ssh/id_ed25519" ] || die "not provisioned: run testhosts/provision.sh first (TESTHOSTS_SUITE=$SUITE)"
BINDS=(); BIND_LIST=
read -ra _binds <<< "${TESTHOSTS_BIND:-}"
for b in "${_binds[@]}"; do
  [[ $b =~ ^(/[^:]*):(/[^:]*)$ ]] || die "TESTHOSTS_BIND entry '$b' is not SRC:DEST (absolute paths)"
  src=$(realpath -m "${BASH_REMATCH[1]}"); dst=$(realpath -m "${BASH_REMATCH[2]}")
  [ "$src" != / ] && [ "$dst" != / ] || die "TESTHOSTS_BIND entry '$b': / cannot be bound"
  BINDS+=("--bind=$src:$dst"); BIND_LIST+="${BIND_LIST:+,}$src:$dst"
done
if [ -f "$M/nspawn.pid" ] && kill -0 "$(cat "$M/nspawn.pid")" 2>/dev/null; then die "$NAME already running"; fi
for m in "$D"/machines/*/ip; do
  [ -f "$m" ] && [ "$(cat "$m")" = "$IP" ] && [ "$m" != "$M/ip" ] && die "$IP already used by $(basename "$(dirname "$m")")"
done
mkdir -p "$D/run"
exec 9>"$D/run/setup.lock"; flock 9      # serialise shared setup when hosts are created in parallel
[ -d "$BASE/etc" ] || { mkdir -p "$BASE"; tar -C "$BASE" --numeric-owner --xattrs -xf "$BASE.tar"; }
"$TH_DIR/net-up.sh"
"$TH_DIR/start-aptproxy.sh" >/dev/null
flock -u 9
t0=$(ts)

# 1. throwaway root: overlayfs, the cached base stays clean
rm -rf "$M"; mkdir -p "$M/upper" "$M/work" "$M/root"
mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$M/upper,workdir=$M/work" "$M/root"
R=$M/root
echo "$NAME" > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n%s %s\n' "$NAME" "$IP" "$NAME" > "$R/etc/hosts"
systemd-id128 new > "$R/etc/machine-id"
install -m 600 "$D/ssh/id_ed25519.pub" "$R/root/.ssh/authorized_keys"

# 2. network namespace + veth into the host-only bridge; the only route leads to this machine
NS=testh-$NAME; VH=vf-$NAME
ip netns del "$NS" 2>/dev/null || true; ip link del "$VH" 2>/dev/null || true
ip netns add "$NS"
ip link add "$VH" type veth peer name host0 netns "$NS"
ip link set "$VH" master "$BRIDGE" up
ip -n "$NS" link set lo up
ip -n "$NS" addr add "$IP/24" dev host0
ip -n "$NS" link set host0 up
ip -n "$NS" route add default via "$BRIDGE_IP"   # ip_forward stays as it is: nothing is routed beyond this machine
echo "$IP" > "$M/ip"

# 3. shared directories from the controller (TESTHOSTS_BIND), kept outside the machine dir
for b in "${BINDS[@]}"; do b=${b#--bind=}; mkdir -p "${b%%:*}"; done
[ -z "$BIND_LIST" ] || echo "$BIND_LIST" > "$M/binds"

# 4. boot systemd as PID 1 (no machined on the controller -> --register=no)
NSPAWN=(systemd-nspawn --boot --quiet --machine="$NAME" --directory="$R"
  --register=no --keep-unit --network-namespace-path="/run/netns/$NS"
  --resolv-conf=off --timezone=off --console=read-only --link-journal=no "${BINDS[@]}")
# systemd >= 256 (sid) refuses cgroup v1. This machine mounts both (hybrid: v1 controllers and a cgroup2
# hierarchy at /sys/fs/cgroup/unified), and nspawn gives a container the host's layout unless asked for a
# unified one: a sid host gets cgroup2 only; Debian 12 hosts keep the layout they were tested with.
# Apptainer's build runs %post as root with every capability it asks for; nspawn's default bounding set lacks
# some (CAP_SYS_MODULE, CAP_SYS_TIME, ...: "Requesting capability set 0x1ffffffffff while permitted capability
# set is 0xfcecafff"), so the sid host, made for the Apptainer scenario, keeps them all.
# A sid host's systemd keeps its processes apart by cgroup2 alone, and nspawn puts the container in its own
# cgroup's "payload" child: started from this machine's cgroup2 root, every container would get /payload, and the
# sid host's systemd would find other hosts' processes in its units' cgroups (e.g. a Debian 12 host's root user
# manager in its user@0.service, which then never finished stopping, and root's SSH logins hung). So a sid
# host's nspawn starts in a cgroup2 directory of its own, testhosts/NAME (removed by destroy-host.sh).
ENV=(); CG=
if [ "$SUITE" != bookworm ]; then
  ENV=(SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1); NSPAWN+=(--capability=all)
  CG=$(cgroup2_dir "$NAME"); mkdir -p "$CG"
fi
# shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
bash -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$CG" \
  env "${ENV[@]}" setsid "${NSPAWN[@]}" </dev/null >"$M/console.log" 2>&1 &
echo $! > "$M/nspawn.pid"

# 5. wait for the container's systemd, for the boot to finish, then for an SSH login
LEADER=
for _ in $(seq $((TIMEOUT*5))); do
  LEADER=$(pgrep -P "$(cat "$M/nspawn.pid")" -x systemd || true)
  [ -n "$LEADER" ] && break
  kill -0 "$(cat "$M/nspawn.pid")" 2>/dev/null || break; sleep 0.2
done
[ -n "$LEADER" ] || { tail -20 "$M/console.log" >&2; die "$NAME: container init did not start"; }
echo "$LEADER" > "$M/leader.pid"
STATE=
for _ in $(seq $((TIMEOUT*5))); do   # the bus may not answer yet right after init starts
  STATE=$(timeout 10 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null || true)
  case $STATE in running|degraded|maintenance|stopping|offline) break ;; esac
  sleep 0.2
done
SSH=(ssh -q -i "$D/ssh/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=2)
ok=0
for _ in $(seq $((TIMEOUT*2))); do
  if "${SSH[@]}" "root@$IP" true 2>/dev/null; then ok=1; break; fi
  sleep 0.5
done
[ "$ok" = 1 ] || { tail -20 "$M/console.log" >&2; die "$NAME: no SSH login at $IP after ${TIMEOUT}s (systemd=$STATE)"; }
printf '%s: systemd=%s ip=%s leader=%s boot=%s%s\n' "$NAME" "$STATE" "$IP" "$LEADER" "$(el "$t0")" \
  "${BIND_LIST:+ binds=$BIND_LIST}"
