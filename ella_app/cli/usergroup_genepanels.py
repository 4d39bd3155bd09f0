"""``ella-cli deposit append_genepanel_to_usergroup NAME VERSION GROUP``."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.groups import deposit
from ella_app.services.usergroup_genepanels import append_genepanel


@deposit.command("append_genepanel_to_usergroup")
@click.argument("genepanel_name")
@click.argument("genepanel_version")
@click.argument("user_group_name")
@json_option
@reason_option
@pass_cli
def append_genepanel_to_usergroup(
    cli: CliContext, genepanel_name: str, genepanel_version: str, user_group_name: str
) -> None:
    """Give user group USER_GROUP_NAME the gene panel GENEPANEL_NAME GENEPANEL_VERSION (safe to re-run)."""
    report = cli.change(
        "deposit",
        "append_genepanel_to_usergroup",
        lambda session, progress: append_genepanel(session, genepanel_name, genepanel_version, user_group_name),
    )
    cli.emit(report)
