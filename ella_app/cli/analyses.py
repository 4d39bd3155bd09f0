"""``ella-cli analyses watch``: the analyses watcher process.

The importer arrives with the analysis-import work; until then the watcher checks its directories,
reports the analysis folders that are ready, and keeps running under systemd.
"""

from __future__ import annotations

import logging
import os

import click

from ella_app.cli.context import CliContext, pass_cli, setup_service_logging
from ella_app.errors import ConfigError
from ella_app.services.loop import ServiceLoop

log = logging.getLogger("ella.watcher")


@click.group(help="The analyses watcher.")
def analyses() -> None:
    pass


@analyses.command("watch")
@click.option("--interval", type=float, default=5.0, show_default=True, help="Seconds between rescans.")
@click.option("--once", is_flag=True, help="Scan once and exit (for checks).")
@pass_cli
def watch(cli: CliContext, interval: float, once: bool) -> None:
    """Watch ANALYSES_INCOMING for analysis folders with a READY file."""
    setup_service_logging()
    incoming = cli.settings.path("ANALYSES_INCOMING")
    destination = cli.settings.path("ANALYSES_PATH")
    if not os.access(incoming, os.R_OK | os.X_OK):
        raise ConfigError(f"ANALYSES_INCOMING {incoming} is not readable")
    if not os.access(destination, os.W_OK | os.X_OK):
        raise ConfigError(f"ANALYSES_PATH {destination} is not writable")
    reported: set[str] = set()

    def scan() -> None:
        ready = sorted(p.name for p in incoming.iterdir() if p.is_dir() and (p / "READY").exists())
        for name in ready:
            if name not in reported:
                log.warning("analysis folder %s is ready; automatic import is not available in this release", name)
                reported.add(name)
        reported.intersection_update(ready)

    ServiceLoop("analyses watcher", interval).run(scan, max_iterations=1 if once else None)


commands = [analyses]
