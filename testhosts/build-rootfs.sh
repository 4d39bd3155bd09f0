#!/bin/bash
# Build a minimal Debian rootfs for systemd-nspawn test hosts. Output: $TESTHOSTS_HOME/rootfs[-SUITE] (dir)
# and rootfs[-SUITE].tar (cache).
#   TESTHOSTS_SUITE=bookworm (default): Debian 12, from the Debian mirror configured on this machine (its
#                                       deb822 sources, TESTHOSTS_APT_SOURCES)
#   TESTHOSTS_SUITE=sid:                Debian unstable (the Apptainer scenario: apptainer needs libc >= 2.38),
#                                       from deb.debian.org through the test hosts' apt proxy, so the
#                                       packages land in its cache for the hosts' own apt-get
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SUITE=$(suite)
OUT=${1:-$(rootfs_dir "$SUITE")}
TAR=${2:-$OUT.tar}
APTOPTS=()
if [ "$SUITE" = bookworm ]; then
  SOURCES=${TESTHOSTS_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
  [ -r "$SOURCES" ] || die "no deb822 sources at $SOURCES (set TESTHOSTS_APT_SOURCES)"
  SOURCES_TEXT=$(cat "$SOURCES")
else
  SOURCES_TEXT="Types: deb
URIs: ${TESTHOSTS_MIRROR:-http://deb.debian.org/debian}
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  "$TH_DIR/start-aptproxy.sh" >/dev/null
  APTOPTS+=(--aptopt='Acquire::http::Proxy "http://127.0.0.1:3142"')
fi
rm -rf "$OUT"
mmdebstrap --variant=apt --mode=root --skip=cleanup/apt/lists "${APTOPTS[@]}" \
  --include=systemd,systemd-sysv,dbus,libpam-systemd,python3,python3-apt,openssh-server,sudo,iproute2,ca-certificates,curl,procps,less,gnupg,locales \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='Acquire::Check-Date "false"' \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='mv "$1/etc/apt/sources.list.d/0000main.sources" "$1/etc/apt/sources.list.d/debian.sources"; rm -f "$1/etc/apt/sources.list"' \
  --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
  --customize-hook='echo testhost > "$1/etc/hostname"; : > "$1/etc/machine-id"' \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen"; chroot "$1" locale-gen >/dev/null; echo LANG=C.UTF-8 > "$1/etc/default/locale"' \
  "$SUITE" "$OUT" - <<< "$SOURCES_TEXT"

R=$OUT
# apt only through the caching proxy on the bridge (not the controller's loopback address the build used)
sed -i '/Acquire::http::Proxy/d' "$R/etc/apt/apt.conf.d/99mmdebstrap" 2>/dev/null || true
cat > "$R/etc/apt/apt.conf.d/01testhosts-proxy" <<X
Acquire::http::Proxy "http://$BRIDGE_IP:3142";
Acquire::Check-Valid-Until "false";
Acquire::Check-Date "false";
APT::Install-Recommends "false";
X
# per-container SSH host keys at first boot
cat > "$R/etc/systemd/system/ssh-hostkeys.service" <<'X'
[Unit]
Description=Generate SSH host keys
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
Before=ssh.service
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
X
chroot "$R" systemctl enable ssh-hostkeys.service ssh.service
# timers and units that are useless in a throwaway container
chroot "$R" systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer e2scrub_reap.service fstrim.timer 2>/dev/null || true
mkdir -p "$R/root/.ssh"; chmod 700 "$R/root/.ssh"
echo 'UseDNS no' > "$R/etc/ssh/sshd_config.d/testhosts.conf"
tar -C "$R" --numeric-owner --xattrs -cf "$TAR" .
echo "rootfs: $(du -sh "$R" | cut -f1)  tar: $(du -sh "$TAR" | cut -f1)"
