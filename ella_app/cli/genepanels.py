"""``ella-cli deposit genepanel``: ELLA's gene panel folders (NAME_vVERSION/)."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option, report_lines
from ella_app.cli.groups import deposit
from ella_app.errors import InputError
from ella_app.formats.genepanel import GenePanelData, find_panel_folders, read_panel_files, read_panel_folder
from ella_app.services.genepanels import deposit_genepanels
from ella_app.services.results import ChangeReport


def _parse(
    folder: str | None,
    all_dir: str | None,
    name: str | None,
    version: str | None,
    transcripts: str | None,
    phenotypes: str | None,
) -> list[GenePanelData]:
    explicit = [name, version, transcripts, phenotypes]
    modes = sum([folder is not None, all_dir is not None, any(v is not None for v in explicit)])
    if modes != 1:
        raise click.UsageError(
            "give exactly one of --folder DIR, --all DIR, or all four of --genepanel_name, "
            "--genepanel_version, --transcripts_path and --phenotypes_path"
        )
    if folder is not None:
        return [read_panel_folder(folder)]
    if all_dir is not None:
        return [read_panel_folder(sub) for sub in find_panel_folders(all_dir)]
    if not all(explicit):
        raise click.UsageError(
            "--genepanel_name, --genepanel_version, --transcripts_path and --phenotypes_path go together"
        )
    assert name and version and transcripts and phenotypes
    return [read_panel_files(name, version, transcripts, phenotypes)]


def _check_unique(panels: list[GenePanelData]) -> None:
    seen: dict[str, str] = {}
    for panel in panels:
        if panel.key in seen:
            raise InputError(f"gene panel {panel.key} also comes from {seen[panel.key]}", source=panel.source)
        seen[panel.key] = panel.source


@deposit.command("genepanel")
@click.option("--folder", metavar="DIR", help="One panel folder NAME_vVERSION holding the two TSV files.")
@click.option(
    "--all",
    "all_dir",
    metavar="DIR",
    help="Deposit every panel folder directly below DIR, in one transaction (our extension).",
)
@click.option("--replace", is_flag=True, help="Update a panel already in the database to match the files.")
@click.option("--genepanel_name", "name", metavar="NAME", help="Without --folder: the panel name.")
@click.option("--genepanel_version", "version", metavar="VERSION", help="Without --folder: the version (v...).")
@click.option("--transcripts_path", "transcripts", metavar="FILE", help="Without --folder: genes/transcripts TSV.")
@click.option("--phenotypes_path", "phenotypes", metavar="FILE", help="Without --folder: phenotypes TSV.")
@json_option
@reason_option
@pass_cli
def genepanel(
    cli: CliContext,
    folder: str | None,
    all_dir: str | None,
    replace: bool,
    name: str | None,
    version: str | None,
    transcripts: str | None,
    phenotypes: str | None,
) -> None:
    """Deposit a gene panel from ELLA's folder format.

    The folder is named NAME_vVERSION and holds NAME_vVERSION_genes_transcripts.tsv and
    NAME_vVERSION_phenotypes.tsv. Safe to re-run: an identical panel is left unchanged. A stored panel
    that differs from the files is left as it is (exit 0, with a message) unless --replace is given.
    """
    panels = _parse(folder, all_dir, name, version, transcripts, phenotypes)
    _check_unique(panels)
    report = cli.change(
        "deposit",
        "genepanel",
        lambda session, progress: deposit_genepanels(session, panels, replace=replace, progress=progress),
    )
    cli.emit(report, _lines(report))


def _lines(report: ChangeReport) -> list[str]:
    lines = report_lines(report)
    counts = ", ".join(f"{kind} {c['created']} created/{c['updated']} updated" for kind, c in _counts(report))
    lines.append(f"  rows: {counts}")
    return lines


def _counts(report: ChangeReport) -> list[tuple[str, dict[str, int]]]:
    return [(kind, report.extra[kind]) for kind in ("genes", "transcripts", "phenotypes") if kind in report.extra]
