"""The ``ella-cli`` command: ELLA's command groups, each in its own module."""

from __future__ import annotations

import click

from ella_app import __version__
from ella_app.cli import (
    analyses,  # deposit analysis, analyses watch
    annotation,  # annotation poll
    broadcast,  # broadcast new|list|deactivate
    config,  # config validate
    database,  # database make-production|upgrade|current|compare|refresh|drop
    delete,  # delete analysis
    filterconfigs,  # filterconfigs update|list|deactivate
    genepanels,  # deposit genepanel
    groups,
    igv,  # igv-download
    references,  # deposit references, references fetch
    usergroups,  # users add_groups
    users,  # users add_many|list|reset_password|lock|unlock|modify
)
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
cli.add_command(groups.deposit)  # commands added by genepanels, references, analyses
cli.add_command(groups.users)  # commands added by usergroups, users
for _module in (filterconfigs, references, broadcast, igv, delete, analyses, annotation):
    for _command in _module.commands:
        cli.add_command(_command)
# These modules only add commands to the shared groups above.
_GROUP_MEMBERS = (genepanels, usergroups, users)


def main() -> None:
    run_main(cli)
