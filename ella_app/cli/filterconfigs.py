"""``ella-cli filterconfigs``: update from ELLA's filterconfigs.json, list, deactivate."""

from __future__ import annotations

import json

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.formats.filterconfigs import check_against_config, read_filterconfigs
from ella_app.services.filterconfigs import deactivate_filterconfig, list_filterconfigs, update_filterconfigs


@click.group(help="Filter configurations of the user groups (ELLA's filterconfigs.json).")
def filterconfigs() -> None:
    pass


@filterconfigs.command("update")
@click.argument("file", metavar="FILE")
@json_option
@reason_option
@pass_cli
def update(cli: CliContext, file: str) -> None:
    """Create or supersede filter configs from FILE and link them to their user groups.

    A config identical to the active one of that name is reused; a changed one supersedes it (the old row
    is kept, inactive). User groups must exist. Safe to re-run.
    """
    entries = read_filterconfigs(file)
    check_against_config(entries, cli.settings.config, file)
    report = cli.change(
        "filterconfigs",
        "update",
        lambda session, progress: update_filterconfigs(session, entries, progress=progress),
    )
    lines = [*report.messages, report.summary()]
    for row in report.extra["filterconfigs"]:
        groups_text = ", ".join(f"{name}:{order}" for name, order in row["usergroups"].items())
        lines.append(f"  {row['action']:<13} id {row['id']:<5} {row['name']}  [{groups_text}]")
    cli.emit(report, lines)


@filterconfigs.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include superseded and deactivated configs.")
@json_option
@pass_cli
def list_(cli: CliContext, include_inactive: bool) -> None:
    """List filter configs (active ones unless --all) with their user groups and order."""
    rows = cli.read(lambda session: list_filterconfigs(session, include_inactive=include_inactive))
    lines = [f"{'id':>5}  {'active':<6}  {'name':<30}  {'filters':<40}  groups (order)"]
    for row in rows:
        groups = ", ".join(f"{g['name']}:{g['order']}" for g in row["usergroups"])
        requirements = f"  requires {json.dumps(row['requirements'])}" if row["requirements"] else ""
        lines.append(
            f"{row['id']:>5}  {'yes' if row['active'] else 'no':<6}  {row['name']:<30}  "
            f"{','.join(row['filters']):<40}  {groups}{requirements}"
        )
    if not rows:
        lines = ["no filter configs"]
    cli.emit({"changed": False, "filterconfigs": rows}, lines)


@filterconfigs.command("deactivate")
@click.argument("filterconfig_id", metavar="ID", type=int)
@json_option
@reason_option
@pass_cli
def deactivate(cli: CliContext, filterconfig_id: int) -> None:
    """Deactivate filter config ID (it stays in the database). Warns when a group is left without one."""
    report = cli.change(
        "filterconfigs",
        "deactivate",
        lambda session, progress: deactivate_filterconfig(session, filterconfig_id),
    )
    cli.emit(report)


commands = [filterconfigs]
