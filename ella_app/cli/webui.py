"""``ella-cli webui``: where the installed web UI's static files are (nginx serves them)."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli
from ella_app.errors import EllaError
from ella_app.webui import static_dir


@click.group(help="The web UI's static files.")
def webui() -> None:
    pass


@webui.command("path")
@json_option
@pass_cli
def path(cli: CliContext) -> None:
    """Print the directory of the web UI's static files in this installation (its index.html included);
    exit 1 when the installation has none. Needs no configuration and no database."""
    static = static_dir()
    if not (static / "index.html").is_file():
        raise EllaError(f"{static}: the web UI's static files are missing (no index.html): reinstall ella_app")
    cli.emit({"changed": False, "static": str(static)}, str(static))


commands = [webui]
