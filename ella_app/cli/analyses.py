"""``ella-cli deposit analysis PATH``, ``deposit analyses DIR`` and ``analyses watch`` (the watcher process)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option, setup_service_logging
from ella_app.cli.groups import deposit
from ella_app.db import schema
from ella_app.services import filter_results
from ella_app.services.analyses_admin import list_analyses
from ella_app.services.importer import import_analysis
from ella_app.services.loop import ServiceLoop
from ella_app.services.results import ChangeReport
from ella_app.services.watcher import AnalysisWatcher, NameFilter


@deposit.command("analysis")
@click.argument("path", type=click.Path(exists=True))
@click.option("--skip-existing", is_flag=True, help="Do nothing (exit 0) if the analysis is already imported.")
@json_option
@reason_option
@pass_cli
def deposit_analysis(cli: CliContext, path: str, skip_existing: bool) -> None:
    """Import an analysis: a folder, a .analysis file or a .vcf/.vcf.gz file (files are not moved)."""
    report = cli.change(
        "deposit",
        "analysis",
        lambda s, p: import_analysis(s, path, app_config=cli.settings.config, skip_existing=skip_existing, progress=p),
    )
    if report.created:
        filter_results.after_import(cli.settings.db_url, report.extra.get("analysis_id"), cli.settings.config)
        extra = report.extra
        human = [
            f"Imported analysis {extra['analysis']} (id {extra['analysis_id']}, panel {extra['genepanel']}): "
            f"{extra['variants']} variants, {extra['samples']} sample(s), proband {', '.join(extra['proband'])}",
            f"  alleles: {extra['alleles_created']} new, {extra['alleles_existing']} already known; "
            f"{extra['skipped_no_proband_alt']} record(s) without a proband ALT skipped; {extra['seconds']} s",
        ]
        if extra["prefiltered"]:
            human.append(f"  {extra['prefiltered']} record(s) left out by the prefilters of {extra['deposit_rule']}")
        if extra["postprocessed"]:
            human += [f"  {line}" for line in extra["postprocessed"]]
        cli.emit(report, human)
    else:
        cli.emit(report)


@deposit.command("analyses")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
@reason_option
@pass_cli
def deposit_analyses(cli: CliContext, directory: Path) -> None:
    """Import every analysis folder directly below DIRECTORY that is not imported yet (our extension).

    Each folder is imported in its own transaction, as ``deposit analysis FOLDER --skip-existing`` would; the
    first folder that fails stops the command (those before it stay imported). Safe to re-run.
    """
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    total = ChangeReport(kind="analyses")
    for folder in folders:
        report = cli.change(
            "deposit",
            "analyses",
            lambda s, p, folder=folder: import_analysis(
                s, folder, app_config=cli.settings.config, skip_existing=True, progress=p
            ),
        )
        if report.created:
            filter_results.after_import(cli.settings.db_url, report.extra.get("analysis_id"), cli.settings.config)
        total.created += report.created
        total.unchanged += report.unchanged
    cli.emit(total)


def _schema_check(db_url: str) -> Callable[[], None]:
    """Until the schema is at head the watcher waits (and says why); once it is, it is not checked again."""
    ok: list[bool] = []

    def check() -> None:
        if not ok:
            schema.compare(db_url)
            ok.append(True)

    return check


@click.group(help="Imported analyses and the analyses watcher.")
def analyses() -> None:
    pass


@analyses.command("watch")
@click.option("--interval", type=float, default=10.0, show_default=True, help="Seconds between safety rescans.")
@click.option("--once", is_flag=True, help="Scan once, import what is ready, and exit.")
@click.option("--whitelist", multiple=True, metavar="REGEX", help="Import only analysis names matching one of these.")
@click.option("--blacklist", multiple=True, metavar="REGEX", help="Never import analysis names matching these.")
@click.option("--whitelistfile", type=click.Path(dir_okay=False), help="File with one whitelist regex per line.")
@click.option("--blacklistfile", type=click.Path(dir_okay=False), help="File with one blacklist regex per line.")
@json_option
@pass_cli
def watch(
    cli: CliContext,
    interval: float,
    once: bool,
    whitelist: tuple[str, ...],
    blacklist: tuple[str, ...],
    whitelistfile: str | None,
    blacklistfile: str | None,
) -> None:
    """Import the analysis folders in ANALYSES_INCOMING that have a READY file, then move them to ANALYSES_PATH."""
    setup_service_logging()
    watcher = AnalysisWatcher(
        cli.settings.db_url,
        cli.settings.path("ANALYSES_INCOMING"),
        cli.settings.path("ANALYSES_PATH"),
        names=NameFilter(list(whitelist), list(blacklist), whitelistfile, blacklistfile),
        app_config=cli.settings.config,
        rescan_interval=interval,
        ready_check=_schema_check(cli.settings.db_url),
    )
    if once:
        outcomes = watcher.scan()
        cli.emit(
            {"outcomes": [dataclasses.asdict(o) for o in outcomes]},
            [f"{o.folder}: {o.status}{' - ' + o.message if o.message else ''}" for o in outcomes]
            or ["nothing to import"],
        )
        return

    def step() -> None:
        watcher.step()

    with watcher:
        ServiceLoop("analyses watcher", 0).run(step)


@analyses.command("list")
@click.option("--name", metavar="NAME", help="Only this analysis.")
@json_option
@pass_cli
def list_command(cli: CliContext, name: str | None) -> None:
    """List the imported analyses with their gene panel, samples and workflow state."""
    rows = cli.read(lambda session: list_analyses(session, name))
    if cli.json:
        cli.emit({"changed": False, "analyses": rows})
        return
    columns = ("id", "name", "genepanel", "samples", "workflow_status", "status", "date_deposited")
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join("" if row[c] is None else str(row[c]) for c in columns))
    if not rows:
        click.echo("no analyses")


commands = [analyses]
