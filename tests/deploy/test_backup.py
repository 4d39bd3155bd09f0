"""Backups (roles/ella_backup, playbooks/backup.yml and restore.yml): the ella-backup program with a stand-in
database helper (sets, manifest, modes, retention, verification, data restore), the timer and service units
rendered by Ansible, and the role's defaults against ella_app's."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.deploy.conftest import ROLES, ROOT, defaults, flat_tasks, load_yaml, parse_unit, run_playbook

BACKUP = ROLES / "ella_backup" / "files" / "ella-backup"


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    """A data directory, a fake ella-db (dump writes a file; restore records its argument), a fake ella-cli
    (database current names a revision), a fake pg_restore, a live release link and the config file."""
    data = tmp_path / "data"
    (data / "attachments").mkdir(parents=True)
    (data / "attachments" / "a.txt").write_text("attachment\n")
    (data / "igv-data").mkdir()
    (data / "igv-data" / "big.fasta").write_text("ACGT\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "ella-db"
    helper.write_text(
        "#!/bin/sh\n"
        f'[ "$1 $2" = "--cli {bin_dir}/ella-cli" ] || exit 9\n'
        "shift 2\n"  # --cli PATH
        "case $1 in\n"
        '  dump) printf "PGDMP fake dump" > "$2"; echo \'{"changed": true, "file": "\'"$2"\'"}\' ;;\n'
        f'  restore) echo "$2" > {tmp_path}/restored; echo \'{{"changed": true}}\' ;;\n'
        "esac\n"
    )
    cli = bin_dir / "ella-cli"
    cli.write_text(
        '#!/bin/sh\n[ "$*" = "database current --json" ] || exit 9\n'
        'echo \'{"state": "head", "current": "0002", "head": "0002", "tables": 3, "revisions": ["0001", "0002"]}\'\n'
    )
    cli.chmod(0o755)
    (bin_dir / "pg_restore").write_text('#!/bin/sh\ngrep -q PGDMP "$2"\n')
    for f in (helper, bin_dir / "pg_restore"):
        f.chmod(0o755)
    install = tmp_path / "opt"
    (install / "releases" / "rel1").mkdir(parents=True)
    (install / "current").symlink_to(install / "releases" / "rel1")
    config = tmp_path / "ella-backup.json"
    config.write_text(
        json.dumps(
            {
                "backup_dir": str(tmp_path / "backups" / "sets"),
                "keep": 2,
                "data_dir": str(data),
                "data_excludes": ["igv-data"],
                "cli": str(cli),
                "db_helper": str(helper),
                "install_dir": str(install),
            }
        )
    )
    return {"tmp": tmp_path, "config": config, "data": data, "bin": bin_dir, "sets": tmp_path / "backups" / "sets"}


def backup(setup: dict[str, Path], *args: str) -> tuple[int, dict]:
    env = {**os.environ, "PATH": f"{setup['bin']}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(BACKUP), "--config", str(setup["config"]), *args], capture_output=True, text=True, env=env, timeout=60
    )
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_set_holds_the_dump_the_data_and_a_manifest_root_only(setup: dict[str, Path]) -> None:
    rc, result = backup(setup, "create")
    assert rc == 0 and result["changed"]
    path = Path(result["set"])
    assert sorted(p.name for p in path.iterdir()) == ["data.tar.gz", "db.dump", "manifest.json"]
    assert oct(path.stat().st_mode & 0o777) == "0o700"
    assert oct(setup["sets"].stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in path.iterdir()} == {"0o600"}
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["release"] == "rel1" and manifest["schema_revision"] == "0002"
    assert manifest["files"]["db.dump"]["size"] == len("PGDMP fake dump")
    with tarfile.open(path / "data.tar.gz") as tar:
        names = tar.getnames()
    assert "./attachments/a.txt" in names
    assert not any("igv-data" in n for n in names), "excluded paths stay out"
    assert not list(setup["sets"].glob(".*.partial"))


def test_retention_keeps_the_newest_sets(setup: dict[str, Path]) -> None:
    made = [backup(setup, "create")[1]["name"] for _ in range(3)]
    rc, listed = backup(setup, "list")
    assert rc == 0 and listed["sets"] == sorted(made, reverse=True)[:2]


def test_verify_notices_a_damaged_set(setup: dict[str, Path]) -> None:
    _, result = backup(setup, "create")
    rc, verified = backup(setup, "verify", "latest")
    assert rc == 0 and verified["manifest"]["name"] == result["name"]
    (Path(result["set"]) / "db.dump").write_text("PGDMP something else")
    rc, failed = backup(setup, "verify", result["name"])
    assert rc == 1 and "checksum" in failed["msg"]
    rc, _ = backup(setup, "restore-db", result["name"])
    assert rc == 1 and not (setup["tmp"] / "restored").exists(), "a damaged set is not restored"


def test_restore_puts_the_database_and_the_data_back(setup: dict[str, Path]) -> None:
    _, result = backup(setup, "create")
    (setup["data"] / "attachments" / "a.txt").unlink()
    rc, _ = backup(setup, "restore-db", result["name"])
    assert rc == 0
    assert (setup["tmp"] / "restored").read_text().strip() == f"{result['set']}/db.dump"
    rc, _ = backup(setup, "restore-data", result["name"])
    assert rc == 0
    assert (setup["data"] / "attachments" / "a.txt").read_text() == "attachment\n"
    assert (setup["data"] / "igv-data" / "big.fasta").exists(), "files outside the archive stay"


def test_unknown_sets_and_commands_are_refused(setup: dict[str, Path]) -> None:
    rc, result = backup(setup, "verify", "ella-20990101T000000Z")
    assert rc == 1 and "not a backup set" in result["msg"]
    proc = subprocess.run([str(BACKUP), "--config", str(setup["config"]), "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2


# --- units rendered by Ansible ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backup-units")
    playbook = out / "render.yml"
    playbook.write_text(
        f"""- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [{ROLES}/ella_common/defaults/main.yml, {ROLES}/ella_backup/defaults/main.yml]
  tasks:
    - ansible.builtin.template:
        src: "{ROLES}/ella_backup/templates/{{{{ item }}}}.j2"
        dest: "{out}/{{{{ item }}}}"
        mode: "0644"
      loop: [ella-backup.service, ella-backup.timer, ella-backup.json]
"""
    )
    run_playbook(["-i", "localhost,", str(playbook)])
    return out


def test_timer_runs_daily_and_catches_up(rendered_units: Path) -> None:
    timer = parse_unit(rendered_units / "ella-backup.timer")
    assert timer["Timer"]["OnCalendar"] == [defaults("ella_backup")["ella_backup_on_calendar"]]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_service_is_a_sandboxed_oneshot_writing_only_the_backups(rendered_units: Path) -> None:
    service = parse_unit(rendered_units / "ella-backup.service")["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["UMask"] == ["0077"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["ReadWritePaths"] == [str(Path(defaults("ella_backup")["ella_backup_dir"]).parent)]
    assert service["ExecStart"][0].endswith("ella-backup --config /etc/ella/ella-backup.json create")
    assert service["NoNewPrivileges"] == ["yes"]


def test_settings_file_is_what_the_program_reads(rendered_units: Path) -> None:
    config = json.loads((rendered_units / "ella-backup.json").read_text())
    d = defaults("ella_backup")
    assert config == {
        "backup_dir": d["ella_backup_dir"],
        "keep": d["ella_backup_keep"],
        "data_dir": d["ella_backup_data_dir"],
        "data_excludes": d["ella_backup_data_excludes"],
        "cli": d["ella_backup_cli"],
        "db_helper": d["ella_backup_db_helper"],
        "install_dir": d["ella_backup_install_dir"],
    }


# --- defaults and playbooks ---------------------------------------------------------------------------------


def test_backup_defaults_agree_with_ella_app() -> None:
    app, bk, schema = defaults("ella_app"), defaults("ella_backup"), defaults("ella_schema")
    assert bk["ella_backup_cli"] == app["ella_app_cli_path"]
    assert bk["ella_backup_config_dir"] == app["ella_app_config_dir"]
    assert bk["ella_backup_install_dir"] == app["ella_app_install_dir"]
    assert bk["ella_backup_data_dir"] == app["ella_app_data_dir"]
    assert bk["ella_backup_db_helper"] == schema["ella_schema_db_helper"]
    # the pre-upgrade dumps and the sets share one root-only parent
    assert Path(bk["ella_backup_dir"]).parent == Path(schema["ella_schema_backup_dir"]).parent
    restore = flat_tasks(load_yaml(ROLES / "ella_backup" / "tasks" / "restore.yml"))
    stops = [t for t in restore if t.get("ansible.builtin.systemd_service", {}).get("state") == "stopped"]
    assert [t["loop"] for t in stops] == ["{{ [ella_common_api_socket_unit] + ella_common_daemon_units }}"], (
        "the socket is stopped first, so that no request starts the API during the restore"
    )


def test_backup_and_restore_playbooks() -> None:
    backup_plays = load_yaml(ROOT / "playbooks" / "backup.yml")
    assert backup_plays[1]["hosts"] == "ella_backup_host"
    assert backup_plays[1]["vars"]["ella_backup_now"] is True
    restore = load_yaml(ROOT / "playbooks" / "restore.yml")[0]
    assert restore["hosts"] == "ella_app"
    steps = [t.get("ansible.builtin.import_role", {}) for t in restore["tasks"]]
    assert steps[-1] == {"name": "ella_backup", "tasks_from": "restore.yml"}
