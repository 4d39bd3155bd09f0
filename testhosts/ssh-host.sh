#!/bin/bash
# Usage: ssh-host.sh NAME [COMMAND...]  -- SSH into a test host as root with the controller key.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
NAME=${1:?usage: ssh-host.sh NAME [COMMAND...]}; shift
IP=$(cat "$D/machines/$NAME/ip" 2>/dev/null) || die "$NAME: no such test host"
exec ssh -i "$D/ssh/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "root@$IP" "$@"
