"""``ella-cli database import-ella``: move an ELLA v1.17 database (and its attachment files) into the kit."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.database import database
from ella_app.errors import InputError


def _storage(cli: CliContext) -> Path | None:
    configured = (cli.settings.config.get("app") or {}).get("attachment_storage")
    if configured:
        return Path(str(configured))
    return cli.settings.paths.get("ATTACHMENT_STORAGE")


def _source_url(source_url: str | None, source_file: Path | None) -> str:
    if (source_url is None) == (source_file is None):
        raise InputError(
            "name the ELLA database with exactly one of --source (or ELLA_SOURCE_DB_URL) and --source-file"
        )
    if source_file is None:
        assert source_url is not None
        return source_url
    try:
        lines = source_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read it: {exc.__class__.__name__}", source=str(source_file)) from None
    if not lines or not lines[0].strip():
        raise InputError(
            "the first line should hold the ELLA database URL; it is empty", source=str(source_file), line=1
        )
    return lines[0].strip()


@database.command("import-ella")
@click.option(
    "--source",
    "source_url",
    envvar="ELLA_SOURCE_DB_URL",
    metavar="DB_URL",
    help="The ELLA v1.17 database, postgresql://user:password@host/db (or ELLA_SOURCE_DB_URL, or --source-file).",
)
@click.option(
    "--source-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A file holding the ELLA database URL on its first line (keeps the password out of the process list).",
)
@click.option(
    "--attachments",
    "attachment_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="ELLA's ATTACHMENT_STORAGE directory (synced from the old host).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be written and what cannot be; write nothing.")
@json_option
@reason_option
@pass_cli
def import_ella(
    cli: CliContext, source_url: str | None, source_file: Path | None, attachment_dir: Path | None, dry_run: bool
) -> None:
    """Import an ELLA v1.17 database into this kit's freshly made database (DB_URL), with the files of its
    attachments, keeping ELLA's ids; then verify row counts and checksums per table.

    Refuses, writing nothing: another ELLA version, a kit database that is not empty, rows the kit cannot
    hold, missing or damaged attachment files. Run again on the imported database it verifies and changes
    nothing. Exit 8 when the verification finds a difference.
    """
    from ella_app.services.ella_migration.importing import VerificationFailedError, import_ella

    with cli.progress() as progress:
        outcome = import_ella(
            _source_url(source_url, source_file),
            cli.settings.db_url,
            attachment_dir=attachment_dir,
            storage=_storage(cli),
            dry_run=dry_run,
            argv=sys.argv[1:],
            reason=cli.reason,
            progress=progress,
        )
    human = list(outcome.messages)
    if outcome.plan is not None and (dry_run or outcome.changed):
        for table in outcome.plan.tables:
            human.append(f"  {table.target}: {table.rows} rows")
            human.extend(f"      {n} rows: {text}" for text, n in table.conversions.items())
        if outcome.plan.attachment_files:
            human.append(f"  attachment files: {outcome.plan.attachment_files} ({outcome.plan.attachment_bytes} bytes)")
        human.extend(f"  CANNOT IMPORT {p}" for p in outcome.plan.problems)
    if outcome.verification is not None:
        human.append("verification:")
        human.extend(f"  {line}" for line in outcome.verification.lines())
    cli.emit(outcome.as_dict(), human)
    if outcome.verification is not None and not outcome.verification.equal:
        raise VerificationFailedError(f"verification differs in: {', '.join(outcome.verification.differing)}")
    if dry_run and outcome.plan is not None and outcome.plan.problems:
        sys.exit(2)


commands: list[click.Command] = []
