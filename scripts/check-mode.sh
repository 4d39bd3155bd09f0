#!/bin/bash
# Check mode as a contract: `ansible-playbook playbooks/site.yml --check --diff` with the test-host settings
# CHECK_PLAYBOOK=upgrade.yml checks playbooks/upgrade.yml the same way: on a new host it must skip the host; on a
# converged one the script first runs it for real once (a host deployed by site.yml alone does not have the
# upgrade helpers yet, which a real run installs; with no new release nothing is switched), then --check must
# report changed=0.
#   --fresh              on a newly booted test host (ella-chk, 10.213.0.33) with a /data that exists already
#                        (as an NFS mount would): must not fail and must not change the host (its package
#                        list and its unit, code and data directories are compared before and after)
#   --converged NAME IP  on a host that a real run converged (e.g. Molecule's ella-mol 10.213.0.31): must not
#                        fail and must report changed=0
# Prints the play recap; exits non-zero when the contract is broken. Used by scripts/test-deploy.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../testhosts/lib.sh
. "$ROOT/testhosts/lib.sh"
MODE=${1:-}; NAME=ella-chk; IP=10.213.0.33; PLAYBOOK=${CHECK_PLAYBOOK:-site.yml}
[ -f "$ROOT/playbooks/$PLAYBOOK" ] || die "no playbook playbooks/$PLAYBOOK"
case $MODE in
  --fresh) ;;
  --converged) NAME=${2:?usage: check-mode.sh --converged NAME IP}; IP=${3:?usage: check-mode.sh --converged NAME IP} ;;
  *) echo "usage: check-mode.sh --fresh | --converged NAME IP" >&2; exit 2 ;;
esac
export PATH="$VENV/bin:$PATH" ELLA_KIT_ROOT="$ROOT" ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_NOCOLOR=1
INV=$(mktemp -d); LOG=$D/logs/check-mode-${PLAYBOOK%.yml}-${MODE#--}.log; mkdir -p "$D/logs"
cleanup() { rm -rf "$INV"; [ "$MODE" != --fresh ] || "$ROOT/testhosts/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
mkdir -p "$INV/group_vars"
ln -s "$ROOT/inventories/testhost/group_vars/all" "$INV/group_vars/all"
cat > "$INV/hosts.yml" <<YML
all:
  hosts:
    $NAME:
      ansible_host: $IP
  children:
    ella_db: {hosts: {$NAME: }}
    ella_app: {hosts: {$NAME: }}
    ella_proxy: {hosts: {$NAME: }}
YML
SSH=(ssh -q -i "$D/ssh/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "root@$IP")
if [ "$MODE" = --fresh ]; then
  "$ROOT/testhosts/destroy-host.sh" "$NAME" >/dev/null 2>&1 || true
  "$ROOT/testhosts/create-host.sh" "$NAME" "$IP" >/dev/null
  # a data directory that is there before ELLA (an NFS export mounted at /data, owned by numeric ids that
  # no local user has yet): check mode must not try to give it to the ella user it only previews
  "${SSH[@]}" "install -d -o 990 -g 990 -m 0750 /data /data/analyses /data/analyses/incoming /data/analyses/imported"
fi
if [ "$MODE" = --converged ] && [ "$PLAYBOOK" != site.yml ]; then
  ansible-playbook -i "$INV/hosts.yml" "$ROOT/playbooks/$PLAYBOOK" >"$LOG.run" 2>&1 \
    || { tail -40 "$LOG.run" >&2; die "the real run of $PLAYBOOK before its check failed (log $LOG.run)"; }
  sed -n '/^PLAY RECAP/,/^$/p' "$LOG.run"
fi
before=$("${SSH[@]}" "dpkg-query -W -f='\${Package} \${Status}\n' | sort; ls -a /etc/systemd/system /opt /data 2>&1; find /data -maxdepth 2 -type d -printf '%p %U %G %m\\n' 2>&1; true" | sha256sum)
rc=0
ansible-playbook -i "$INV/hosts.yml" "$ROOT/playbooks/$PLAYBOOK" --check --diff >"$LOG" 2>&1 || rc=$?
after=$("${SSH[@]}" "dpkg-query -W -f='\${Package} \${Status}\n' | sort; ls -a /etc/systemd/system /opt /data 2>&1; find /data -maxdepth 2 -type d -printf '%p %U %G %m\\n' 2>&1; true" | sha256sum)
sed -n '/^PLAY RECAP/,/^$/p' "$LOG"
[ "$rc" = 0 ] || { grep -B2 -A12 'fatal:' "$LOG" | head -60 >&2; die "check mode of $PLAYBOOK failed (rc=$rc, log $LOG)"; }
[ "$before" = "$after" ] || die "check mode of $PLAYBOOK changed the host (packages or unit/code/data directories; log $LOG)"
if [ "$MODE" = --converged ]; then
  changed=$(awk -v h="$NAME" '$1 == h {for (i=1;i<=NF;i++) if ($i ~ /^changed=/) {split($i,a,"="); print a[2]}}' "$LOG" | tail -1)
  [ "$changed" = 0 ] || { grep -B1 '^changed:' "$LOG" | head -40 >&2; die "check mode of $PLAYBOOK on the converged host reports changed=$changed (log $LOG)"; }
fi
log "check mode of $PLAYBOOK ${MODE#--}: ok (log $LOG)"
