"""The ``ella-cli`` command: ELLA's command groups, each in its own module."""

from __future__ import annotations

import click

from ella_app import __version__
from ella_app.cli import config, database
from ella_app.cli.context import run_main


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ella-cli")
def cli() -> None:
    """Administer ELLA: schema, fixtures (gene panels, user groups, filter configs, users, references),
    users, broadcasts, IGV data and analyses.

    Needs ELLA_CONFIG (path to ella_config.yml) and DB_URL in the environment.
    """


cli.add_command(database.database)
cli.add_command(config.config)


def main() -> None:
    run_main(cli)
