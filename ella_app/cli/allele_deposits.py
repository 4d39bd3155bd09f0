"""``ella-cli deposit alleles VCF…`` and ``deposit annotation VCF``: variants without an analysis
(``services/allele_deposit``)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from sqlalchemy.orm import Session

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option, report_lines
from ella_app.cli.groups import deposit
from ella_app.errors import InputError
from ella_app.services.allele_deposit import deposit_alleles, merge_reports
from ella_app.services.results import ChangeReport, ProgressFn

# ELLA's file name rule: {something}.{genepanel_name}_{genepanel_version}.vcf (also '-' as separators)
VCF_NAME = re.compile(r"(?P<analysis_name>.+[.-](?P<genepanel_name>.+)[-_](?P<genepanel_version>.+))\.vcf")


def panel_from_name(path: Path) -> tuple[str, str]:
    match = VCF_NAME.match(path.name)
    if match is None:
        raise InputError(
            "cannot tell the gene panel from the file name: expected {something}.{genepanel}_{version}.vcf "
            "(or give --genepanel_name and --genepanel_version)",
            source=str(path),
        )
    return match.group("genepanel_name"), match.group("genepanel_version")


def _panel_options(name: str | None, version: str | None) -> tuple[str, str] | None:
    if (name is None) != (version is None):
        raise click.UsageError("--genepanel_name and --genepanel_version go together")
    return (name, version) if name and version else None


def _emit(cli: CliContext, report: ChangeReport) -> None:
    lines = report_lines(report)
    extra = report.extra
    lines.append(
        f"  {extra.get('records', 0)} record(s): alleles {extra.get('alleles_created', 0)} new, "
        f"{extra.get('alleles_existing', 0)} known; annotations {extra.get('annotations_created', 0)} new "
        f"({extra.get('annotations_superseded', 0)} superseding an older version), "
        f"{extra.get('annotations_unchanged', 0)} unchanged; "
        f"{extra.get('interpretations_created', 0)} allele interpretation(s) created"
    )
    lines.append("changed" if report.changed else "nothing changed")
    cli.emit(report, lines)


@deposit.command("alleles")
@click.argument("vcf", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--genepanel_name", metavar="NAME", help="The gene panel (else from the first file's name).")
@click.option("--genepanel_version", metavar="VERSION", help="Its version (else from the first file's name).")
@json_option
@reason_option
@pass_cli
def alleles(cli: CliContext, vcf: tuple[Path, ...], genepanel_name: str | None, genepanel_version: str | None) -> None:
    """Deposit the variants of VCF files for the variant workflow, without an analysis.

    Every record becomes an allele with its annotation (the active annotation config) and, unless it has one
    already, a "Not started" allele interpretation for the gene panel. Every variant must lie inside a
    transcript of the panel (CNVs excepted). The panel comes from the options or, as in ELLA, from the first
    file's name {something}.{genepanel}_{version}.vcf, and is used for every file. All files in one
    transaction; safe to re-run (a changed annotation gets a new version, the old one is kept).
    """
    panel = _panel_options(genepanel_name, genepanel_version) or panel_from_name(vcf[0])

    def run(session: Session, progress: ProgressFn) -> ChangeReport:
        reports = [
            deposit_alleles(session, path, genepanel=panel, app_config=cli.settings.config, progress=progress)
            for path in vcf
        ]
        return merge_reports("alleles", reports)

    _emit(cli, cli.change("deposit", "alleles", run))


@deposit.command("annotation")
@click.argument("vcf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--genepanel_name", metavar="NAME", help="Our extension: the gene panel, instead of the file name.")
@click.option("--genepanel_version", metavar="VERSION", help="Our extension: its version.")
@json_option
@reason_option
@pass_cli
def annotation(cli: CliContext, vcf: Path, genepanel_name: str | None, genepanel_version: str | None) -> None:
    """Update the annotation of the variants in VCF; no analysis and no interpretation is created.

    An allele whose annotation differs from its current one gets a new version (the old one is kept,
    superseded); alleles not yet in the database are added with their annotation. As in ELLA the file is
    named {something}.{genepanel}_{version}.vcf and that gene panel must exist. Safe to re-run.
    """
    panel = _panel_options(genepanel_name, genepanel_version) or panel_from_name(vcf)
    report = cli.change(
        "deposit",
        "annotation",
        lambda session, progress: deposit_alleles(
            session, vcf, genepanel=panel, annotation_only=True, app_config=cli.settings.config, progress=progress
        ),
    )
    _emit(cli, report)
