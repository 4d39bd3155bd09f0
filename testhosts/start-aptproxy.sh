#!/bin/bash
# apt-cacher-ng on the bridge address and loopback (port 3142). The test hosts reach the Debian mirror only
# through it, and its cache under $TESTHOSTS_HOME/acng survives teardown, so repeated converges are fast.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mkdir -p "$D/acng/cache" "$D/acng/log" "$D/acng/conf" "$D/run"
if [ -f "$D/run/acng.pid" ] && kill -0 "$(cat "$D/run/acng.pid")" 2>/dev/null; then
  echo "apt proxy already running (pid $(cat "$D/run/acng.pid"))"; exit 0
fi
# private copy of the config without the Remap-* rules (they would rewrite /debian to a built-in mirror list)
cp -a /etc/apt-cacher-ng/. "$D/acng/conf/"
sed -i -E '/^Remap-/d' "$D/acng/conf/acng.conf"
chown -R apt-cacher-ng: "$D/acng" 2>/dev/null || true
rm -f "$D/run/acng.pid"
/usr/sbin/apt-cacher-ng -c "$D/acng/conf" ForeGround=0 \
  BindAddress="$BRIDGE_IP 127.0.0.1" Port=3142 CacheDir="$D/acng/cache" LogDir="$D/acng/log" \
  PidFile="$D/run/acng.pid" SocketPath="$D/run/acng.socket"
for _ in $(seq 50); do [ -s "$D/run/acng.pid" ] && break; sleep 0.1; done
[ -s "$D/run/acng.pid" ] || die "apt-cacher-ng did not start (see $D/acng/log)"
echo "apt proxy pid $(cat "$D/run/acng.pid")"
