"""What every command shares: settings, one transaction per command, the audit row, output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from ella_app.config import Settings, load_settings
from ella_app.db.session import transaction
from ella_app.errors import EllaError
from ella_app.services import audit
from ella_app.services.results import ChangeReport, ProgressFn, Summarized, no_progress

T = TypeVar("T")

stderr = Console(stderr=True)


@dataclass
class CliContext:
    json: bool = False
    reason: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @contextmanager
    def progress(self) -> Iterator[ProgressFn]:
        """A progress callback: a bar on a terminal, silent with --json or when stderr is not a TTY."""
        if self.json or not sys.stderr.isatty():
            yield no_progress
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=stderr, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def update(description: str, done: int, total: int) -> None:
                if description not in tasks:
                    tasks[description] = bar.add_task(description, total=total)
                bar.update(tasks[description], completed=done, total=total)

            yield update

    def change(self, group: str, command: str, fn: Callable[[Session, ProgressFn], T]) -> T:
        """Run ``fn`` in one transaction and add the audit row to that same transaction."""
        with self.progress() as progress, transaction(self.settings.db_url) as session:
            result = fn(session, progress)
            output = result.summary() if isinstance(result, Summarized) else _short(result)
            audit.record(session, group, command, sys.argv[1:], self.reason, output)
            return result

    def read(self, fn: Callable[[Session], T]) -> T:
        with transaction(self.settings.db_url) as session:
            return fn(session)

    def emit(self, data: ChangeReport | dict[str, Any], human: str | list[str] | None = None) -> None:
        payload = data.as_dict() if isinstance(data, ChangeReport) else data
        if self.json:
            click.echo(json.dumps(payload, default=str, sort_keys=True))
            return
        if human is None and isinstance(data, ChangeReport):
            human = report_lines(data)
        if human is None:
            human = [f"{k}: {v}" for k, v in payload.items()]
        for line in [human] if isinstance(human, str) else human:
            click.echo(line)


def report_lines(report: ChangeReport) -> list[str]:
    """The human form of a ChangeReport: its messages, the counts, then the names per outcome."""
    lines = [*report.messages, report.summary()]
    for verb in ("created", "updated", "unchanged"):
        names = getattr(report, verb)
        if names:
            lines.append(f"  {verb}: {', '.join(names)}")
    return lines


def _short(result: Any) -> str | None:
    if isinstance(result, dict):
        return json.dumps({k: v for k, v in result.items() if k != "password"}, default=str)[:2000]
    return None


pass_cli = click.make_pass_decorator(CliContext, ensure=True)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--json``: print one JSON object (counts and ``changed``) for scripts and Ansible."""

    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts and Ansible).")
    @wraps(fn)
    def wrapper(*args: Any, as_json: bool, **kwargs: Any) -> Any:
        click.get_current_context().find_object(CliContext).json = as_json  # type: ignore[union-attr]
        return fn(*args, **kwargs)

    return wrapper


def reason_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--reason``: why the change is made, stored in the audit log."""

    @click.option("--reason", default=None, help="Why this change is made (kept in the audit log).")
    @wraps(fn)
    def wrapper(*args: Any, reason: str | None, **kwargs: Any) -> Any:
        click.get_current_context().find_object(CliContext).reason = reason  # type: ignore[union-attr]
        return fn(*args, **kwargs)

    return wrapper


def setup_service_logging() -> None:
    """Log lines for the journal: level, logger, message (systemd adds the time)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run_main(group: click.Group, args: list[str] | None = None) -> None:
    """Entry point: expected errors become a message on stderr and their exit code, never a traceback."""
    try:
        group.main(args=args, prog_name="ella-cli", standalone_mode=False, obj=CliContext())
    except EllaError as exc:
        stderr.print(f"[bold red]Error:[/] {exc.message}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        stderr.print("Aborted.")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
