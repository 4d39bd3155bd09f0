"""``ella-cli database``: create, migrate, check and refresh the schema."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.db import schema
from ella_app.services import audit


@click.group(help="Create, migrate, check and refresh the database schema.")
def database() -> None:
    pass


def _audit(cli: CliContext, command: str, output: str) -> None:
    import sys

    from ella_app.db.session import transaction

    with transaction(cli.settings.db_url) as session:
        audit.record(session, "database", command, sys.argv[1:], cli.reason, output)


@database.command("make-production")
@click.option("-f", "--force", is_flag=True, help="Accepted for compatibility with ELLA; not needed.")
@json_option
@reason_option
@pass_cli
def make_production(cli: CliContext, force: bool) -> None:
    """Create the schema on an empty database (migrations, then refresh).

    Safe to re-run: a database already at head is left alone (exit 0); an older schema is refused with a
    pointer to 'database upgrade'.
    """
    result = schema.make_production(cli.settings.db_url)
    if result["changed"]:
        _audit(cli, "make-production", result["message"])
    cli.emit(result, f"{result['message']} (revision {result['current']})")


@database.command("upgrade")
@click.argument("revision", default="head")
@json_option
@reason_option
@pass_cli
def upgrade(cli: CliContext, revision: str) -> None:
    """Migrate the schema to REVISION (default: head)."""
    result = schema.upgrade(cli.settings.db_url, revision)
    if result["changed"]:
        _audit(cli, "upgrade", f"{result['from']} -> {result['current']}")
    message = (
        f"upgraded from {result['from']} to {result['current']}"
        if result["changed"]
        else f"nothing to do: already at {result['current']}"
    )
    cli.emit(result, message)


@database.command("current")
@json_option
@pass_cli
def current(cli: CliContext) -> None:
    """Show the schema revision of the database and the newest one packaged."""
    state = schema.schema_state(cli.settings.db_url)
    cli.emit(state.as_dict(), f"current: {state.current or '(none)'}  head: {state.head}  state: {state.state}")


@database.command("compare")
@json_option
@pass_cli
def compare(cli: CliContext) -> None:
    """Exit 0 when the schema is at head, 1 otherwise (the services refuse to start then)."""
    state = schema.compare(cli.settings.db_url)
    cli.emit(state.as_dict(), f"database is at head ({state.head})")


@database.command("refresh")
@click.option("-f", "--force", is_flag=True, help="Accepted for compatibility with ELLA; not needed.")
@json_option
@pass_cli
def refresh(cli: CliContext, force: bool) -> None:
    """Refresh planner statistics and print row counts (safe to re-run)."""
    counts = schema.refresh(cli.settings.db_url)
    cli.emit({"changed": False, "rows": counts}, [f"{name}: {n}" for name, n in counts.items()])


@database.command("drop")
@click.option("-f", "--force", is_flag=True, help="Do not ask for the typed confirmation.")
@json_option
@pass_cli
def drop(cli: CliContext, force: bool) -> None:
    """Remove every table and all data. Asks you to type CONFIRM unless --force."""
    if not force:
        answer = click.prompt("This deletes ALL data. Type CONFIRM to proceed", default="", show_default=False)
        if answer != "CONFIRM":
            raise click.ClickException("not confirmed; nothing was dropped")
    schema.drop(cli.settings.db_url)
    cli.emit({"changed": True, "action": "dropped"}, "database schema dropped")


commands = [database]
