"""``ella-cli annotation poll``: the annotation-service poller process.

The job state machine arrives with the analysis-import work; until then the poller checks that the
database is reachable and at head, counts waiting jobs and keeps running under systemd.
"""

from __future__ import annotations

import logging

import click
from sqlalchemy import func, select

from ella_app.cli.context import CliContext, pass_cli, setup_service_logging
from ella_app.db import schema
from ella_app.db.models import AnnotationJob
from ella_app.services.loop import ServiceLoop

log = logging.getLogger("ella.poller")


@click.group(help="The annotation-service poller.")
def annotation() -> None:
    pass


@annotation.command("poll")
@click.option("--interval", type=float, default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Poll once and exit (for checks).")
@pass_cli
def poll(cli: CliContext, interval: float, once: bool) -> None:
    """Poll the annotation service for the jobs in the database."""
    setup_service_logging()
    service = cli.settings.config["app"].get("annotation_service")
    last: list[int] = []

    def step() -> None:
        schema.compare(cli.settings.db_url)
        waiting = cli.read(
            lambda s: s.scalar(select(func.count()).select_from(AnnotationJob).where(AnnotationJob.status != "DONE"))
        )
        if last != [waiting]:
            log.info("%s annotation job(s) not done; service %s", waiting, service)
            last[:] = [waiting]

    ServiceLoop("annotation poller", interval).run(step, max_iterations=1 if once else None)


commands = [annotation]
