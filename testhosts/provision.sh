#!/bin/bash
# One-shot, idempotent provisioning of the test-host environment on a Debian 12 machine (root; systemd need not
# be PID 1 here). Re-runs skip what is done:
#   1. host packages (systemd-container mmdebstrap apt-cacher-ng bc zstd openssh-client python3-venv)
#   2. Debian 12 rootfs, cached in $TESTHOSTS_HOME/rootfs.tar (TESTHOSTS_REBUILD=1 forces a rebuild; with
#      TESTHOSTS_SUITE=sid the Debian unstable one, rootfs-sid.tar, for the Apptainer scenario)
#   3. controller SSH key, host-only bridge br-testh (10.213.0.1/24), apt-cacher-ng on the bridge
#   4. controller venv $ELLA_KIT_VENV with ansible-core, molecule, ansible-lint (requirements-controller.txt)
# Options: --no-venv skips step 4; --venv-only does step 4 alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
WANT_VENV=1; WANT_HOSTS=1
for a in "$@"; do
  case $a in
    --no-venv) WANT_VENV=0 ;;
    --venv-only) WANT_HOSTS=0 ;;
    *) die "unknown option $a" ;;
  esac
done
mkdir -p "$D/logs"
[ "$(id -u)" = 0 ] || die "run as root"
t=$(ts)
export DEBIAN_FRONTEND=noninteractive
pkgs=(python3-venv bc)
[ "$WANT_HOSTS" = 1 ] && pkgs+=(systemd-container mmdebstrap apt-cacher-ng zstd openssh-client iproute2 util-linux)
need=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  log "installing host packages: ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >"$D/logs/apt-host.log" 2>&1 \
    || { tail -20 "$D/logs/apt-host.log" >&2; die "apt-get install failed"; }
fi
# On a machine booted with systemd, apt-cacher-ng's package starts a system-wide instance on port 3142;
# ours runs privately (own config and cache), so the one we just installed is switched off.
if [[ " ${need[*]:-} " == *" apt-cacher-ng "* ]] && [ -d /run/systemd/system ] && systemctl is-active -q apt-cacher-ng 2>/dev/null; then
  log "disabling the system apt-cacher-ng service that the package started (the test hosts use a private one)"
  systemctl disable --now apt-cacher-ng >/dev/null 2>&1 || true
fi
log "host packages: $(el "$t")"

if [ "$WANT_HOSTS" = 1 ]; then
mkdir -p "$D/ssh" "$D/run" "$D/machines"

t=$(ts)
SUITE=$(suite); RF=$(rootfs_dir "$SUITE")   # TESTHOSTS_SUITE=sid: the Debian unstable rootfs (Apptainer)
if [ "${TESTHOSTS_REBUILD:-0}" = 1 ] || [ ! -f "$RF.tar" ]; then
  log "building the Debian $SUITE rootfs (first time only, a few minutes)"
  "$TH_DIR/build-rootfs.sh" "$RF" "$RF.tar" >"$D/logs/build-rootfs-$SUITE.log" 2>&1 \
    || { tail -30 "$D/logs/build-rootfs-$SUITE.log" >&2; die "rootfs build failed"; }
elif [ ! -d "$RF/etc" ]; then
  mkdir -p "$RF" && tar -C "$RF" --numeric-owner --xattrs -xf "$RF.tar"
fi
log "rootfs: $(el "$t") ($(du -sh "$RF" | cut -f1))"

[ -f "$D/ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$D/ssh/id_ed25519" -C ella-kit-testhosts
"$TH_DIR/net-up.sh"
"$TH_DIR/start-aptproxy.sh" >/dev/null
fi

if [ "$WANT_VENV" = 1 ]; then
  t=$(ts)
  REQ=$TH_DIR/requirements-controller.txt
  STAMP=$VENV/.requirements.sha256
  want=$(sha256sum "$REQ" | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/ansible-playbook" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    log "creating controller venv $VENV"
    [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip >"$D/logs/pip.log" 2>&1
    "$VENV/bin/pip" install -q -r "$REQ" >>"$D/logs/pip.log" 2>&1 \
      || { tail -20 "$D/logs/pip.log" >&2; die "pip install failed"; }
    echo "$want" > "$STAMP"
  fi
  log "venv: $(el "$t") ($("$VENV/bin/ansible" --version 2>/dev/null | sed -n 1p))"
fi
