"""The ``ella-cli`` command: ELLA's command groups, each in its own module."""

from __future__ import annotations

import importlib

import click

from ella_app import __version__
from ella_app.cli import config, database, groups
from ella_app.cli.context import run_main

# Modules that add commands to the groups above or define groups of their own (attribute ``commands``).
COMMAND_MODULES = (
    "ella_app.cli.genepanels",  # deposit genepanel
    "ella_app.cli.usergroups",  # users add_groups
    "ella_app.cli.filterconfigs",  # filterconfigs update|list|deactivate
    "ella_app.cli.users",  # users add_many|list|reset_password|lock|unlock|modify
    "ella_app.cli.references",  # deposit references, references fetch
    "ella_app.cli.broadcast",  # broadcast new|list|deactivate
    "ella_app.cli.igv",  # igv-download
    "ella_app.cli.delete",  # delete analysis
    "ella_app.cli.analyses",  # deposit analysis, analyses watch
    "ella_app.cli.annotation",  # annotation poll
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ella-cli")
def cli() -> None:
    """Administer ELLA: schema, fixtures (gene panels, user groups, filter configs, users, references),
    users, broadcasts, IGV data and analyses.

    Needs ELLA_CONFIG (path to ella_config.yml) and DB_URL in the environment.
    """


cli.add_command(database.database)
cli.add_command(config.config)
cli.add_command(groups.deposit)
cli.add_command(groups.users)
for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _name:
            raise
        continue
    for _command in getattr(_module, "commands", ()):
        cli.add_command(_command)


def main() -> None:
    run_main(cli)
