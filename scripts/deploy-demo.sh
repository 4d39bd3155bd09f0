#!/bin/bash
# The ELLA ops kit's main command: on a fresh Debian 12 machine (root), build a local test host and deploy
# the whole stack onto it with the demo fixtures, then print the URL and a login.
#   1. provision the test-host tooling (testhosts/provision.sh: packages, cached Debian 12 rootfs, host-only
#      bridge br-testh, apt proxy, controller venv with Ansible under /var/tmp)
#   2. boot the systemd-nspawn host "ella-demo" at 10.213.0.30 (reused when it is already running)
#   3. ansible-playbook -i inventories/testhost playbooks/site.yml (PostgreSQL, app, schema, fixtures, IGV data,
#      systemd units, nginx)
#   4. print the https URL, the local CA certificate to trust (the role's CA, copied to
#      $TESTHOSTS_HOME/ella-ca/ella-demo.crt) and testuser1's one-time password, read from the root-only file on
#      the host (it never appears in the Ansible output)
# Options: --fresh  destroy ella-demo first and deploy onto a new host
# Stop everything afterwards with: testhosts/teardown-all.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=ella-demo
IP=10.213.0.30
PORT=3114
LOGIN=testuser1
FRESH=0
for a in "$@"; do case $a in --fresh) FRESH=1 ;; *) echo "unknown option $a" >&2; exit 2 ;; esac; done
[ "$(id -u)" = 0 ] || { echo "run as root (it creates a network bridge and a container)" >&2; exit 1; }
# shellcheck source=../testhosts/lib.sh
. "$ROOT/testhosts/lib.sh"
t0=$(ts)

"$ROOT/testhosts/provision.sh"
export PATH="$VENV/bin:$PATH" ELLA_KIT_ROOT="$ROOT" ANSIBLE_CONFIG="$ROOT/ansible.cfg"

[ "$FRESH" = 1 ] && "$ROOT/testhosts/destroy-host.sh" "$NAME"
if [ -f "$D/machines/$NAME/nspawn.pid" ] && kill -0 "$(cat "$D/machines/$NAME/nspawn.pid")" 2>/dev/null; then
  log "$NAME is already running at $IP: deploying onto it again"
else
  "$ROOT/testhosts/create-host.sh" "$NAME" "$IP"
fi

log "deploying ELLA onto $NAME (playbooks/site.yml)"
ansible-playbook -i "$ROOT/inventories/testhost/hosts.yml" "$ROOT/playbooks/site.yml"

URL="https://$IP:$PORT/"
CA="$D/ella-ca/$NAME.crt"   # ella_nginx_ca_controller_path of inventories/testhost
[ -s "$CA" ] || die "no CA certificate at $CA (the ella_nginx role copies it there)"
status=$(curl -fsS --max-time 10 --cacert "$CA" "${URL}api/v1/status" || true)
case $status in *'"status":"ok"'* | *'"status": "ok"'*) ;; *) die "ELLA does not answer at ${URL}api/v1/status: $status" ;; esac

# the one-time password, read over SSH from the root-only file the fixtures role kept (never in the play log)
SSH=(ssh -q -i "$D/ssh/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "root@$IP")
pw=$("${SSH[@]}" "cat /root/ella-one-time-passwords/users-*.tsv 2>/dev/null | awk -F '\t' '\$1 == \"$LOGIN\" {p=\$2} END {print p}'")

cat <<MSG

ELLA is running on the test host $NAME ($(el "$t0")):
  URL       $URL          (reachable from this machine only: host-only bridge $BRIDGE)
  CA        $CA
            the test host's own CA: import it into the browser as a certificate authority (or
            curl --cacert $CA ${URL}api/v1/status); http://$IP:$PORT/ redirects to https
  API       ${URL}api/v1/status
MSG
if [ -n "$pw" ]; then
  cat <<MSG
  login     $LOGIN
  password  $pw   (one-time: ELLA asks for a new one at the first login)
MSG
else
  cat <<MSG
  login     $LOGIN (no one-time password on record: it was used or handed out already; make a new one with
            testhosts/ssh-host.sh $NAME ella-cli users reset_password $LOGIN)
MSG
fi
cat <<MSG
  operator  testhosts/ssh-host.sh $NAME     then e.g.  ella-cli users list
  services  testhosts/ssh-host.sh $NAME systemctl status ella.target ella-api ella-watcher ella-poller
  stop      testhosts/teardown-all.sh
MSG
