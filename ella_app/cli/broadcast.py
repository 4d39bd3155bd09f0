"""``ella-cli broadcast``: messages shown as a banner to every user of the web UI."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.services import broadcasts


@click.group(help="Banner messages for all users of the web UI.")
def broadcast() -> None:
    pass


@broadcast.command("new")
@click.argument("words", nargs=-1, required=True)
@json_option
@reason_option
@pass_cli
def new(cli: CliContext, words: tuple[str, ...]) -> None:
    """Show the message WORDS... to all users, starting now."""
    message = " ".join(words)
    report = cli.change("broadcast", "new", lambda session, _progress: broadcasts.new_broadcast(session, message))
    cli.emit(report, f"broadcast {report.extra['id']} is active: {' '.join(message.split())}")


TAIL = 10


@broadcast.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Also list deactivated broadcasts.")
@click.option("--tail", is_flag=True, help=f"The last {TAIL} broadcasts, active or not (oldest first).")
@json_option
@pass_cli
def list_(cli: CliContext, include_inactive: bool, tail: bool) -> None:
    """List the active broadcasts (all of them with --all, the last ten with --tail)."""
    rows = cli.read(lambda session: broadcasts.list_broadcasts(session, include_inactive, TAIL if tail else None))
    human = [
        f"{row['id']}\t{row['date_created'][:19]}\t{'active' if row['active'] else 'inactive'}\t{row['message']}"
        for row in rows
    ] or ["no broadcasts"]
    cli.emit({"changed": False, "broadcasts": rows}, human)


@broadcast.command("deactivate")
@click.argument("broadcast_id", metavar="ID", type=int)
@json_option
@reason_option
@pass_cli
def deactivate(cli: CliContext, broadcast_id: int) -> None:
    """Stop showing broadcast ID."""
    cli.emit(
        cli.change(
            "broadcast", "deactivate", lambda session, _progress: broadcasts.deactivate_broadcast(session, broadcast_id)
        )
    )


commands = [broadcast]
