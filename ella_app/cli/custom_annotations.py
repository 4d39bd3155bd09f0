"""``ella-cli deposit custom_annotation FILE``: custom annotations from ELLA's JSON Lines file."""

from __future__ import annotations

from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.groups import deposit
from ella_app.formats.custom_annotations import parse_custom_annotations
from ella_app.services.custom_annotation_deposit import deposit_custom_annotations


@deposit.command("custom_annotation")
@click.argument("custom_annotation_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@reason_option
@pass_cli
def custom_annotation(cli: CliContext, custom_annotation_json: Path) -> None:
    """Deposit custom annotations: one JSON object per line, {"allele_id": N, "annotations": {...}, "user_id": N?}.

    Each line's annotations become the allele's current custom annotation (an older, different one is kept,
    superseded). Alleles and users must exist. Safe to re-run: equal annotations are left unchanged.
    """
    entries = parse_custom_annotations(custom_annotation_json)
    report = cli.change(
        "deposit",
        "custom_annotation",
        lambda session, progress: deposit_custom_annotations(session, entries, str(custom_annotation_json)),
    )
    cli.emit(report)
