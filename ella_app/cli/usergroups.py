"""``ella-cli users add_groups``: ELLA's usergroups.json."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.groups import users
from ella_app.formats.usergroups import check_acmg_frequency_groups, read_usergroups
from ella_app.services.usergroups import add_groups as add_groups_service


@users.command("add_groups")
@click.argument("file", metavar="FILE")
@click.option("--name", "names", multiple=True, metavar="NAME", help="Only this group from FILE (repeatable).")
@click.option(
    "--dry-run",
    "-dry",
    "dry_run",
    is_flag=True,
    help="Check everything and report what would change; write nothing.",
)
@json_option
@reason_option
@pass_cli
def add_groups(cli: CliContext, file: str, names: tuple[str, ...], dry_run: bool) -> None:
    """Create or update user groups from FILE (ELLA's usergroups.json).

    Gene panels must be deposited first. Safe to re-run: identical groups are reported unchanged.
    """
    entries = read_usergroups(file, names)
    check_acmg_frequency_groups(entries, cli.settings.config.get("frequencies", {}).get("groups", {}), file)
    if dry_run:
        report = cli.read(lambda session: add_groups_service(session, entries, dry_run=True))
    else:
        report = cli.change(
            "users",
            "add_groups",
            lambda session, progress: add_groups_service(session, entries, progress=progress),
        )
    report.messages.extend(warning for entry in entries for warning in entry.warnings)
    cli.emit(report)
