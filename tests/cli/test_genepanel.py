"""``ella-cli deposit genepanel``: create, re-run, --replace, shared rows, --all, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot

PANELS = DEMO_FIXTURES / "genepanels"
HBOC = PANELS / "HBOC_v1.0.0"


def query(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def copy_panel(tmp_path: Path, source: Path = HBOC, base: str | None = None) -> Path:
    """A copy of a demo panel, optionally renamed (files included) to ``base``."""
    base = base or source.name
    target = tmp_path / base
    target.mkdir(parents=True)
    for file in source.iterdir():
        shutil.copy(file, target / file.name.replace(source.name, base))
    return target


def edit(folder: Path, suffix: str, old: str, new: str) -> None:
    path = folder / f"{folder.name}{suffix}"
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new))


def test_deposit_creates_panel_and_rerun_changes_nothing(cli: Cli, db_url):
    first = cli.ok("deposit", "genepanel", "--folder", str(HBOC), "--json").json()
    assert first["changed"] is True and first["created"] == 1
    assert first["names"]["created"] == ["HBOC_v1.0.0"]
    assert first["genes"] == {"created": 2, "updated": 0}
    assert first["transcripts"] == {"created": 2, "updated": 0}
    assert first["phenotypes"] == {"created": 6, "updated": 0}

    [panel] = query(db_url, "SELECT name, version, official, genome_reference FROM genepanel")
    assert panel == ("HBOC", "v1.0.0", True, "GRCh37")
    [brca2] = query(
        db_url,
        "SELECT chromosome, tx_start, tx_end, strand, cds_start, cds_end, cardinality(exon_starts), type, gene_id "
        "FROM transcript WHERE transcript_name = 'NM_000059.3'",
    )
    assert brca2 == ("13", 32889616, 32973809, "+", 32890597, 32972907, 27, "RefSeq", 1101)
    assert query(db_url, "SELECT hgnc_id, hgnc_symbol FROM gene ORDER BY 1") == [(1100, "BRCA1"), (1101, "BRCA2")]
    links = query(db_url, "SELECT count(*), min(inheritance) FROM genepanel_transcript")
    assert links == [(2, "AD")]
    assert query(db_url, "SELECT count(*) FROM genepanel_phenotype") == [(6,)]
    assert query(db_url, "SELECT command FROM clilog") == [("genepanel",)]

    before = table_snapshot(db_url)
    second = cli.ok("deposit", "genepanel", "--folder", str(HBOC), "--json").json()
    assert second["changed"] is False and second["unchanged"] == 1 and second["created"] == second["updated"] == 0
    assert table_snapshot(db_url) == before
    human = cli.ok("deposit", "genepanel", "--folder", str(HBOC))
    assert "0 created, 0 updated, 1 unchanged" in human.stdout and "unchanged: HBOC_v1.0.0" in human.stdout


def test_all_demo_panels_in_one_run(cli: Cli, db_url):
    first = cli.ok("deposit", "genepanel", "--all", str(PANELS), "--json").json()
    assert sorted(first["names"]["created"]) == ["Cardio_v1.0.0", "Ciliopathy_v1.0.0", "HBOC_v1.0.0"]
    assert query(db_url, "SELECT count(*) FROM gene") == [(8,)]
    assert query(db_url, "SELECT count(*) FROM phenotype WHERE omim_id IS NULL") == [(1,)]
    again = cli.ok("deposit", "genepanel", "--all", str(PANELS), "--json").json()
    assert again["changed"] is False and again["unchanged"] == 3


def test_differing_panel_is_left_alone_without_replace(cli: Cli, db_url, tmp_path):
    cli.ok("deposit", "genepanel", "--folder", str(HBOC))
    folder = copy_panel(tmp_path)
    edit(folder, "_genes_transcripts.tsv", "\tBRCA1\t1100\tAD\t", "\tBRCA1\t1100\tAD/AR\t")
    before = table_snapshot(db_url)

    result = cli.ok("deposit", "genepanel", "--folder", str(folder), "--json").json()
    assert result["changed"] is False and result["unchanged"] == 1
    assert "--replace" in result["messages"][0] and "transcript links: 1 to add, 1 to remove" in result["messages"][0]
    assert table_snapshot(db_url) == before
    human = cli.ok("deposit", "genepanel", "--folder", str(folder))
    assert "use --replace to update it" in human.stdout

    replaced = cli.ok("deposit", "genepanel", "--folder", str(folder), "--replace", "--json").json()
    assert replaced["changed"] is True and replaced["names"]["updated"] == ["HBOC_v1.0.0"]
    inheritance = query(
        db_url,
        "SELECT t.transcript_name, l.inheritance FROM genepanel_transcript l "
        "JOIN transcript t ON t.id = l.transcript_id ORDER BY 1",
    )
    assert inheritance == [("NM_000059.3", "AD"), ("NM_007294.3", "AD/AR")]
    again = cli.ok("deposit", "genepanel", "--folder", str(folder), "--replace", "--json").json()
    assert again["changed"] is False


def test_replace_updates_shared_rows_and_relinks(cli: Cli, db_url, tmp_path):
    cli.ok("deposit", "genepanel", "--folder", str(HBOC))
    folder = copy_panel(tmp_path)
    # BRCA2 gets other exon coordinates; one phenotype goes, one changes its MIM number
    edit(folder, "_genes_transcripts.tsv", "32889616,32890558,", "32889616,32890559,")
    edit(folder, "_phenotypes.tsv", "1101\tBRCA2\tAD\t613347\tPancreatic cancer 2\t\t\t\n", "")
    edit(folder, "_phenotypes.tsv", "605724", "605725")

    result = cli.ok("deposit", "genepanel", "--folder", str(folder), "--replace", "--json").json()
    assert result["updated"] == 1
    assert result["transcripts"] == {"created": 0, "updated": 1}
    assert result["phenotypes"] == {"created": 0, "updated": 1}
    starts = query(db_url, "SELECT exon_starts[2] FROM transcript WHERE transcript_name = 'NM_000059.3'")
    assert starts == [(32890559,)]
    assert query(db_url, "SELECT count(*) FROM genepanel_phenotype") == [(5,)]
    assert query(db_url, "SELECT count(*) FROM phenotype") == [(6,)], "shared phenotype rows are kept"
    assert query(db_url, "SELECT omim_id FROM phenotype WHERE description LIKE 'Fanconi%D1'") == [(605725,)]


def test_new_version_shares_transcripts(cli: Cli, db_url, tmp_path):
    cli.ok("deposit", "genepanel", "--folder", str(HBOC))
    v2 = copy_panel(tmp_path, base="HBOC_v1.1.0")
    result = cli.ok("deposit", "genepanel", "--folder", str(v2), "--json").json()
    assert result["names"]["created"] == ["HBOC_v1.1.0"]
    assert result["transcripts"]["created"] == 0 and result["genes"]["created"] == 0
    assert query(db_url, "SELECT count(*) FROM transcript") == [(2,)]
    assert query(db_url, "SELECT count(*) FROM genepanel_transcript") == [(4,)]


def test_new_panel_with_other_data_for_a_shared_transcript_keeps_the_stored_row(cli: Cli, db_url, tmp_path):
    cli.ok("deposit", "genepanel", "--folder", str(HBOC))
    v2 = copy_panel(tmp_path, base="HBOC_v2.0.0")
    edit(v2, "_genes_transcripts.tsv", "\t32890597\t32972907\t", "\t32890598\t32972907\t")
    result = cli.ok("deposit", "genepanel", "--folder", str(v2), "--json").json()
    assert result["created"] == 1
    assert "NM_000059.3" in result["messages"][0] and "--replace" in result["messages"][0]
    assert query(db_url, "SELECT cds_start FROM transcript WHERE transcript_name = 'NM_000059.3'") == [(32890597,)]
    # the new panel now differs from its files (shared row) until --replace updates the shared row
    assert cli.ok("deposit", "genepanel", "--folder", str(v2), "--json").json()["messages"]
    cli.ok("deposit", "genepanel", "--folder", str(v2), "--replace")
    assert query(db_url, "SELECT cds_start FROM transcript WHERE transcript_name = 'NM_000059.3'") == [(32890598,)]


def test_explicit_file_options(cli: Cli, db_url):
    result = cli.ok(
        "deposit",
        "genepanel",
        "--genepanel_name",
        "HBOC",
        "--genepanel_version",
        "v1.0.0",
        "--transcripts_path",
        str(HBOC / "HBOC_v1.0.0_genes_transcripts.tsv"),
        "--phenotypes_path",
        str(HBOC / "HBOC_v1.0.0_phenotypes.tsv"),
        "--json",
    ).json()
    assert result["names"]["created"] == ["HBOC_v1.0.0"]


def test_usage_errors(cli: Cli, db_url):
    assert cli("deposit", "genepanel").exit_code == 2
    assert cli("deposit", "genepanel", "--folder", str(HBOC), "--all", str(PANELS)).exit_code == 2
    assert cli("deposit", "genepanel", "--genepanel_name", "HBOC").exit_code == 2


def _break(folder: Path, kind: str) -> tuple[Path, list[str]]:
    """Damage a panel copy; returns the folder to deposit and words the error must contain."""
    tx = "_genes_transcripts.tsv"
    if kind == "coordinate":
        edit(folder, tx, "\t41196311\t41277500\t", "\t41196311\t4127750O\t")
        return folder, [f"{folder.name}{tx}", "line 4", "key 'read end'", "'4127750O' is not an integer"]
    if kind == "column":
        edit(folder, tx, "\tcoding end\t", "\tcoding stop\t")
        return folder, [f"{folder.name}{tx}", "line 3", "missing column(s): 'coding end'"]
    if kind == "exons":
        edit(folder, tx, "32972298,\t", "\t")
        return folder, [f"{folder.name}{tx}", "line 5", "26 exon starts but 27 exon ends"]
    if kind == "duplicate":
        path = folder / f"{folder.name}{tx}"
        path.write_text(path.read_text() + path.read_text().splitlines()[-1] + "\n")
        return folder, [f"{folder.name}{tx}", "line 6", "'NM_000059.3' already on line 5"]
    if kind == "phenotype":
        edit(folder, "_phenotypes.tsv", "1100\tBRCA1\tAD\t604370", "1100\tBRCA1\tAD\tOMIM604370")
        return folder, [f"{folder.name}_phenotypes.tsv", "line 3", "key 'phenotype MIM number'"]
    if kind == "version":
        renamed = folder.parent / "HBOC_1.0.0"
        folder.rename(renamed)
        return renamed, ["HBOC_1.0.0", "NAME_vVERSION", "must start with 'v'"]
    if kind == "missing-file":
        (folder / f"{folder.name}_phenotypes.tsv").unlink()
        return folder, [f"{folder.name}_phenotypes.tsv", "file not found"]
    if kind == "missing-folder":
        return folder.parent / "Nope_v1", ["Nope_v1", "not found"]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["coordinate", "column", "exons", "duplicate", "phenotype", "version", "missing-file", "missing-folder"]
)
def test_bad_input_is_refused_and_nothing_is_written(cli: Cli, db_url, tmp_path, kind):
    cli.ok("deposit", "genepanel", "--folder", str(PANELS / "Cardio_v1.0.0"))
    before = table_snapshot(db_url)
    folder, words = _break(copy_panel(tmp_path), kind)
    result = cli("deposit", "genepanel", "--folder", str(folder), "--json")
    assert result.exit_code == 2, result.stderr
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, (word, message)
    assert result.stdout == ""
    assert table_snapshot(db_url) == before


def test_one_bad_panel_in_all_writes_nothing(cli: Cli, db_url, tmp_path):
    parent = tmp_path / "panels"
    copy_panel(parent, PANELS / "Cardio_v1.0.0")
    broken = copy_panel(parent)
    edit(broken, "_genes_transcripts.tsv", "\t-\tBRCA1\t", "\t?\tBRCA1\t")
    before = table_snapshot(db_url)
    result = cli("deposit", "genepanel", "--all", str(parent))
    assert result.exit_code == 2 and "key 'strand'" in result.stderr
    assert table_snapshot(db_url) == before


def test_all_with_versions_sharing_transcripts_in_one_transaction(cli: Cli, db_url, tmp_path):
    parent = tmp_path / "panels"
    copy_panel(parent, base="HBOC_v1.0.0")
    copy_panel(parent, base="HBOC_v1.1.0")
    result = cli.ok("deposit", "genepanel", "--all", str(parent), "--json").json()
    assert result["created"] == 2 and result["transcripts"] == {"created": 2, "updated": 0}
    assert query(db_url, "SELECT count(*) FROM genepanel_transcript") == [(4,)]
    assert cli.ok("deposit", "genepanel", "--all", str(parent), "--json").json()["changed"] is False
