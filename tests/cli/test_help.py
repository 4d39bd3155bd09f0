"""Every command of the production guide exists and answers --help; each start imports only what it runs."""

from __future__ import annotations

import subprocess
import sys

import click

from ella_app.cli.main import cli as root

EXPECTED = {
    "database": {
        "make-production",
        "make",
        "upgrade",
        "downgrade",
        "current",
        "history",
        "compare",
        "refresh",
        "drop",
        "dump",
        "restore",
        "fingerprint",
    },
    "deposit": {"genepanel", "references", "analysis"},
    "users": {"add_groups", "add_many", "list", "activity", "reset_password", "lock", "unlock", "modify"},
    "filterconfigs": {"update", "list", "deactivate"},
    "references": {"fetch"},
    "broadcast": {"new", "list", "deactivate"},
    "clilog": {"list"},
    "delete": {"analysis", "alleleinterpretation"},
    "analyses": {"watch"},
    "annotation": {"poll"},
    "config": {"validate"},
    "webui": {"path"},
}


def test_command_groups_and_commands():
    ctx = click.Context(root)
    assert set(EXPECTED) | {"igv-download"} <= set(root.list_commands(ctx))
    for group, commands in EXPECTED.items():
        command = root.get_command(ctx, group)
        assert isinstance(command, click.Group)
        assert commands <= set(command.list_commands(ctx)), group


def test_a_command_imports_only_its_own_module():
    """Ansible starts ella-cli many times per deployment: a deposit must not load Alembic, Flask or the importer."""
    code = (
        "import sys, click\n"
        "from ella_app.cli.main import cli\n"
        "ctx = click.Context(cli)\n"
        "assert cli.get_command(ctx, 'deposit').get_command(ctx, 'references') is not None\n"
        "assert cli.get_command(ctx, 'users').get_command(ctx, 'add_groups') is not None\n"
        "heavy = ['alembic', 'flask', 'ella_app.services.importer', 'ella_app.cli.database']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"imported on a plain deposit: {loaded}"


def test_every_command_has_help(cli):
    assert "database" in cli.ok("--help").stdout
    for group, commands in EXPECTED.items():
        for name in commands:
            text = cli.ok(group, name, "--help").stdout
            assert text.startswith("Usage: ella-cli") and len(text.splitlines()) > 3, (group, name)
    assert "Usage: ella-cli igv-download" in cli.ok("igv-download", "--help").stdout
