"""``ella-cli deposit fixtures DIR``: a whole fixtures folder in ELLA's bootstrap order, in one transaction.

Our extension: the production guide's five deposit commands (gene panels, user groups, filter configs,
users, references) in one start of ella-cli, so a deployment that changes nothing costs one process instead
of one per file. Everything is read and checked first; a bad file anywhere writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option, report_lines
from ella_app.cli.groups import deposit
from ella_app.cli.users import PasswordsFile, passwords_file_option
from ella_app.formats.fixture_folder import FixtureNames, read_fixture_folder
from ella_app.security.passwords import PasswordPolicy
from ella_app.services.fixtures import FixturesResult, deposit_fixtures
from ella_app.services.results import ProgressFn

_DEFAULTS = FixtureNames()


@deposit.command("fixtures")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--genepanels", default=_DEFAULTS.genepanels, show_default=True, help="Gene panel folders' parent.")
@click.option("--usergroups", default=_DEFAULTS.usergroups, show_default=True, help="User groups file.")
@click.option("--filterconfigs", default=_DEFAULTS.filterconfigs, show_default=True, help="Filter configs file.")
@click.option("--users", default=_DEFAULTS.users, show_default=True, help="Users file.")
@click.option("--references", default=_DEFAULTS.references, show_default=True, help="References file (JSON Lines).")
@click.option(
    "--annotationconfig", default=_DEFAULTS.annotationconfig, show_default=True, help="Annotation config (YAML)."
)
@passwords_file_option
@json_option
@reason_option
@pass_cli
def fixtures(
    cli: CliContext,
    folder: Path,
    genepanels: str,
    usergroups: str,
    filterconfigs: str,
    users: str,
    references: str,
    annotationconfig: str,
    passwords_file: Path | None,
) -> None:
    """Deposit every fixture in FOLDER (ELLA's /data/fixtures layout), in ELLA's order.

    Gene panels (each folder below genepanels/), then user groups, filter configs, users, the annotation
    config and references, each part when its file exists — names relative to FOLDER. Safe to re-run: a
    second run changes nothing and says so. New users' one-time passwords go to --passwords-file (or are printed once).
    """
    names = FixtureNames(genepanels, usergroups, filterconfigs, users, references, annotationconfig)
    data = read_fixture_folder(folder, cli.settings.config, names)
    policy = PasswordPolicy.from_config(cli.settings.config)
    sink = PasswordsFile(passwords_file) if passwords_file else None

    def run(session: Session, progress: ProgressFn) -> FixturesResult:
        result = deposit_fixtures(session, data, policy, progress=progress)
        if sink and result.one_time_passwords:
            sink.write(result.one_time_passwords)  # before the commit: a failed write rolls everything back
        return result

    try:
        result = cli.change("deposit", "fixtures", run)
    finally:
        if sink:
            sink.close()
    payload = result.as_dict()
    if passwords_file:
        payload["passwords_file"] = str(passwords_file)
    elif result.one_time_passwords:
        payload["passwords"] = result.one_time_passwords
    if cli.json:
        cli.emit(payload)
        return
    lines = [line for report in result.steps.values() for line in report_lines(report)]
    if not result.steps:
        lines.append(f"{folder}: no fixtures found")
    lines.append("changed" if result.changed else "nothing changed")
    if result.one_time_passwords and passwords_file:
        lines.append(f"{len(result.one_time_passwords)} one-time password(s) written to {passwords_file}")
    elif result.one_time_passwords:
        lines.append("One-time passwords (shown only now; they must be changed at the first login):")
        lines += [f"  {username}\t{password}" for username, password in result.one_time_passwords.items()]
    cli.emit(payload, lines)
