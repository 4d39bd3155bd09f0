"""Command groups shared by several modules (each module adds its own commands to them)."""

from __future__ import annotations

import click


@click.group(help="Load fixtures and data into the database (gene panels, references, analyses).")
def deposit() -> None:
    pass


@click.group(help="Manage user groups and users.")
def users() -> None:
    pass
