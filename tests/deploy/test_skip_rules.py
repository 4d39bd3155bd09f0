"""The no-op converge skips work whose inputs did not change (docs/deployment.md, "A no-op converge"). Each skip
rule is evaluated here by Ansible itself, from the task's own ``when`` and the role's own variables: a run with
the same inputs skips, and every changed input (or the force variable, or a schema created in the run) makes the
work run again. A rule that ignored one of its inputs fails the matching case.

The harness writes a playbook per test: for a case with a marker it first renders the stamp under the previous
run's inputs (what that run wrote into the marker), then evaluates the task's conditions under this run's inputs
with the marker's SHA-1 as ``stat`` reports it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import ROLES, flat_tasks, load_yaml, run_playbook


def task(role: str, tasks_file: str, name: str) -> dict[str, Any]:
    found = [t for t in flat_tasks(load_yaml(ROLES / role / "tasks" / tasks_file)) if t.get("name") == name]
    assert len(found) == 1, f"{role}/tasks/{tasks_file}: task {name!r} found {len(found)} times"
    return found[0]


def conditions(role: str, *chain: tuple[str, str]) -> str:
    """The ``when`` of a task, and of the include_tasks it sits in, as one Jinja expression: CHAIN is
    (tasks file, task name) from the outermost include to the task (check mode read from ``_check``)."""
    items: list[Any] = []
    for tasks_file, name in chain:
        when = task(role, tasks_file, name).get("when", [])
        items.extend(when if isinstance(when, list) else [when])
    assert items, f"{chain}: no condition"
    text = " and ".join(f"({str(c).strip()})" for c in items)
    return text.replace("ansible_check_mode", "(_check | default(false))")


def jinja(expression: str) -> str:
    return "{{ " + expression + " }}"


def evaluate(tmp_path: Path, role: str, expression: str, cases: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Evaluate EXPRESSION for each case. A case has ``vars`` (this run's inputs) and optionally ``marker``:
    {"var": registered stat variable, "stamp": stamp variable, "previous": the previous run's inputs} (the
    marker then holds the stamp rendered from the previous inputs), or {"var": ..., "missing": true}."""
    var_files = [
        str(ROLES / "ella_common" / "defaults" / "main.yml"),
        str(ROLES / role / "defaults" / "main.yml"),
        str(ROLES / role / "vars" / "main.yml"),
    ]
    out = tmp_path / "results.json"
    tasks: list[dict[str, Any]] = []
    for case_id, case in cases.items():
        case_vars = dict(case["vars"])
        marker = case.get("marker")
        if marker and not marker.get("missing"):
            tasks.append(
                {
                    "name": f"previous stamp {case_id}",
                    "ansible.builtin.set_fact": {f"_previous_{case_id}": jinja(marker["stamp"])},
                    "vars": marker["previous"],
                }
            )
            case_vars[marker["var"]] = {
                "stat": {"exists": True, "checksum": jinja(f"_previous_{case_id} | hash('sha1')")}
            }
        elif marker:
            case_vars[marker["var"]] = {"stat": {"exists": False}}
        tasks.append(
            {
                "name": f"case {case_id}",
                "ansible.builtin.set_fact": {
                    "_results": jinja(f"_results | default({{}}) | combine({{'{case_id}': ({expression}) | bool}})")
                },
                "vars": case_vars,
            }
        )
    tasks.append(
        {
            "name": "write the results",
            "ansible.builtin.copy": {"content": "{{ _results | to_json }}", "dest": str(out), "mode": "0644"},
        }
    )
    playbook = tmp_path / "evaluate.yml"
    playbook.write_text(
        yaml.safe_dump(
            [{"hosts": "localhost", "gather_facts": False, "vars_files": var_files, "tasks": tasks}],
            sort_keys=False,
            width=1000,
        )
    )
    run_playbook(["-i", "localhost,", "-c", "local", str(playbook)])
    return json.loads(out.read_text())


# --- ella_app: the release's venv (pip) and the web UI link ------------------------------------------------

APP_WHEEL = "/w/ella_app-1.0-py3-none-any.whl"
WHEELS = {"files": [{"path": APP_WHEEL, "checksum": "aa"}, {"path": "/w/click.whl", "checksum": "bb"}]}
OTHER_WHEELS = {"files": [{"path": APP_WHEEL, "checksum": "ab"}, {"path": "/w/click.whl", "checksum": "bb"}]}
APP_INPUTS = {"_ella_app_wheels": WHEELS, "ella_app_package": "ella-app", "ella_app_python": "/usr/bin/python3"}
APP_INCLUDE = (
    "install.yml",
    "Install the release's venv and link its web UI (skipped while the install marker matches)",
)
APP_TASKS = [
    "Unpack the wheelhouse on the host",
    "Install the app into the release's venv (offline, from the wheelhouse)",
    "Look for the installed venv",
    "Find the web UI's static files in the venv",
    "Link the web UI's static files at a fixed place in the release",
    "Mark the release as installed (wheelhouse, package and Python it was installed from)",
]


def install_marker(previous: dict[str, Any] | None) -> dict[str, Any]:
    """The release's install marker as a case gives it: absent, or written from ``previous`` inputs."""
    marker: dict[str, Any] = {"var": "_ella_app_install_marker", "stamp": "_ella_app_install_stamp"}
    if previous is None:
        marker["missing"] = True
    else:
        marker["previous"] = previous
    return marker


def _app_case(previous: dict[str, Any] | None, **current: Any) -> dict[str, Any]:
    marker = install_marker(previous)
    return {
        "vars": {
            **APP_INPUTS,
            "_ella_app_release_dir_created": {"changed": False},
            "_ella_app_cli_bin": {"stat": {"exists": True}},
            "_ella_app_static": {"stdout": '{"static": "/x"}'},
            **current,
        },
        "marker": marker,
    }


APP_CASES = {
    "same": (_app_case(APP_INPUTS), False),
    "no_marker": (_app_case(None), True),
    "wheel_changed": (_app_case(APP_INPUTS, _ella_app_wheels=OTHER_WHEELS), True),
    "wheel_added": (
        _app_case(APP_INPUTS, _ella_app_wheels={"files": [*WHEELS["files"], {"path": "/w/x.whl", "checksum": "cc"}]}),
        True,
    ),
    "package_changed": (_app_case(APP_INPUTS, ella_app_package="ella-app[extra]"), True),
    "python_changed": (_app_case(APP_INPUTS, ella_app_python="/usr/bin/python3.12"), True),
    "forced": (_app_case(APP_INPUTS, ella_app_force_install=True), True),
}


@pytest.mark.parametrize("name", APP_TASKS)
def test_release_install_steps_run_exactly_when_the_marker_does_not_match(tmp_path: Path, name: str) -> None:
    cases = {k: v[0] for k, v in APP_CASES.items()}
    results = evaluate(tmp_path, "ella_app", conditions("ella_app", APP_INCLUDE, ("venv.yml", name)), cases)
    assert results == {k: v[1] for k, v in APP_CASES.items()}


def test_release_marker_is_written_where_it_is_read() -> None:
    looked_up = task("ella_app", "install.yml", "Look for the release's install marker")["ansible.builtin.stat"]
    written = task("ella_app", "venv.yml", APP_TASKS[-1])["ansible.builtin.copy"]
    assert looked_up["path"] == written["dest"]
    assert looked_up["checksum_algorithm"] == "sha1" and looked_up["get_checksum"] is True
    assert written["content"] == "{{ _ella_app_install_stamp }}"


# --- ella_fixtures: the fixtures deposit and the analyses import -------------------------------------------

FIXTURE_INPUTS = {"_ella_fixtures_sent": {"checksum": "1111"}}


def _fixtures_case(stamp: str, marker_var: str, previous: dict[str, Any] | None, **current: Any) -> dict[str, Any]:
    marker: dict[str, Any] = {"var": marker_var, "stamp": stamp}
    if previous is None:
        marker["missing"] = True
    else:
        marker["previous"] = previous
    return {"vars": {**FIXTURE_INPUTS, **current}, "marker": marker}


def _fixtures_cases(stamp: str, marker_var: str, argument: str) -> dict[str, tuple[dict[str, Any], bool]]:
    def case(previous: dict[str, Any] | None, **current: Any) -> dict[str, Any]:
        return _fixtures_case(stamp, marker_var, previous, **current)

    return {
        "same": (case(FIXTURE_INPUTS), False),
        "same_schema_head": (case(FIXTURE_INPUTS, ella_schema_state={"state": "head"}), False),
        "check_mode": (case(None, _check=True), False),
        "no_marker": (case(None), True),
        "archive_changed": (case(FIXTURE_INPUTS, _ella_fixtures_sent={"checksum": "2222"}), True),
        "argument_changed": (case(FIXTURE_INPUTS, **{argument: "/elsewhere"}), True),
        "schema_created_this_run": (case(FIXTURE_INPUTS, ella_schema_state={"state": "empty"}), True),
        "schema_migrated_this_run": (case(FIXTURE_INPUTS, ella_schema_state={"state": "behind"}), True),
        "forced": (case(FIXTURE_INPUTS, ella_fixtures_force=True), True),
    }


def test_fixtures_deposit_runs_exactly_when_its_inputs_changed(tmp_path: Path) -> None:
    expected = _fixtures_cases("_ella_fixtures_deposit_stamp", "_ella_fixtures_marker", "ella_fixtures_users_file")
    expression = conditions(
        "ella_fixtures",
        (
            "deposit.yml",
            "Deposit the fixtures with ella-cli (skipped while the inputs match the marker of the last deposit)",
        ),
    )
    results = evaluate(tmp_path, "ella_fixtures", expression, {k: v[0] for k, v in expected.items()})
    assert results == {k: v[1] for k, v in expected.items()}


def test_analyses_import_runs_exactly_when_its_inputs_changed(tmp_path: Path) -> None:
    expected = _fixtures_cases(
        "_ella_fixtures_analyses_stamp", "_ella_fixtures_analyses_marker", "ella_fixtures_analyses_dest_dir"
    )
    expression = conditions(
        "ella_fixtures", ("analyses.yml", "Import the analyses (already imported ones are skipped)")
    )
    results = evaluate(tmp_path, "ella_fixtures", expression, {k: v[0] for k, v in expected.items()})
    assert results == {k: v[1] for k, v in expected.items()}


@pytest.mark.parametrize(
    ("look", "record", "cli", "marker"),
    [
        (
            ("deposit.yml", "Look for the marker of the last deposit"),
            (
                "deposit-cli.yml",
                "Record the deposit's inputs (the next run skips the deposit while they stay the same)",
            ),
            ("deposit-cli.yml", "Deposit the fixtures (one-time passwords go to a file, not to the log)"),
            "ella_fixtures_marker",
        ),
        (
            ("analyses.yml", "Look for the marker of the last analyses import"),
            ("analyses.yml", "Record the import's inputs (the next run skips the import while they stay the same)"),
            ("analyses.yml", "Import the analyses (already imported ones are skipped)"),
            "ella_fixtures_analyses_marker",
        ),
    ],
)
def test_fixtures_markers_are_root_only_and_written_after_the_cli_ran(
    look: tuple[str, str], record: tuple[str, str], cli: tuple[str, str], marker: str
) -> None:
    looked_up = task("ella_fixtures", *look)["ansible.builtin.stat"]
    recorded = task("ella_fixtures", *record)
    assert looked_up["path"] == recorded["ansible.builtin.copy"]["dest"] == jinja(marker)
    assert recorded["ansible.builtin.copy"]["mode"] == "0600"
    assert recorded["ansible.builtin.copy"]["owner"] == "root"
    # only after ella-cli ran in this run, later in the same file (a failed run stops the play before it)
    names = [t.get("name") for t in flat_tasks(load_yaml(ROLES / "ella_fixtures" / "tasks" / cli[0]))]
    assert record[0] == cli[0] and names.index(cli[1]) < names.index(record[1])
    when = recorded.get("when", [])
    assert not when or any("is not skipped" in str(c) for c in when)


def test_restore_and_import_forget_the_fixtures_markers() -> None:
    markers = ["{{ ella_common_fixtures_marker }}", "{{ ella_common_analyses_marker }}"]
    restore = task("ella_backup", "restore.yml", "Forget the fixtures deposits recorded before the restore")
    imported = task("ella_import", "cutover.yml", "Forget the fixtures deposits recorded before the import")
    for forget in (restore, imported):
        assert forget["ansible.builtin.file"]["state"] == "absent"
        assert forget["loop"] == markers


# --- ella_schema: the head check after a change ------------------------------------------------------------


def test_schema_compare_runs_after_the_schema_was_created_or_migrated(tmp_path: Path) -> None:
    expected = {
        "head": ({"vars": {"ella_schema_state": {"state": "head"}}}, False),
        "created": ({"vars": {"ella_schema_state": {"state": "empty"}}}, True),
        "migrated": ({"vars": {"ella_schema_state": {"state": "behind"}}}, True),
        "check_mode": ({"vars": {"ella_schema_state": {"state": "behind"}, "_check": True}}, False),
    }
    expression = conditions(
        "ella_schema", ("main.yml", "Bring the schema to head"), ("change.yml", "Check that the schema is at head")
    )
    results = evaluate(tmp_path, "ella_schema", expression, {k: v[0] for k, v in expected.items()})
    assert results == {k: v[1] for k, v in expected.items()}


# --- apt: only when dpkg does not list a package as installed ----------------------------------------------

APT = [
    ("ella_postgresql", "main.yml", "Install PostgreSQL and the Python driver Ansible needs", "_ella_postgresql_dpkg",
     ["postgresql-15", "postgresql-client-15", "python3-psycopg2", "acl"], {}),
    ("ella_app", "layout.yml", "Install python3, venv support and what the pip module needs (packaging)",
     "_ella_app_dpkg", ["python3", "python3-venv", "python3-packaging"], {}),
    ("ella_nginx", "main.yml", "Install nginx (and python3-cryptography for the local CA's certificates)",
     "_ella_nginx_dpkg", ["nginx", "python3-cryptography"], {"ella_nginx_mode": "app"}),
    ("ella_nginx", "ca.yml", "Install python3-cryptography on the CA host", "_ella_nginx_ca_dpkg",
     ["python3-cryptography"], {}),
]  # fmt: skip


QUERY = "Look for the packages that are installed already (apt runs only when one is missing)"


@pytest.mark.parametrize(("role", "tasks_file", "name", "register", "packages", "extra"), APT)
def test_apt_runs_exactly_when_a_package_is_missing(
    tmp_path: Path, role: str, tasks_file: str, name: str, register: str, packages: list[str], extra: dict[str, Any]
) -> None:
    def case(lines: list[str]) -> dict[str, Any]:
        return {"vars": {**extra, register: {"rc": 0, "stdout_lines": lines}}}

    installed = [f"{p} installed" for p in packages]
    expected = {
        "all_installed": (case(installed), False),
        "one_unknown": (case(installed[:-1]), True),
        "one_removed": (case([*installed[:-1], f"{packages[-1]} config-files"]), True),
        "one_half_installed": (case([f"{packages[0]} half-configured", *installed[1:]]), True),
        "nothing_listed": (case([]), True),
    }
    results = evaluate(tmp_path, role, conditions(role, (tasks_file, name)), {k: v[0] for k, v in expected.items()})
    assert results == {k: v[1] for k, v in expected.items()}
    query = task(role, tasks_file, QUERY)
    assert query["register"] == register
