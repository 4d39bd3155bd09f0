"""``ella-cli annotationconfig update FILE`` and ``annotationconfig list`` (``services/annotation_configs``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.formats.annotation_config import read_config_file
from ella_app.services import annotation_configs


@click.group(help="Annotation configs: which INFO fields become annotation, and how they are shown.")
def annotationconfig() -> None:
    pass


@annotationconfig.command("update")
@click.argument("annotationconfig_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@reason_option
@pass_cli
def update(cli: CliContext, annotationconfig_file: Path) -> None:
    """Make the annotation config in FILE (ELLA's annotation-config.yml: deposit and view) the active one.

    The file is checked first (converter names, element keys, view sections and templates), naming line and
    key. A config equal to the active one changes nothing (exit 0; ELLA refuses it), so it is safe to re-run.
    """
    config = read_config_file(annotationconfig_file)
    report = cli.change(
        "annotationconfig", "update", lambda session, progress: annotation_configs.update(session, config)
    )
    cli.emit(report)


@annotationconfig.command("list")
@json_option
@pass_cli
def list_command(cli: CliContext) -> None:
    """Show the active annotation config (deposit and view)."""
    active = cli.read(annotation_configs.describe)
    if cli.json:
        cli.emit({"changed": False, "active": active})
        return
    if active is None:
        click.echo("No annotation config in the database: imports use the packaged default.")
        return
    click.echo(f"Active annotation config: id {active['id']}, created {active['date_created']}")
    click.echo("Deposit:")
    click.echo(json.dumps(active["deposit"], indent=4))
    click.echo("View:")
    click.echo(json.dumps(active["view"], indent=4))


commands = [annotationconfig]
