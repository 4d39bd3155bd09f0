"""``ella-cli delete analysis ID``: remove an analysis; its assessments are kept."""

from __future__ import annotations

import click

from ella_app.cli.context import CliContext, json_option, pass_cli, reason_option
from ella_app.services import analyses_admin


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


commands = [delete]
