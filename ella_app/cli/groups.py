"""Command groups shared by several modules (each module adds its own commands to them when imported)."""

from __future__ import annotations

import click

from ella_app.cli.lazy import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "genepanel": "genepanels",
        "references": "references",
        "analysis": "analyses",
        "analyses": "analyses",
        "fixtures": "fixtures",
        "alleles": "allele_deposits",
        "annotation": "allele_deposits",
        "custom_annotation": "custom_annotations",
        "append_genepanel_to_usergroup": "usergroup_genepanels",
    },
    help="Load fixtures and data into the database (gene panels, references, analyses, alleles, annotation, "
    "custom annotation, a fixtures folder).",
)
def deposit() -> None:
    pass


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "add_groups": "usergroups",
        **dict.fromkeys(("add_many", "list", "activity", "reset_password", "lock", "unlock", "modify"), "users"),
    },
    help="Manage user groups and users.",
)
def users() -> None:
    pass
