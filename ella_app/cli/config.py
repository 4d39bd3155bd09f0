"""``ella-cli config``: check an ella_config.yml before it is put in place."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli
from ella_app.config import load_config_file
from ella_app.services import acmg


@click.group(help="Check application configuration files.")
def config() -> None:
    pass


@config.command("validate")
@click.argument("path", type=click.Path(dir_okay=False), required=False)
@json_option
@pass_cli
def validate(cli: CliContext, path: str | None) -> None:
    """Validate PATH (default: $ELLA_CONFIG) and the ACMG rules; exit 2 naming the bad key (or rule)."""
    import os

    target = path or os.environ.get("ELLA_CONFIG")
    if not target:
        raise click.UsageError("give a PATH or set ELLA_CONFIG")
    acmg.check_app_config(load_config_file(target), target)  # also the ACMG rule file and user_config.acmg
    cli.emit({"changed": False, "valid": True, "path": target}, f"{target}: valid")


commands = [config]
