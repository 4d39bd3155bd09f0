"""``ella-cli deposit references FILE`` and ``ella-cli references fetch PMID_FILE``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.cli.groups import deposit
from ella_app.formats.pubmed import parse_pmid_file
from ella_app.formats.references import parse_references
from ella_app.services import pubmed
from ella_app.services.references import deposit_references


@deposit.command("references")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@reason_option
@pass_cli
def references_deposit(cli: CliContext, file: str) -> None:
    """Add or update references from a JSON Lines file (upsert by pubmed_id; safe to re-run).

    Each line: {"pubmed_id": int, "authors", "title", "journal", "abstract", "year": str, "published": bool}.
    Keys a line leaves out are not changed; unknown keys are an error naming the line.
    """
    entries = parse_references(file)
    report = cli.change(
        "deposit", "references", lambda session, progress: deposit_references(session, entries, progress)
    )
    cli.emit(report)


@click.group("references", help="Fetch literature references from PubMed.")
def references_group() -> None:
    pass


@references_group.command("fetch")
@click.argument("pmid_file", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the references (default: references-YYMMDD.txt in the current folder).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help=f"NCBI E-utilities base URL (default: ${pubmed.BASE_URL_ENV} or {pubmed.DEFAULT_BASE_URL}).",
)
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries per batch.")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True, help="Seconds per request.")
@json_option
@pass_cli
def fetch(
    cli: CliContext, pmid_file: str, output: Path | None, base_url: str | None, retries: int, timeout: float
) -> None:
    """Fetch the PubMed ids in PMID_FILE (separated by spaces or new lines) from NCBI efetch and write
    them as a references file for 'deposit references'. Nothing is written if the service fails."""
    pmids = parse_pmid_file(pmid_file)
    client = pubmed.PubMedClient(base_url, timeout=timeout, retries=retries)
    with cli.progress() as progress:
        result = client.fetch(pmids, progress)
    target = output or Path.cwd() / f"references-{dt.date.today():%y%m%d}.txt"
    changed = pubmed.save_references(target, result.references)
    count = len(result.references)
    payload = {
        "changed": changed,
        "output": str(target),
        "requested": len(pmids),
        "written": count,
        "missing": result.missing,
        "requests": result.requests,
    }
    lines = [f"{count} of {len(pmids)} reference(s) written to {target}" + ("" if changed else " (unchanged)")]
    if result.missing:
        lines.append(f"not found in PubMed: {' '.join(map(str, result.missing))}")
    cli.emit(payload, lines)


commands = [references_group]
