#!/bin/bash
# The cut-over from ELLA on a test host, end to end (docs/migrating-from-ella.md):
#   flock -o /var/tmp/ella-deploy.lock tests/migration/cutover_testhost.sh        # KEEP=1 keeps the host
# 1. boots the systemd-nspawn host "ella-migr" (10.213.0.61) and deploys the kit without fixtures (site.yml)
# 2. generates the tests' ELLA v1.17 database (tests/migration/ella_seed.py) in a throwaway cluster here,
#    restores it on the host as database ella_old (role ellaold, password login over 127.0.0.1), and puts its
#    attachment files under /data/ella-attachments-old (the ELLA user reads them)
# 3. playbooks/migrate-from-ella.yml with --check (the preview: reports a change, writes nothing), for real
#    (stops the units, backup set, import, verification, units started), and again (changes nothing)
# 4. alice logs in through nginx with her ELLA (bcrypt) password
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# shellcheck source=../../testhosts/lib.sh
. "$ROOT/testhosts/lib.sh"
NAME=ella-migr
IP=10.213.0.61
PORT=3114
PY=${ELLA_TEST_PYTHON:-/var/tmp/ella-test-venv/bin/python}  # the venv of scripts/run-tests.sh
[ "$(id -u)" = 0 ] || die "run as root (test hosts)"
WORK=$(mktemp -d /var/tmp/ella-cutover.XXXXXX)
cleanup() {
  [ "${KEEP:-0}" = 1 ] || "$ROOT/testhosts/destroy-host.sh" "$NAME" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
t0=$(ts)

"$ROOT/testhosts/provision.sh"
export PATH="$VENV/bin:$PATH" ELLA_KIT_ROOT="$ROOT" ANSIBLE_CONFIG="$ROOT/ansible.cfg"
"$ROOT/testhosts/create-host.sh" "$NAME" "$IP"
ssh_host() { "$ROOT/testhosts/ssh-host.sh" "$NAME" "$@"; }

cp -r "$ROOT/inventories/testhost/group_vars" "$WORK/"
sed -e "s/ella-demo/$NAME/g" -e "s/10\.213\.0\.30/$IP/g" "$ROOT/inventories/testhost/hosts.yml" > "$WORK/hosts.yml"
log "deploying the kit onto $NAME without fixtures"
ansible-playbook -i "$WORK/hosts.yml" "$ROOT/playbooks/site.yml" -e ella_fixtures_src_dir= > "$WORK/site.log" \
  || { tail -40 "$WORK/site.log"; die "site.yml failed"; }

log "generating the ELLA v1.17 source database"
"$PY" - "$WORK" <<'EOF'
import subprocess, sys
from pathlib import Path
sys.path.insert(0, ".")
from sqlalchemy import create_engine, text
from tests.migration.ella_seed import seed
from tests.support.pgcluster import PgCluster
work = Path(sys.argv[1])
cluster = PgCluster().start()
try:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE ella_old"))
    engine.dispose()
    seed(cluster.url("ella_old"), work / "attachments", analyses=50)
    subprocess.run([str(cluster.bindir / "pg_dump"), "-Fc", "--no-owner", "-f", str(work / "ella_old.dump"),
                    "-d", cluster.url("ella_old")], check=True)
finally:
    cluster.stop()
EOF
tar -C "$WORK/attachments" -cf "$WORK/attachments.tar" .
ssh_host "mkdir -p /root/ella-old"
scp -i "$D/ssh/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  "$WORK/ella_old.dump" "$WORK/attachments.tar" "root@$IP:/root/ella-old/"
ssh_host 'set -e
  cd /  # the postgres user cannot enter /root; the dump is read by root and piped in
  runuser -u postgres -- psql -q -c "CREATE ROLE ellaold LOGIN PASSWORD '"'"'old-ella-pw'"'"'"
  runuser -u postgres -- createdb -O ellaold ella_old
  runuser -u postgres -- pg_restore --no-owner --role=ellaold -d ella_old < /root/ella-old/ella_old.dump
  install -d -o ella -g ella -m 0750 /data/ella-attachments-old
  tar -C /data/ella-attachments-old -xf /root/ella-old/attachments.tar
  chown -R ella:ella /data/ella-attachments-old'
printf 'ella_import_source_url: "postgresql://ellaold:old-ella-pw@127.0.0.1/ella_old"\n' > "$WORK/source.yml"
chmod 600 "$WORK/source.yml"
play() {
  ansible-playbook -i "$WORK/hosts.yml" "$ROOT/playbooks/migrate-from-ella.yml" -e @"$WORK/source.yml" \
    -e ella_import_attachments_dir=/data/ella-attachments-old "$@"
}
recap_changed() { grep -E "^$NAME +:" "$1" | sed -E 's/.*changed=([0-9]+).*/\1/'; }

log "check mode: the preview"
play --check --diff > "$WORK/check.log" || { cat "$WORK/check.log"; die "check mode failed"; }
grep -q "would be written" "$WORK/check.log" || { cat "$WORK/check.log"; die "no preview in check mode"; }
[ "$(recap_changed "$WORK/check.log")" -ge 1 ] || die "check mode reported no change"
ssh_host "ella-cli database refresh --json" | grep -q '"allele": 0' || die "check mode wrote rows"
grep -q "old-ella-pw" "$WORK/check.log" && die "the source password is in the output"

log "the cut-over"
play > "$WORK/run.log" || { cat "$WORK/run.log"; die "the cut-over failed"; }
grep -q "tables equal" "$WORK/run.log" || { cat "$WORK/run.log"; die "no verification in the output"; }
grep -q "old-ella-pw" "$WORK/run.log" && die "the source password is in the output"
ssh_host "test ! -e /var/lib/ella/import-work/source.url" || die "the source URL file was left behind"
ssh_host "systemctl is-active ella-api.socket ella-watcher.service ella-poller.service" >/dev/null \
  || die "units not running after the cut-over"

log "second run: nothing changes"
play > "$WORK/again.log" || { cat "$WORK/again.log"; die "the second run failed"; }
grep -q "nothing to do" "$WORK/again.log" || { cat "$WORK/again.log"; die "second run did not find the import"; }
[ "$(recap_changed "$WORK/again.log")" = 0 ] || { cat "$WORK/again.log"; die "the second run changed something"; }

log "alice logs in with her ELLA password"
code=$(curl -sk -o "$WORK/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"username": "alice", "password": "Alice-Old-Bcrypt-1"}' "https://$IP:$PORT/api/v1/users/actions/login/")
[ "$code" = 200 ] || { cat "$WORK/login.json"; die "login answered $code"; }
ssh_host "runuser -u postgres -- psql -tA -d ella -c \"SELECT left(password, 8) FROM \\\"user\\\" WHERE username = 'alice'\"" \
  | grep -q '^\$argon2' || die "alice's password was not re-hashed to argon2"

grep -A2 "tables equal" "$WORK/run.log" | head -3
log "cut-over on a test host: preview, import, verification, second run unchanged, bcrypt login ($(el "$t0"))"
