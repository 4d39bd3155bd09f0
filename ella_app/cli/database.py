"""``ella-cli database``: create, migrate (up and down), check, list and refresh the schema; dump, restore and
fingerprint the whole database (for backups and upgrades)."""

from __future__ import annotations

import json

import click

from ella_app.cli import dumpfiles
from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.lazy import LazyGroup
from ella_app.db import dumps, schema
from ella_app.services import audit


@click.group(
    cls=LazyGroup,
    lazy_commands={"import-ella": "import_ella"},  # the move from ELLA, in its own module
    help="Create, migrate, check and refresh the database schema; dump and restore it; import an ELLA database.",
)
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


def _confirmed(force: bool, warning: str) -> None:
    """ELLA's safeguard for destructive commands: type CONFIRM (unless -f)."""
    if force:
        return
    answer = click.prompt(f"{warning} Type CONFIRM to proceed", default="", show_default=False, err=True)
    if answer != "CONFIRM":
        raise click.ClickException("not confirmed; nothing was changed")


@database.command("downgrade", context_settings={"ignore_unknown_options": True})  # "-1" is a revision
@click.argument("revision")
@click.option("-f", "--force", is_flag=True, help="Do not ask for the typed confirmation.")
@json_option
@reason_option
@pass_cli
def downgrade(cli: CliContext, revision: str, force: bool) -> None:
    """Migrate the schema down to REVISION (an id, "-1", or "base"). Migrating down drops the tables and
    columns of the later migrations with their data: asks you to type CONFIRM unless --force. Nothing happens
    (and nothing is asked) when the database is already at REVISION."""
    state = schema.schema_state(cli.settings.db_url)
    target = schema.resolve(revision, state.current)
    if state.current != target:
        _confirmed(
            force,
            f"Migrating down from {state.current or 'base'} to {target or 'base'} deletes the data of the later "
            "migrations. Stop the ELLA services first.",
        )
    result = schema.downgrade(cli.settings.db_url, revision)
    if result["changed"] and result["current"] is not None:  # at base the audit log's table is gone too
        _audit(cli, "downgrade", f"{result['from']} -> {result['current']}")
    message = (
        f"downgraded from {result['from']} to {result['current'] or 'base'}"
        if result["changed"]
        else f"nothing to do: already at {result['current'] or 'base'}"
    )
    cli.emit(result, message)


@database.command("history")
@click.option("-v", "--verbose", is_flag=True, help="Also the parent revision and the file of each migration.")
@click.option("--range", "revision_range", metavar="START:END", help="Only these (e.g. 0002:head, :0002).")
@json_option
@pass_cli
def history(cli: CliContext, verbose: bool, revision_range: str | None) -> None:
    """List the migrations, oldest first, marking the database's current one and those applied."""
    rows = schema.history(cli.settings.db_url, revision_range)
    human = []
    for row in rows:
        marks = ", ".join(m for m, on in (("current", row["current"]), ("head", row["head"])) if on)
        line = f"{'*' if row['applied'] else ' '} {row['revision']}  {row['description']}" + (
            f"  ({marks})" if marks else ""
        )
        if verbose:
            line += f"\n      parent: {row['down_revision'] or 'base'}  file: {row['path']}"
        human.append(line)
    cli.emit({"changed": False, "migrations": rows}, human or ["no migrations"])


@database.command("make")
@click.option("-f", "--force", is_flag=True, help="Do not ask for the typed confirmation.")
@json_option
@reason_option
@pass_cli
def make(cli: CliContext, force: bool) -> None:
    """Create every table from the current models on an EMPTY database, for development and tests (ELLA's
    'database make'). Like ELLA's, it records no migration version: 'database compare' then fails and the
    services refuse the database. Production databases are made with 'database make-production'. Asks you
    to type CONFIRM unless --force."""
    _confirmed(force, "This creates the tables from the models, without migrations, for development and tests.")
    result = schema.make(cli.settings.db_url)
    _audit(cli, "make", result["action"])
    cli.emit(
        result,
        f"{result['tables']} tables created from the models; no migration version recorded "
        "('database compare' will fail: use make-production for ELLA's services)",
    )


@database.command("current")
@json_option
@pass_cli
def current(cli: CliContext) -> None:
    """Show the schema revision of the database, the newest one packaged, and (with --json, as "revisions",
    oldest first) every revision this release knows."""
    state = schema.schema_state(cli.settings.db_url)
    cli.emit(
        {**state.as_dict(), "revisions": schema.known_revisions()},
        f"current: {state.current or '(none)'}  head: {state.head}  state: {state.state}",
    )


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


@database.command("dump")
@click.argument("target", metavar="FILE")
@json_option
@pass_cli
def dump(cli: CliContext, target: str) -> None:
    """Dump the whole database (pg_dump, custom format) into FILE, written to FILE.part (0600) and renamed
    when complete. FILE "-" writes the dump to standard output (which must then be a file: the archive is
    completed in place); the report goes to standard error then."""
    result = dumpfiles.dump_to(cli.settings.db_url, target)
    human = f"dumped the database into {result['file']} ({result['size']} bytes, sha256 {result['sha256']})"
    if target == "-":  # standard output holds the dump
        click.echo(json.dumps(result, sort_keys=True) if cli.json else human, err=True)
    else:
        cli.emit(result, human)


@database.command("restore")
@click.argument("source", metavar="FILE")
@click.option("-f", "--force", is_flag=True, help="Do not ask for the typed confirmation.")
@json_option
@reason_option
@pass_cli
def restore(cli: CliContext, source: str, force: bool) -> None:
    """Replace the database's content with a dump made by 'database dump' (pg_dump custom format), in ONE
    transaction: on any error the database stays as it was. FILE "-" reads standard input (redirected from
    a file). Stop the ELLA services first. Asks you to type CONFIRM unless --force."""
    with dumpfiles.open_source(source) as (stream, what):
        dumps.check_archive(stream, what)
        _confirmed(force, f"This replaces ALL data of the database with {what}. Stop the ELLA services first.")
        result = dumps.restore(cli.settings.db_url, stream, what)
    # the audit log's table came with the dump: written to only when it is this release's (an older schema is
    # upgraded next, and the upgrade is audited)
    state = schema.schema_state(cli.settings.db_url)
    result["schema"] = state.state
    result["audited"] = state.state == "head"
    if result["audited"]:
        _audit(cli, "restore", what)
    cli.emit(result, f"restored the database from {what} (schema {state.current or 'none'}, {state.state})")


@database.command("fingerprint")
@json_option
@pass_cli
def fingerprint(cli: CliContext) -> None:
    """Print a sha256 of the schema (tables, columns, indexes, constraints; not the data), to tell whether a
    failed migration left changes behind."""
    value = dumps.fingerprint(cli.settings.db_url)
    cli.emit({"changed": False, "fingerprint": value}, value)


commands = [database]
