#!/bin/bash
# Can Apptainer build and run an image inside a systemd-nspawn test host? Boots a Debian sid host (Debian's
# apptainer needs libc >= 2.38), installs Apptainer from Debian, builds a small image from a definition file
# with a %post section (debootstrap through the apt proxy: no image registry is reachable), packs it as SIF,
# and runs it as root and as an unprivileged user, as the ella-* units would. Prints one line per step and
# exits non-zero at the first that fails. The host is destroyed at the end (KEEP=1 keeps it).
#   testhosts/apptainer-probe.sh [NAME] [IP]        (default ella-apt 10.213.0.63)
# What it needs, and why (see docs/deployment.md "Apptainer instead of the venv"):
#   - the host's systemd must get a unified cgroup hierarchy (create-host.sh does it for sid hosts);
#   - this machine's root lacks CAP_SYS_RESOURCE in its bounding set, so Apptainer as root, which asks for every
#     capability, is refused: builds use --fakeroot (uidmap, /etc/subuid), root runs use
#     "root default capabilities = no"; unprivileged runs need neither;
#   - no FUSE in the host (/dev/fuse is not passed in): without squashfuse, Apptainer runs a SIF for an
#     unprivileged user from a temporary sandbox it extracts; a sandbox directory runs as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
NAME=${1:-ella-apt}; IP=${2:-10.213.0.63}
export TESTHOSTS_SUITE=sid
cleanup() { [ "${KEEP:-0}" = 1 ] || "$TH_DIR/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
on() { "$TH_DIR/ssh-host.sh" "$NAME" "$@"; }
step() {  # DESCRIPTION COMMAND...
  local what=$1 t; shift; t=$(ts)
  "$@" >"$D/logs/apptainer-probe-$NAME.log" 2>&1 || { tail -20 "$D/logs/apptainer-probe-$NAME.log" >&2; die "failed: $what"; }
  log "ok ($(el "$t")): $what"
}

mkdir -p "$D/logs"
"$TH_DIR/provision.sh" --no-venv >/dev/null
"$TH_DIR/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true
step "boot the sid host $NAME" "$TH_DIR/create-host.sh" "$NAME" "$IP"
step "install Debian's apptainer" on 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq apptainer debootstrap uidmap mount >/dev/null && apptainer --version'
step "subordinate ids for --fakeroot; root runs without added capabilities" on 'echo root:100000:65536 > /etc/subuid && echo root:100000:65536 > /etc/subgid && sed -i "s/^root default capabilities = .*/root default capabilities = no/" /etc/apptainer/apptainer.conf'
step "build a sandbox with %post (--fakeroot, debootstrap of bookworm through the apt proxy)" on 'mkdir -p /srv/probe && cat > /srv/probe/probe.def <<X
Bootstrap: debootstrap
OSVersion: bookworm
MirrorURL: http://deb.debian.org/debian
Include: python3

%post
    echo built-by-post > /built

%runscript
    exec python3 -c "print(open(\"/built\").read().strip())"
X
cd /srv/probe && rm -rf sandbox && http_proxy=http://10.213.0.1:3142 apptainer build --fakeroot --sandbox sandbox probe.def'
step "pack it as SIF" on 'cd /srv/probe && rm -f probe.sif && apptainer build probe.sif sandbox && chmod 0644 probe.sif'
step "run the SIF as root" on 'cd / && test "$(apptainer run /srv/probe/probe.sif)" = built-by-post'
step "run the SIF as an unprivileged user (the units' case)" on 'cd / && test "$(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp apptainer run /srv/probe/probe.sif)" = built-by-post'
step "run the sandbox directory as an unprivileged user" on 'cd / && test "$(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp apptainer run /srv/probe/sandbox)" = built-by-post'
log "Apptainer builds and runs inside the nspawn host $NAME"
