"""Ansible never reaches around ella-cli (README, "Layers depend one way"): no inline Python, no database client
and no SQL anywhere in the roles; application work goes through `ella-cli … --json`."""

from __future__ import annotations

import re

from tests.deploy.conftest import ROLES, flat_tasks, load_yaml

# the grep; pg_dump and pg_restore are named in prose and run by ella-cli (the backup program's
# `pg_restore --list` only reads a dump file's table of contents, no database)
AROUND_THE_CLI = re.compile(r"python3? -c|psql|SELECT|alembic")


def test_no_role_file_holds_inline_python_sql_or_a_database_client() -> None:
    found = []
    for path in sorted(p for p in ROLES.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if AROUND_THE_CLI.search(line):
                found.append(f"{path.relative_to(ROLES)}:{number}: {line.strip()}")
    assert found == []


def test_no_task_runs_python_or_a_postgresql_client() -> None:
    for path in sorted(ROLES.glob("*/tasks/*.yml")):
        for task in flat_tasks(load_yaml(path)):
            for key in ("ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.script"):
                args = task.get(key)
                if args is None:
                    continue
                argv = args.get("argv") if isinstance(args, dict) else str(args).split()
                first = str((argv or [""])[0])
                assert not re.search(r"(^|/)(python3?|psql|pg_dump|pg_restore)$", first), (path, task.get("name"))
