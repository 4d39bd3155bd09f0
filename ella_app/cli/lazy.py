"""A click group that imports a command's module only when that command runs (or when help lists it).

``ella-cli`` is started by Ansible a dozen times per deployment and by operators at the prompt: importing
every command module (and with them Alembic, the importer, the PubMed client …) cost more than a second per
start on a small machine. ``lazy_commands`` maps each command name to the module under ``ella_app.cli`` that
defines it. A module either registers its commands on a shared group when imported (``@deposit.command``) or
lists them in ``commands``. A name the map does not know makes the group import all its modules once, so a
command added to one of them is still found.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import click


class LazyGroup(click.Group):
    def __init__(self, *args: object, lazy_commands: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = dict(lazy_commands or {})

    def _load(self, module_name: str) -> ModuleType:
        module = importlib.import_module(f"ella_app.cli.{module_name}")
        for command in getattr(module, "commands", ()):
            if command.name not in self.commands:
                self.add_command(command)
        return module

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module_name in sorted(set(self.lazy_commands.values())):
            self._load(module_name)
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            if cmd_name in self.lazy_commands:
                self._load(self.lazy_commands[cmd_name])
            else:
                self.list_commands(ctx)
        return self.commands.get(cmd_name)
