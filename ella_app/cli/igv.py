"""``ella-cli igv-download DIR``: the reference files IGV in the web UI needs."""

from __future__ import annotations

from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli
from ella_app.services import igv_data


@click.command("igv-download")
@click.argument("directory", metavar="DIR", envvar="IGV_DATA", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--source",
    metavar="URL_OR_DIR",
    help=f"Base URL or local folder holding {igv_data.FASTA}(.fai) and cytoBandIdeo.txt "
    f"(default: ${igv_data.SOURCE_ENV}, else the public IGV/UCSC servers).",
)
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60, show_default=True, help="Seconds per request.")
@json_option
@pass_cli
def igv_download(cli: CliContext, directory: Path, source: str | None, timeout: float) -> None:
    """Put the GRCh37 reference FASTA, its index and the cytoband file (as cytoBand.txt, without 'chr')
    into DIR (default: $IGV_DATA).

    Safe to re-run: files already present with the source's size are kept. Every source file is checked
    before anything is written, and downloads are renamed into place only when complete. Works without
    a database.
    """
    with cli.progress() as progress:
        report = igv_data.download_igv_data(directory, source, timeout=timeout, progress=progress)
    cli.emit(report)


commands = [igv_download]
