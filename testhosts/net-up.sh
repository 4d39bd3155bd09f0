#!/bin/bash
# Host-only bridge for the test hosts: 10.213.0.1/24 on br-testh. No NAT, no forwarding:
# the test hosts can reach only this machine (sshd answers from them, apt goes through the proxy).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
fi
# (no `| grep -q` here: with pipefail, grep leaving early makes `ip` die of SIGPIPE and the test fail)
addrs=$(ip -4 addr show dev "$BRIDGE")
[[ $addrs == *"inet $BRIDGE_IP/24"* ]] || ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
