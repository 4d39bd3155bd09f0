"""The ``ella-cli`` command: ELLA's command groups, each in its own module, imported when it runs."""

from __future__ import annotations

import click

from ella_app import __version__
from ella_app.cli import groups
from ella_app.cli.context import run_main
from ella_app.cli.lazy import LazyGroup

# command -> the module under ella_app.cli that defines it (its ``commands`` list or a shared group)
COMMAND_MODULES = {
    "database": "database",  # make-production|make|upgrade|downgrade|current|history|compare|refresh|drop|
    #                          dump|restore|fingerprint|import-ella
    "config": "config",  # validate
    "filterconfigs": "filterconfigs",  # update|list|deactivate
    "references": "references",  # fetch (``deposit references`` is in the deposit group)
    "broadcast": "broadcast",  # new|list|deactivate
    "clilog": "clilog",  # list
    "igv-download": "igv",
    "delete": "delete",  # analysis|alleleinterpretation
    "analyses": "analyses",  # watch|list (``deposit analysis`` is in the deposit group)
    "annotation": "annotation",  # poll
    "annotationconfig": "annotationconfig",  # update|list
    "webui": "webui",  # path
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMAND_MODULES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="ella-cli")
def cli() -> None:
    """Administer ELLA: schema, fixtures (gene panels, user groups, filter configs, users, references),
    users, broadcasts, IGV data and analyses.

    Needs ELLA_CONFIG (path to ella_config.yml) and DB_URL in the environment.
    """


cli.add_command(groups.deposit)  # genepanel, references, analysis: added by their modules
cli.add_command(groups.users)  # add_groups, add_many, list, …: added by usergroups and users


def main() -> None:
    run_main(cli)
