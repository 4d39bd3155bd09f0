"""``ella-cli clilog list``: read the CLI audit log (who ran which data-changing command, when and why)."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli
from ella_app.services import audit


@click.group(help="The audit log of ella-cli commands that changed data (read only).")
def clilog() -> None:
    pass


@clilog.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, audit.MAX_LIST), help="Newest N rows.")
@click.option("--user", metavar="U", help="Only commands run by this operator.")
@json_option
@pass_cli
def list_(cli: CliContext, limit: int, user: str | None) -> None:
    """List the newest audit rows, newest first: time, operator, command, reason."""
    rows = cli.read(lambda session: audit.list_entries(session, limit, user))
    human = [
        f"{row['id']}\t{row['time'][:19]}\t{row['user']}\t{row['command']}\t{row['reason'] or ''}" for row in rows
    ] or ["no audit rows"]
    cli.emit({"changed": False, "entries": rows}, human)


commands = [clilog]
