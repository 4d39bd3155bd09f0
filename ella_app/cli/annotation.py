"""``ella-cli annotation poll``: the annotation-service poller process."""

from __future__ import annotations

import logging

import click

from ella_app.cli.context import CliContext, pass_cli, setup_service_logging
from ella_app.db import schema
from ella_app.services.annotation_client import AnnotationClient
from ella_app.services.loop import ServiceLoop
from ella_app.services.poller import AnnotationPoller

log = logging.getLogger("ella.poller")


@click.group(help="The annotation-service poller.")
def annotation() -> None:
    pass


@annotation.command("poll")
@click.option("--interval", type=float, default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Poll once and exit (for checks).")
@pass_cli
def poll(cli: CliContext, interval: float, once: bool) -> None:
    """Drive the annotation jobs through the annotation service (app.annotation_service in the config)."""
    setup_service_logging()
    config = cli.settings.config
    url = config["app"].get("annotation_service") or "http://localhost:6000"
    poller = AnnotationPoller(
        cli.settings.db_url,
        AnnotationClient(url),
        automatic_deposit_with_sample_id=bool(config.get("import", {}).get("automatic_deposit_with_sample_id")),
        app_config=config,
        preimport_script=config.get("import", {}).get("preimport_script"),
        preimport_timeout=float(config.get("import", {}).get("preimport_timeout") or 300),
    )

    def step() -> None:
        schema.compare(cli.settings.db_url)  # waits (logs and retries) until the schema is there
        handled = poller.poll_once()
        if handled:
            log.info("%s annotation job(s) handled: %s", len(handled), handled)

    log.info("polling annotation service %s", url)
    ServiceLoop("annotation poller", interval).run(step, max_iterations=1 if once else None)


commands = [annotation]
