"""``ella-cli delete analysis ID`` and ``delete alleleinterpretation ALLELE_ID``: remove an analysis, or the
latest rounds of a variant's workflow; assessments are kept."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.services import alleleinterpretations_admin, analyses_admin


@click.group(help="Remove data (asks for a typed confirmation).")
def delete() -> None:
    pass


@delete.command("analysis")
@click.argument("analysis_id", metavar="ID", type=int)
@click.option("-f", "--force", is_flag=True, help="Do not ask for the typed confirmation.")
@json_option
@reason_option
@pass_cli
def analysis(cli: CliContext, analysis_id: int, force: bool) -> None:
    """Delete analysis ID with its samples, genotypes, interpretations and work log.

    Allele/reference/gene assessments and allele reports are kept (no longer linked to the analysis);
    alleles and annotations are kept. Asks you to type the analysis name unless --force.
    """
    overview = cli.read(lambda session: analyses_admin.analysis_overview(session, analysis_id))
    if not force:
        click.echo(
            f"Analysis {overview['id']} '{overview['name']}' ({overview['genepanel']}): "
            f"{overview['samples']} sample(s), {overview['genotypes']} genotype(s) and "
            f"{overview['interpretations']} interpretation(s) will be deleted; "
            f"{overview['assessments_kept']} assessment(s)/report(s) are kept.",
            err=True,
        )
        answer = click.prompt("Type the analysis name to delete it", default="", show_default=False, err=True)
        if answer.strip() != overview["name"]:
            raise click.ClickException("not confirmed: nothing was deleted")
    report = cli.change(
        "delete", "analysis", lambda session, _progress: analyses_admin.delete_analysis(session, analysis_id)
    )
    cli.emit(report)


@delete.command("alleleinterpretation")
@click.argument("allele_id", metavar="ALLELE_ID", type=int)
@click.option(
    "--delete-all", is_flag=True, help="Delete every round of the variant, not only those since it was last finalized."
)
@click.option("-f", "--force", is_flag=True, help="Do not ask for confirmation.")
@json_option
@reason_option
@pass_cli
def alleleinterpretation(cli: CliContext, allele_id: int, delete_all: bool, force: bool) -> None:
    """Delete the rounds of ALLELE_ID's variant workflow created since it was last finalized (all of them with
    --delete-all), with their state history. Allele assessments, reports and the work log are kept. Shows the
    rounds and asks for 'y' unless --force. Nothing to delete: says so and changes nothing."""
    overview = cli.read(lambda session: alleleinterpretations_admin.plan(session, allele_id, delete_all))
    if overview["rounds"] and not force:
        click.echo(f"Rounds of the variant workflow of allele {allele_id}, {overview['variant']}:", err=True)
        click.echo(f"  overview comment: {overview['overview_comment'] or '(none)'}", err=True)
        for row in overview["rounds"]:
            state = " (Ongoing)" if row["status"] == "Ongoing" else " (Finalized)" if row["finalized"] else ""
            who = f" - {row['user']}" if row["user"] else ""
            when = row["date_last_update"][:16].replace("T", " ")
            click.echo(f"  {row['number']} - {row['workflow_status']}{state}{who} - {when}", err=True)
        if not click.confirm(f"Delete these {len(overview['rounds'])} round(s)?", default=False, err=True):
            raise click.ClickException("not confirmed: nothing was deleted")
    report = cli.change(
        "delete",
        "alleleinterpretation",
        lambda session, _progress: alleleinterpretations_admin.delete_rounds(session, allele_id, delete_all),
    )
    cli.emit(report)


commands = [delete]
