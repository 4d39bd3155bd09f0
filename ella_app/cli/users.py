"""``ella-cli users``: add_many, list, activity, reset_password, lock, unlock, modify.

One-time passwords are shown exactly once: on the terminal, or — with ``--passwords-file`` — only in that
file (created with mode 0600, lines ``username<TAB>password``, appended to). With ``--json`` and no
passwords file they are in the JSON object under ``passwords``; with a passwords file they never reach
stdout. They are never in the audit log.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.groups import users
from ella_app.errors import InputError
from ella_app.formats.users import parse_users
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import resourcelog
from ella_app.services import users as service
from ella_app.services.results import ChangeReport, ProgressFn
from ella_app.services.users import UserChange

passwords_file_option = click.option(
    "--passwords-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one-time passwords to this file (mode 0600, 'username<TAB>password', appended) "
    "instead of printing them.",
)


class PasswordsFile:
    """An append-only 0600 file for one-time passwords, opened before any database work."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
            os.fchmod(self._fd, 0o600)
        except OSError as exc:
            raise InputError(f"cannot write the passwords file: {exc.strerror}", source=str(path)) from None

    def write(self, passwords: Mapping[str, str]) -> None:
        data = "".join(f"{username}\t{password}\n" for username, password in passwords.items())
        os.write(self._fd, data.encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def _policy(cli: CliContext) -> PasswordPolicy:
    return PasswordPolicy.from_config(cli.settings.config)


def _run_with_passwords(
    cli: CliContext, command: str, passwords_file: Path | None, work: Callable[[Session, ProgressFn], UserChange]
) -> tuple[ChangeReport, dict[str, str]]:
    """Run ``work(session, progress) -> UserChange`` in one audited transaction. The passwords go to the
    file before the commit (a failed write rolls everything back) and never into the report."""
    sink = PasswordsFile(passwords_file) if passwords_file else None
    produced: dict[str, str] = {}

    def run(session: Session, progress: ProgressFn) -> ChangeReport:
        change = work(session, progress)
        if sink and change.one_time_passwords:
            sink.write(change.one_time_passwords)
        produced.update(change.one_time_passwords)
        return change.report

    try:
        report = cli.change("users", command, run)
    finally:
        if sink:
            sink.close()
    return report, produced


def _emit_with_passwords(
    cli: CliContext, report: ChangeReport, produced: dict[str, str], passwords_file: Path | None
) -> None:
    payload = report.as_dict()
    if passwords_file:
        payload["passwords_file"] = str(passwords_file)
    elif produced:
        payload["passwords"] = produced
    if cli.json:
        cli.emit(payload)
        return
    cli.emit(report)
    if not produced:
        return
    if passwords_file:
        click.echo(f"{len(produced)} one-time password(s) written to {passwords_file}")
        return
    click.echo("One-time passwords (shown only now; they must be changed at the first login):")
    for username, password in produced.items():
        click.echo(f"  {username}\t{password}")


@users.command("add_many")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--group", "groups", multiple=True, metavar="G", help="Only users of this group (repeatable).")
@click.option("--dry-run", "-dry", "dry_run", is_flag=True, help="Show what would change; write nothing.")
@passwords_file_option
@json_option
@reason_option
@pass_cli
def add_many(cli: CliContext, file: str, groups: tuple[str, ...], dry_run: bool, passwords_file: Path | None) -> None:
    """Add or update users from ELLA's users.json (upsert by username).

    New users get a one-time password that must be changed at the first login; existing users get the
    file's names, e-mail and group, and keep their password. Safe to re-run. A 'password' key in the file
    is refused: passwords are never read from it.

    One-time passwords are printed once, or only written to --passwords-file. With --json they are in
    the object under "passwords" unless --passwords-file is given. They never reach the audit log.
    """
    entries = parse_users(file)
    policy = _policy(cli)
    if dry_run:

        def preview(session: Session) -> ChangeReport:
            report = service.add_users(session, entries, policy, only_groups=groups).report
            session.rollback()
            report.messages.append("dry run: nothing was written")
            report.extra["dry_run"] = True
            return report

        cli.emit(cli.read(preview))
        return
    report, produced = _run_with_passwords(
        cli,
        "add_many",
        passwords_file,
        lambda session, progress: service.add_users(session, entries, policy, only_groups=groups, progress=progress),
    )
    _emit_with_passwords(cli, report, produced, passwords_file)


LIST_COLUMNS = ("username", "first_name", "last_name", "email", "group", "active", "password_expired", "last_activity")


@users.command("list")
@click.option("--group", "groups", multiple=True, metavar="G", help="Only users of this group (repeatable).")
@click.option("--username", metavar="U", help="Only this user.")
@json_option
@pass_cli
def list_users(cli: CliContext, groups: tuple[str, ...], username: str | None) -> None:
    """List users with their group, state and last activity."""
    rows = cli.read(lambda session: service.list_users(session, groups, username))
    if cli.json:
        cli.emit({"changed": False, "users": rows})
        return
    _table(rows, LIST_COLUMNS, "no users")


ACTIVITY_COLUMNS = ("username", "first_name", "last_name", "group", "last_activity", "last_login", "requests")


@users.command("activity")
@click.option(
    "--days", default=30, show_default=True, type=click.IntRange(1, 3650), help="Count API requests of N days."
)
@json_option
@pass_cli
def activity(cli: CliContext, days: int) -> None:
    """List users by their latest activity (newest first): last activity and login of their sessions, and
    their API requests in the last --days days (from the request log)."""
    rows = cli.read(lambda session: resourcelog.user_activity(session, days))
    if cli.json:
        cli.emit({"changed": False, "days": days, "users": rows})
        return
    _table(rows, ACTIVITY_COLUMNS, "no users")


def _table(rows: list[dict[str, object]], columns: tuple[str, ...], empty: str) -> None:
    if not rows:
        click.echo(empty)
        return
    if sys.stdout.isatty():
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        Console().print(table)
        return
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join("" if row[c] is None else str(row[c]) for c in columns))


@users.command("reset_password")
@click.argument("username")
@passwords_file_option
@json_option
@reason_option
@pass_cli
def reset_password(cli: CliContext, username: str, passwords_file: Path | None) -> None:
    """Give USERNAME a new one-time password (to be changed at the next login), clear the failed-login
    counter and log out all their sessions. A locked user stays locked (see 'users unlock')."""
    policy = _policy(cli)
    report, produced = _run_with_passwords(
        cli,
        "reset_password",
        passwords_file,
        lambda session, _progress: service.reset_password(session, username, policy),
    )
    _emit_with_passwords(cli, report, produced, passwords_file)


@users.command("lock")
@click.argument("username")
@json_option
@reason_option
@pass_cli
def lock(cli: CliContext, username: str) -> None:
    """Deactivate USERNAME and log out all their sessions (no login until 'users unlock')."""
    cli.emit(cli.change("users", "lock", lambda session, _progress: service.lock_user(session, username)))


@users.command("unlock")
@click.argument("username")
@json_option
@reason_option
@pass_cli
def unlock(cli: CliContext, username: str) -> None:
    """Re-activate USERNAME and clear the failed-login counter (the password is not changed)."""
    cli.emit(cli.change("users", "unlock", lambda session, _progress: service.unlock_user(session, username)))


@users.command("modify")
@click.argument("username")
@click.option("--new-username", "--new_username", "new_username", help="Rename the user.")
@click.option("--first-name", "--first_name", "first_name")
@click.option("--last-name", "--last_name", "last_name")
@click.option("--email")
@click.option("--group", "--user_group", "group", help="Move the user to this group.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@reason_option
@pass_cli
def modify(
    cli: CliContext,
    username: str,
    new_username: str | None,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    group: str | None,
    yes: bool,
) -> None:
    """Change the name, e-mail or group of USERNAME. Shows the changes and applies them only after 'y'
    (or with --yes)."""
    given = {"username": new_username, "first_name": first_name, "last_name": last_name, "email": email}
    changes = {key: value for key, value in {**given, "group": group}.items() if value is not None}
    if not changes:
        raise click.UsageError("nothing to modify: give at least one of the options")
    diff = cli.read(lambda session: service.plan_modify(session, username, changes))
    if not diff:
        cli.emit(ChangeReport(kind="users", unchanged=[username]))
        return
    for key, old, new in diff:
        click.echo(f"  {key}: {old!r} -> {new!r}", err=True)
    if not yes and not click.confirm(f"Apply these changes to '{username}'?", default=False, err=True):
        raise click.ClickException("not confirmed: nothing was changed")
    cli.emit(cli.change("users", "modify", lambda session, _progress: service.modify_user(session, username, changes)))


commands: list[click.Command] = []
