"""Every command of the production guide exists and answers --help."""

from __future__ import annotations

import click

from ella_app.cli.main import cli as root

EXPECTED = {
    "database": {"make-production", "upgrade", "current", "compare", "refresh", "drop"},
    "deposit": {"genepanel", "references", "analysis"},
    "users": {"add_groups", "add_many", "list", "reset_password", "lock", "unlock", "modify"},
    "filterconfigs": {"update", "list", "deactivate"},
    "references": {"fetch"},
    "broadcast": {"new", "list", "deactivate"},
    "delete": {"analysis"},
    "analyses": {"watch"},
    "annotation": {"poll"},
    "config": {"validate"},
}


def test_command_groups_and_commands():
    assert set(EXPECTED) | {"igv-download"} <= set(root.commands)
    for group, commands in EXPECTED.items():
        command = root.commands[group]
        assert isinstance(command, click.Group)
        assert commands <= set(command.commands), group


def test_every_command_has_help(cli):
    assert "database" in cli.ok("--help").stdout
    for group, commands in EXPECTED.items():
        for name in commands:
            text = cli.ok(group, name, "--help").stdout
            assert text.startswith("Usage: ella-cli") and len(text.splitlines()) > 3, (group, name)
    assert "Usage: ella-cli igv-download" in cli.ok("igv-download", "--help").stdout
