"""Safe upgrades (playbooks/upgrade.yml, roles/ella_upgrade): the playbook's shape, the role's entry points,
the drain decision (never the balancer's last app host), the helpers installed on the hosts (ella-db by
ella_app; wait-for-schema and wait-healthy by ella_upgrade; the ella-cli wrapper's ELLA_CLI_RELEASE), the socket
unit that stays open during restarts, and the defaults the roles share."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import shutil
import socketserver
import stat
import subprocess
import sys
import tempfile
import threading
import time
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

import pytest

from tests.deploy.conftest import ROLES, ROOT, defaults, flat_tasks, load_yaml, parse_unit, run_playbook

FILES = ROLES / "ella_upgrade" / "files"
TEMPLATES = ROLES / "ella_upgrade" / "templates"
TASKS = ROLES / "ella_upgrade" / "tasks"
APP_FILES = ROLES / "ella_app" / "files"


def load_script(path: Path) -> ModuleType:
    loader = SourceFileLoader(path.name.replace("-", "_"), str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the role's files/
    try:
        loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module


# --- the playbook -----------------------------------------------------------------------------------------


def test_upgrade_playbook_goes_host_by_host_and_stops_at_the_first_failure() -> None:
    plays = load_yaml(ROOT / "playbooks" / "upgrade.yml")
    assert plays[0]["ansible.builtin.import_playbook"] == "wheelhouse.yml"
    upgrade = plays[1]
    assert upgrade["hosts"] == "ella_app"
    assert upgrade["serial"] == 1
    assert upgrade["max_fail_percentage"] == 0
    tasks = upgrade["tasks"]
    install = tasks[0]["ansible.builtin.import_role"]
    assert install["name"] == "ella_app" and tasks[0]["vars"]["ella_app_switch_release"] is False
    switch = tasks[1]["ansible.builtin.include_role"]
    assert switch["name"] == "ella_upgrade" and "tasks_from" not in switch  # the main entry point


def test_ella_app_no_longer_holds_the_upgrade() -> None:
    """The switch, its hold, its rollback and their helpers live in ella_upgrade only (issue 17)."""
    app = ROLES / "ella_app"
    assert not list((app / "tasks").glob("upgrade*.yml"))
    assert not (app / "templates" / "ella-upgrade-hold.conf.j2").exists()
    assert not (app / "files" / "wait-healthy").exists()
    for path in app.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for word in ("ella_app_upgrade_", "wait-healthy", "wait-for-schema", "ella-upgrade-hold"):
                assert word not in text, (path, word)


def test_every_entry_point_is_a_tasks_file_and_every_tasks_from_an_entry_point() -> None:
    specs = load_yaml(ROLES / "ella_upgrade" / "meta" / "argument_specs.yml")["argument_specs"]
    assert set(specs) == {"main", "hold", "rollback"}
    for entry in specs:
        assert (TASKS / f"{entry}.yml").is_file(), entry
    # every include of the role names an entry point (or none: main)
    for path in [*ROOT.glob("playbooks/*.yml"), *ROOT.glob("molecule/*/*.yml"), *ROOT.glob("molecule/*/tasks/*.yml")]:
        plays = load_yaml(path)
        if not isinstance(plays, list):
            continue  # molecule.yml
        for task in flat_tasks([t for play in plays for t in _play_tasks(play)]):
            include = task.get("ansible.builtin.include_role") or task.get("ansible.builtin.import_role") or {}
            if include.get("name") == "ella_upgrade":
                entry = include.get("tasks_from", "main.yml").removesuffix(".yml")
                assert entry in specs, (path, include)


def _play_tasks(item: dict) -> list[dict]:
    """The tasks of a play (pre_tasks, tasks, post_tasks), or the item itself when it is a task."""
    if "hosts" in item:
        return [t for key in ("pre_tasks", "tasks", "post_tasks") for t in item.get(key) or []]
    return [item]


def _names(tasks: list[dict]) -> list[str]:
    return [task.get("name", "") for task in flat_tasks(tasks)]


def test_the_switch_runs_in_order_and_rolls_back_in_its_rescue() -> None:
    tasks = load_yaml(TASKS / "main.yml")
    switch = next(t for t in tasks if "block" in t)
    # the block's condition is fixed before the block: rescue tasks inherit it and change the outcome
    assert switch["when"] == "_ella_upgrade_switch | bool"
    steps = [t["name"] for t in switch["block"]]
    order = [
        "Read the schema state with the new release's ella-cli",
        "Dump the database before the migration",
        "Take the host out of the balancer (stop nginx gracefully)",
        "Hold - let the units wait for the schema instead of refusing to start",
        "Switch the live release to {{ ella_upgrade_release }}",
        "Stop the ELLA units (the API socket stays open; requests wait in it)",
        "Migrate the schema (first host of the upgrade; the others find it at head)",
        "Start the ELLA units on the new release",
        "Drop the hold (later starts check the schema as usual)",
    ]
    assert [s for s in steps if s in order] == order
    assert any(s.startswith("Health check of the new release") for s in steps)
    assert steps.index("Put the host back into the balancer") > steps.index(
        "Drop the hold (later starts check the schema as usual)"
    )
    rescue = [t["name"] for t in switch["rescue"]]
    assert "Roll back to the previous release" in rescue
    assert rescue[-1].startswith("Fail the host after the rollback")
    rollback = _names(load_yaml(TASKS / "rollback.yml"))
    for step in (
        "Point current back at the previous release",
        "Restore the pre-migration dump (the schema had moved to the new release's head)",
        "Check that the previous release accepts the database schema now",
        "Health check of the previous release",
        "The rollback failed too",
    ):
        assert step in rollback, step


def _commands(tasks: list[dict]) -> list[list[str] | str]:
    out: list[list[str] | str] = []
    for task in flat_tasks(tasks):
        for key in ("ansible.builtin.command", "ansible.builtin.shell"):
            if key in task:
                args = task[key]
                out.append(args.get("argv") or args.get("cmd") if isinstance(args, dict) else args)
    return out


def test_no_secret_reaches_a_command_line() -> None:
    """Database clients get the connection from ella-cli (DB_URL in its environment file), never a URL argument."""
    for role in ("ella_schema", "ella_backup", "ella_app", "ella_upgrade"):
        for path in (ROLES / role / "tasks").glob("*.yml"):
            text = path.read_text()
            if role != "ella_app":  # ella_app assembles the URL for the environment file (no_log)
                assert "$DB_URL" not in text and "postgresql://" not in text, path
            for command in _commands(load_yaml(path) or []):
                words = command if isinstance(command, list) else str(command).split()
                first = str(words[0]) if words else ""
                assert not first.endswith(("pg_dump", "pg_restore", "psql")), (path, command)
                assert "DB_URL" not in " ".join(map(str, words)), (path, command)
            assert "ansible.builtin.shell" not in text, path


# --- the API socket stays open while the API restarts --------------------------------------------------------


def test_the_socket_is_not_restarted_with_the_api(rendered_venv: Path) -> None:
    unit = parse_unit(rendered_venv / "ella-api.socket")["Unit"]
    assert "PartOf" not in unit, "PartOf would close the listening socket at every API restart"
    assert "BindsTo" not in unit


def test_hold_drop_in_replaces_the_start_guard() -> None:
    text = (TEMPLATES / "ella-upgrade-hold.conf.j2").read_text()
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == "[Service]"
    assert lines[1] == "ExecStartPre="  # reset the unit's own `ella-cli database compare` first
    assert lines[2].startswith("ExecStartPre={{ _ella_upgrade_wait_for_schema }} ")
    assert any(ln.startswith("TimeoutStartSec=") for ln in lines)
    helpers = load_yaml(ROLES / "ella_upgrade" / "vars" / "main.yml")
    installed = {
        t["ansible.builtin.template"]["dest"]
        for t in load_yaml(TASKS / "helpers.yml")
        if "ansible.builtin.template" in t
    }
    assert installed == {"{{ _ella_upgrade_wait_for_schema }}"}
    assert helpers["_ella_upgrade_wait_for_schema"] == "/usr/local/libexec/ella/wait-for-schema"


# --- wait-for-schema ------------------------------------------------------------------------------------------


def _render_wait_for_schema(tmp: Path) -> Path:
    text = (TEMPLATES / "wait-for-schema.sh.j2").read_text()
    text = text.replace("{{ ansible_managed }}", "test").replace("{{ ella_upgrade_install_dir }}", str(tmp / "opt"))
    script = tmp / "wait-for-schema"
    script.write_text(text)
    script.chmod(0o755)
    cli = tmp / "opt" / "current" / "venv" / "bin" / "ella-cli"
    cli.parent.mkdir(parents=True)
    return script


def test_wait_for_schema_waits_until_compare_passes(tmp_path: Path) -> None:
    script = _render_wait_for_schema(tmp_path)
    counter = tmp_path / "tries"
    cli = tmp_path / "opt" / "current" / "venv" / "bin" / "ella-cli"
    cli.write_text(f'#!/bin/sh\necho x >> {counter}\n[ "$(wc -l < {counter})" -ge 3 ]\n')
    cli.chmod(0o755)
    start = time.monotonic()
    result = subprocess.run([str(script), "30"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert counter.read_text().count("x") == 3
    assert time.monotonic() - start >= 2


def test_wait_for_schema_gives_up_with_compares_message(tmp_path: Path) -> None:
    script = _render_wait_for_schema(tmp_path)
    cli = tmp_path / "opt" / "current" / "venv" / "bin" / "ella-cli"
    cli.write_text('#!/bin/sh\necho "database schema is not at head" >&2\nexit 1\n')
    cli.chmod(0o755)
    result = subprocess.run([str(script), "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "not at head" in result.stderr


# --- wait-healthy ---------------------------------------------------------------------------------------------


class _Status(http.server.BaseHTTPRequestHandler):
    code = 200

    def do_GET(self) -> None:
        body = json.dumps({"status": "ok" if self.code == 200 else "error", "version": "9"}).encode()
        self.send_response(self.code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _fake_systemd(bin_dir: Path, props: dict[str, dict[str, str]], journal: str = "a journal line") -> None:
    blocks = "\n\n".join("\n".join(f"{k}={v}" for k, v in {"Id": u, **p}.items()) for u, p in props.items())
    (bin_dir / "systemctl").write_text(f"#!/bin/sh\ncat <<'EOF'\n{blocks}\nEOF\n")
    (bin_dir / "journalctl").write_text(
        f"#!/bin/sh\necho \"$*\" >> {bin_dir}/journalctl.args\ncat <<'EOF'\n{journal}\nEOF\n"
    )
    for f in ("systemctl", "journalctl"):
        (bin_dir / f).chmod(0o755)


@pytest.fixture
def status_socket():
    tmp = Path(tempfile.mkdtemp(prefix="ella-health-"))
    path = tmp / "api.sock"

    def serve(code: int) -> str:
        handler = type("H", (_Status,), {"code": code})
        server = _UnixServer(str(path), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return str(path)

    servers: list[_UnixServer] = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
    shutil.rmtree(tmp)


def _wait_healthy(
    tmp: Path, socket_path: str, timeout: float, *units: str, since: int | None = None
) -> tuple[int, dict]:
    env = {**os.environ, "PATH": f"{tmp}:{os.environ['PATH']}"}
    extra = [] if since is None else ["--since", str(since)]
    proc = subprocess.run(
        [str(FILES / "wait-healthy"), "--timeout", str(timeout), "--socket", socket_path, *extra, *units],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return proc.returncode, json.loads(proc.stdout)


UNITS = ("ella-api.service", "ella-watcher.service")


def test_wait_healthy_accepts_active_units_and_a_200(tmp_path: Path, status_socket) -> None:
    _fake_systemd(tmp_path, {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS})
    rc, result = _wait_healthy(tmp_path, status_socket(200), 10, *UNITS)
    assert rc == 0 and result["healthy"] and result["status"] == 200


def test_wait_healthy_fails_at_once_on_a_restarted_unit(tmp_path: Path, status_socket) -> None:
    props = {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS}
    props["ella-api.service"]["NRestarts"] = "1"
    _fake_systemd(tmp_path, props)
    start = time.monotonic()
    rc, result = _wait_healthy(tmp_path, status_socket(200), 60, *UNITS)
    assert rc == 1 and not result["healthy"]
    assert "ella-api.service" in result["reason"] and "restarted" in result["reason"]
    assert result["journal"] == ["a journal line"]
    assert time.monotonic() - start < 30


SETUP_FAILURE = (
    "ella-api.service: Main process exited, code=exited, status=219/CGROUP\n"
    "ella-api.service: Failed with result 'exit-code'.\n"
    "ella-api.service: Scheduled restart job, restart counter is at 1."
)
CRASH = "ella-api.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED"


def test_wait_healthy_does_not_count_a_start_systemd_could_not_set_up(tmp_path: Path, status_socket) -> None:
    """219/CGROUP: the process never ran (old control group still being removed), so the release did not crash."""
    props = {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS}
    props["ella-api.service"]["NRestarts"] = "1"
    _fake_systemd(tmp_path, props, journal=SETUP_FAILURE)
    rc, result = _wait_healthy(tmp_path, status_socket(200), 10, *UNITS, since=1795900000)
    assert rc == 0 and result["healthy"], result
    assert "--unit=ella-api.service --since=@1795900000" in (tmp_path / "journalctl.args").read_text()


def test_wait_healthy_counts_a_crash_next_to_a_setup_failure(tmp_path: Path, status_socket) -> None:
    props = {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS}
    props["ella-api.service"]["NRestarts"] = "2"
    _fake_systemd(tmp_path, props, journal=SETUP_FAILURE + "\n" + CRASH)
    rc, result = _wait_healthy(tmp_path, status_socket(200), 10, *UNITS, since=1795900000)
    assert rc == 1 and "ella-api.service" in result["reason"]


def test_wait_healthy_times_out_on_an_unhealthy_api(tmp_path: Path, status_socket) -> None:
    _fake_systemd(tmp_path, {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS})
    rc, result = _wait_healthy(tmp_path, status_socket(503), 2, *UNITS)
    assert rc == 1 and "503" in result["reason"]


def test_wait_healthy_times_out_on_an_inactive_unit(tmp_path: Path, status_socket) -> None:
    props = {u: {"ActiveState": "active", "SubState": "running", "NRestarts": "0"} for u in UNITS}
    props["ella-watcher.service"]["ActiveState"] = "activating"
    _fake_systemd(tmp_path, props)
    rc, result = _wait_healthy(tmp_path, status_socket(200), 2, *UNITS)
    assert rc == 1 and "ella-watcher.service" in result["reason"]


# --- ella-db: root-only dump files handed to ella-cli ------------------------------------------------------------


def _fake_cli(tmp_path: Path, dump_rc: int = 0) -> Path:
    """An ella-cli that records its arguments and what it got: the dump goes to its standard output, a restore
    reads its standard input."""
    cli = tmp_path / "ella-cli"
    failure = f'echo "Error: pg_dump failed: no route" >&2; exit {dump_rc}'
    restored = tmp_path / "restored-from-stdin"
    cli.write_text(
        "#!/bin/sh\n"
        f'echo "$* release=$ELLA_CLI_RELEASE" >> {tmp_path}/calls\n'
        'case "$1 $2 $3" in\n'
        f'  "database dump -") printf PGDMP-bytes; [ {dump_rc} = 0 ] || {{ {failure}; }};'
        "    echo '{\"changed\": true}' >&2 ;;\n"
        f'  "database restore -") cat > {restored}; echo \'{{"changed": true, "restored": "stdin"}}\' ;;\n'
        "  *) exit 9 ;;\n"
        "esac\n"
    )
    cli.chmod(0o755)
    return cli


def _ella_db(cli: Path, *args: str, **env: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [str(APP_FILES / "ella-db"), "--cli", str(cli), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_ella_db_writes_the_dump_root_only_through_ella_cli(tmp_path: Path) -> None:
    cli = _fake_cli(tmp_path)
    target = tmp_path / "pre-upgrade" / "ella.dump"
    target.parent.mkdir(mode=0o700)
    rc, result = _ella_db(cli, "dump", str(target), ELLA_CLI_RELEASE="abc123")
    assert rc == 0 and result["changed"] is True and result["file"] == str(target)
    assert target.read_bytes() == b"PGDMP-bytes" and result["size"] == len(b"PGDMP-bytes")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and not target.with_name("ella.dump.part").exists()
    assert (tmp_path / "calls").read_text() == "database dump - --json release=abc123\n"


def test_ella_db_leaves_no_file_when_the_dump_fails(tmp_path: Path) -> None:
    cli = _fake_cli(tmp_path, dump_rc=1)
    target = tmp_path / "ella.dump"
    rc, result = _ella_db(cli, "dump", str(target))
    assert rc == 1 and result["failed"] is True and "pg_dump failed: no route" in result["msg"]
    assert not target.exists() and not target.with_name("ella.dump.part").exists()
    rc, result = _ella_db(cli, "dump", str(tmp_path / "missing" / "ella.dump"))
    assert rc == 1 and "no such directory" in result["msg"]


def test_ella_db_hands_the_dump_to_ella_cli_restore_on_standard_input(tmp_path: Path) -> None:
    cli = _fake_cli(tmp_path)
    source = tmp_path / "ella.dump"
    source.write_bytes(b"PGDMP-saved")
    source.chmod(0o600)
    rc, result = _ella_db(cli, "restore", str(source))
    assert rc == 0 and result == {"changed": True, "restored": str(source)}
    assert (tmp_path / "restored-from-stdin").read_bytes() == b"PGDMP-saved"
    assert (tmp_path / "calls").read_text().startswith("database restore - --force --json --reason ")
    rc, result = _ella_db(cli, "restore", str(tmp_path / "nope.dump"))
    assert rc == 1 and "no such dump" in result["msg"]


def test_ella_db_has_no_database_client_of_its_own() -> None:
    """The connection, the password and the SQL are ella-cli's (ella_app/db/dumps.py)."""
    code = (APP_FILES / "ella-db").read_text().split('"""', 2)[2]  # after the docstring, which explains this
    for word in ("DB_URL", "PGPASS", "psql", "SELECT", "DROP ", "urllib"):
        assert word not in code, word
    proc = subprocess.run([str(APP_FILES / "ella-db"), "run", "psql"], capture_output=True, text=True)
    assert proc.returncode == 2 and "ella-db [--cli PATH] dump FILE" in proc.stderr


# --- the ella-cli wrapper runs another release's CLI on request -------------------------------------------------


def _wrapper(tmp: Path, rendered: Path) -> tuple[Path, Path]:
    text = (rendered / "ella-cli").read_text()
    env = tmp / "ella.env"
    env.write_text("DB_URL='postgresql://x@y/z'\n")
    for release in ("current", "releases/abc123"):
        cli = tmp / "opt" / release / "venv" / "bin" / "ella-cli"
        cli.parent.mkdir(parents=True)
        cli.write_text(f'#!/bin/sh\necho "{release} $*"\n')
        cli.chmod(0o755)
    wrapper = tmp / "ella-cli"
    wrapper.write_text(
        text.replace("ENV_FILE='/etc/ella/ella.env'", f"ENV_FILE='{env}'")
        .replace("/opt/ella/", f"{tmp}/opt/")
        .replace("RUN_AS='ella'", "RUN_AS='nobody'")
        .replace("SELF='/usr/local/bin/ella-cli'", f"SELF='{wrapper}'")
    )
    wrapper.chmod(0o755)
    for p in [tmp, *tmp.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
        elif not os.access(p, os.X_OK):
            p.chmod(0o644)
    return wrapper, env


def test_wrapper_runs_the_named_release(rendered_venv: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux)")
    tmp = Path(tempfile.mkdtemp(prefix="ella-wrapper-release-", dir="/var/tmp"))
    try:
        wrapper, _ = _wrapper(tmp, rendered_venv)
        base = {"PATH": "/usr/bin:/bin"}
        run = lambda **env: subprocess.run(  # noqa: E731
            [str(wrapper), "database", "current"], capture_output=True, text=True, cwd="/", env={**base, **env}
        )
        assert run().stdout.strip() == "current database current"
        assert run(ELLA_CLI_RELEASE="abc123").stdout.strip() == "releases/abc123 database current"
        for bad in ("../abc123", ".hidden", "a/b", "x y"):
            refused = run(ELLA_CLI_RELEASE=bad)
            assert refused.returncode == 1 and "release directory name" in refused.stderr, bad
    finally:
        shutil.rmtree(tmp)


# --- defaults the roles share -----------------------------------------------------------------------------------


def test_upgrade_defaults_agree_with_the_other_roles() -> None:
    upgrade, app, services, schema = (
        defaults("ella_upgrade"),
        defaults("ella_app"),
        defaults("ella_services"),
        defaults("ella_schema"),
    )
    assert upgrade["ella_upgrade_api_socket"] == services["ella_services_api_socket"]
    assert upgrade["ella_upgrade_install_dir"] == app["ella_app_install_dir"]
    assert upgrade["ella_upgrade_cli_path"] == app["ella_app_cli_path"] == schema["ella_schema_cli"]
    assert upgrade["ella_upgrade_db_helper"] == schema["ella_schema_db_helper"]
    installed = {
        t["ansible.builtin.copy"]["dest"]
        for t in load_yaml(ROLES / "ella_app" / "tasks" / "config.yml")
        if "ansible.builtin.copy" in t
    }
    assert schema["ella_schema_db_helper"] in installed
    assert app["ella_app_keep_releases"] >= 2, "keep the previous release for a rollback"


def test_helpers_are_executable() -> None:
    for path in (APP_FILES / "ella-db", FILES / "wait-healthy"):
        assert path.stat().st_mode & stat.S_IXUSR, path
        assert path.read_text().startswith("#!/usr/bin/python3\n"), path


# --- the drain: never the balancer's last app host ---------------------------------------------------------------

DRAIN_INVENTORY = {
    "all": {
        "children": {
            "ella_balancer": {"hosts": {"lb": {}}},
            "ella_proxy": {"hosts": {"app1": {}, "app2": {}}},
            "ella_app": {"hosts": {"app1": {}, "app2": {}}},
        }
    }
}
ONE_APP_HOST = {
    "all": {
        "children": {
            "ella_balancer": {"hosts": {"lb": {}}},
            "ella_proxy": {"hosts": {"app1": {}}},
            "ella_app": {"hosts": {"app1": {}}},
        }
    }
}
NO_BALANCER = {"all": {"children": {"ella_proxy": {"hosts": {"app1": {}, "app2": {}}}}}}


def _decision_task(name: str) -> dict:
    found = [t for t in flat_tasks(load_yaml(TASKS / "main.yml")) if t.get("name") == name]
    assert len(found) == 1, name
    return found[0]


def _peer(host: str, **result: object) -> dict:
    return {"item": host, **result}


ACTIVE, INACTIVE, UNREACHABLE = {"rc": 0, "stdout": "active"}, {"rc": 3, "stdout": "inactive"}, {"unreachable": True}


def _drain(tmp_path: Path, inventory: dict, mode: str, peers: list[dict]) -> dict[str, object]:
    """The drain decision of app1 as main.yml takes it (its own set_fact, evaluated by Ansible), given what the
    other app hosts answered to `systemctl is-active`; also the hosts main.yml asks."""
    decide = _decision_task("Decide whether to take this host out of the balancer")["ansible.builtin.set_fact"]
    ask = _decision_task("Ask which other app hosts behind the balancer are in service")
    # the play runs on every app host, as upgrade.yml's does (serial 1 or not, ansible_play_hosts_all is all of
    # them); app1's decision is read
    play = {
        "hosts": "ella_proxy",
        "connection": "local",
        "gather_facts": False,
        "vars_files": [
            str(ROLES / "ella_common" / "defaults" / "main.yml"),
            str(ROLES / "ella_upgrade" / "defaults" / "main.yml"),
            str(ROLES / "ella_upgrade" / "vars" / "main.yml"),
        ],
        "tasks": [
            {
                # set_fact: above the role defaults loaded as vars_files
                "name": "The mode, and what the peers answered",
                "ansible.builtin.set_fact": {
                    "ella_upgrade_drain": mode,
                    "_ella_upgrade_peer_nginx": {"results": peers},
                },
            },
            {"name": "Decide", "ansible.builtin.set_fact": decide},
            {
                "name": "Write it",
                "ansible.builtin.copy": {
                    "content": "{{ {'drain': _ella_upgrade_drain | bool, 'asked': "
                    + ask["loop"].strip("{} ")
                    + ", 'ask': ("
                    + ask["when"]
                    + ") | bool} | to_json }}",
                    "dest": f"{tmp_path}/{{{{ inventory_hostname }}}}.json",
                    "mode": "0644",
                },
            },
        ],
    }
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    (tmp_path / "play.json").write_text(json.dumps([play]))
    run_playbook(["-i", str(tmp_path / "inventory.json"), str(tmp_path / "play.json")])
    return json.loads((tmp_path / "app1.json").read_text())


def test_a_host_is_drained_while_another_app_host_is_in_service(tmp_path: Path) -> None:
    assert _drain(tmp_path, DRAIN_INVENTORY, "auto", [_peer("app2", **ACTIVE)]) == {
        "drain": True,
        "asked": ["app2"],
        "ask": True,
    }


@pytest.mark.parametrize("answer", [INACTIVE, UNREACHABLE], ids=["nginx-stopped", "unreachable"])
def test_the_last_app_host_in_service_is_not_drained(tmp_path: Path, answer: dict) -> None:
    """Two app hosts out of the balancer at once (the other one's nginx stopped, or the host gone) would leave
    the balancer nothing to send requests to: this host stays in and its API socket holds them instead."""
    assert _drain(tmp_path, DRAIN_INVENTORY, "auto", [_peer("app2", **answer)])["drain"] is False


def test_without_a_balancer_or_a_second_app_host_nothing_is_drained(tmp_path: Path) -> None:
    assert _drain(tmp_path, ONE_APP_HOST, "auto", []) == {"drain": False, "asked": [], "ask": True}
    (tmp_path / "b").mkdir()
    assert _drain(tmp_path / "b", NO_BALANCER, "auto", [])["ask"] is False


@pytest.mark.parametrize(("mode", "expected"), [("nginx", True), ("none", False)])
def test_the_drain_can_be_forced_or_switched_off(tmp_path: Path, mode: str, expected: bool) -> None:
    assert _drain(tmp_path, DRAIN_INVENTORY, mode, [])["drain"] is expected
