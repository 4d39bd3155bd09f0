"""``ella-cli deposit alleles`` and ``deposit annotation``: variants without an analysis, their annotation
versions, the panel check, idempotency and bad input (database unchanged)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot

HBOC = DEMO_FIXTURES / "genepanels" / "HBOC_v1.0.0"
HEADER = (
    "##fileformat=VCFv4.1\n"
    '##INFO=<ID=GNOMAD_EXOMES__AF,Number=A,Type=Float,Description="gnomAD AF">\n'
    '##INFO=<ID=GNOMAD_EXOMES__AN,Number=1,Type=Integer,Description="gnomAD AN">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
)
# BRCA2 (NM_000059.3) spans 13:32889616-32973809 in the demo panel
RECORDS = [
    ("13", 32890607, "G", "T", 0.001),
    ("13", 32890617, "C", "A", 0.002),
    ("13", 32900000, "AT", "A", 0.003),
]


def write_vcf(path: Path, records: list[tuple[str, int, str, str, float]] = RECORDS, extra: str = "") -> Path:
    lines = [
        f"{c}\t{p}\t.\t{r}\t{a}\t100\tPASS\tGNOMAD_EXOMES__AF={af};GNOMAD_EXOMES__AN=1000\tGT\t0/1\n"
        for c, p, r, a, af in records
    ]
    path.write_text(HEADER + "".join(lines) + extra)
    return path


def query(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def with_panel(cli: Cli) -> None:
    cli.ok("deposit", "genepanel", "--folder", str(HBOC))


def test_deposit_alleles(cli: Cli, db_url: str, tmp_path: Path):
    """Mirrors ELLA src/cli/tests/test_deposit.py::test_deposit_alleles (panel from the file name), and checks
    what it creates: alleles, their annotation, one "Not started" allele interpretation each; a second run
    changes nothing and says so."""
    with_panel(cli)
    vcf = write_vcf(tmp_path / "variants.HBOC_v1.0.0.vcf")
    first = cli.ok("deposit", "alleles", str(vcf), "--json").json()
    assert first["changed"] is True and first["names"]["created"] == [vcf.name]
    assert (first["records"], first["alleles_created"], first["annotations_created"]) == (3, 3, 3)
    assert first["interpretations_created"] == 3
    alleles = query(db_url, "SELECT chromosome, vcf_pos, vcf_ref, vcf_alt, change_type FROM allele ORDER BY vcf_pos")
    assert alleles == [
        ("13", 32890607, "G", "T", "SNP"),
        ("13", 32890617, "C", "A", "SNP"),
        ("13", 32900000, "AT", "A", "del"),
    ]
    annotations = query(
        db_url, "SELECT annotation -> 'frequencies' -> 'GNOMAD_EXOMES' -> 'freq' ->> 'G' FROM annotation ORDER BY id"
    )
    assert annotations == [("0.001",), ("0.002",), ("0.003",)]
    rounds = query(
        db_url, "SELECT genepanel_name, genepanel_version, status, workflow_status FROM alleleinterpretation"
    )
    assert rounds == [("HBOC", "v1.0.0", "Not started", "Interpretation")] * 3
    assert query(db_url, "SELECT command FROM clilog WHERE command = 'alleles'") == [("alleles",)]

    before = table_snapshot(db_url)
    second = cli.ok("deposit", "alleles", str(vcf), "--json").json()
    assert second["changed"] is False and second["names"]["unchanged"] == [vcf.name]
    assert (second["alleles_created"], second["annotations_created"], second["interpretations_created"]) == (0, 0, 0)
    assert table_snapshot(db_url) == before
    assert "nothing changed" in cli.ok("deposit", "alleles", str(vcf)).stdout


def test_panel_options_and_several_files(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA: --genepanel_name/--genepanel_version, several VCFs in one run (one transaction)."""
    with_panel(cli)
    a = write_vcf(tmp_path / "a.vcf", RECORDS[:2])
    b = write_vcf(tmp_path / "b.vcf", RECORDS[1:])
    out = cli.ok(
        "deposit", "alleles", str(a), str(b), "--genepanel_name", "HBOC", "--genepanel_version", "v1.0.0", "--json"
    ).json()
    assert out["names"]["created"] == ["a.vcf", "b.vcf"]
    assert out["alleles_created"] == 3 and out["alleles_existing"] == 1 and out["records"] == 4
    assert query(db_url, "SELECT count(*) FROM allele") == [(3,)]
    assert query(db_url, "SELECT count(*) FROM alleleinterpretation") == [(3,)]


def test_an_allele_with_an_interpretation_gets_no_new_one(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA's AlleleInterpretationImporter: a new "Not started" round only for alleles without any
    interpretation — also when the existing one is Done."""
    with_panel(cli)
    vcf = write_vcf(tmp_path / "v.HBOC_v1.0.0.vcf", RECORDS[:1])
    cli.ok("deposit", "alleles", str(vcf))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alleleinterpretation SET status = 'Done', finalized = true"))
    engine.dispose()
    again = cli.ok("deposit", "alleles", str(vcf), "--json").json()
    assert again["interpretations_created"] == 0 and again["changed"] is False
    assert query(db_url, "SELECT status FROM alleleinterpretation") == [("Done",)]


def test_deposit_annotation(cli: Cli, db_url: str, tmp_path: Path):
    """Mirrors ELLA src/cli/tests/test_deposit.py::test_deposit_annotation: an annotation-only update. A
    changed annotation becomes a new version; the old one is kept with date_superceeded and linked; no
    interpretation is created; an unchanged allele keeps its annotation; a re-run changes nothing."""
    with_panel(cli)
    cli.ok("deposit", "alleles", str(write_vcf(tmp_path / "v.HBOC_v1.0.0.vcf")))
    changed = [RECORDS[0], (*RECORDS[1][:4], 0.5), RECORDS[2]]
    update = write_vcf(tmp_path / "update.HBOC_v1.0.0.vcf", [*changed, ("13", 32950000, "T", "C", 0.1)])
    out = cli.ok("deposit", "annotation", str(update), "--json").json()
    assert out["kind"] == "annotation" and out["changed"] is True
    assert (out["alleles_created"], out["annotations_created"], out["annotations_superseded"]) == (1, 2, 1)
    assert out["annotations_unchanged"] == 2 and out["interpretations_created"] == 0
    versions = query(
        db_url,
        "SELECT a.vcf_pos, n.annotation -> 'frequencies' -> 'GNOMAD_EXOMES' -> 'freq' ->> 'G', "
        "n.date_superceeded IS NOT NULL, n.previous_annotation_id IS NOT NULL "
        "FROM annotation n JOIN allele a ON a.id = n.allele_id ORDER BY n.id",
    )
    assert versions == [
        (32890607, "0.001", False, False),
        (32890617, "0.002", True, False),
        (32900000, "0.003", False, False),
        (32890617, "0.5", False, True),
        (32950000, "0.1", False, False),
    ]
    assert query(db_url, "SELECT count(*) FROM alleleinterpretation") == [(3,)]
    before = table_snapshot(db_url)
    again = cli.ok("deposit", "annotation", str(update), "--json").json()
    assert again["changed"] is False and table_snapshot(db_url) == before


def test_a_new_annotation_config_makes_a_new_version(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA's AnnotationImporter also supersedes an annotation made with another annotation config."""
    with_panel(cli)
    vcf = write_vcf(tmp_path / "v.HBOC_v1.0.0.vcf", RECORDS[:1])
    cli.ok("deposit", "alleles", str(vcf))
    config = tmp_path / "annotation-config.yml"
    config.write_text(
        "deposit:\n  - name: keyvalue\n    converter_config:\n      elements:\n"
        "        - source: GNOMAD_EXOMES__AF\n          target: frequencies.GNOMAD_EXOMES.freq.G\n"
        "          target_type: float\nview: []\n"
    )
    cli.ok("annotationconfig", "update", str(config))
    out = cli.ok("deposit", "annotation", str(vcf), "--json").json()
    assert out["annotations_created"] == 1 and out["annotations_superseded"] == 1
    assert query(db_url, "SELECT annotation_config_id IS NULL FROM annotation ORDER BY id") == [(True,), (False,)]


def test_variants_outside_the_panel_are_refused(cli: Cli, db_url: str, tmp_path: Path):
    """ELLA refuses the deposit and lists the variants outside the panel's transcripts."""
    with_panel(cli)
    vcf = write_vcf(tmp_path / "v.HBOC_v1.0.0.vcf", [*RECORDS, ("1", 12345, "A", "G", 0.1)])
    before = table_snapshot(db_url)
    result = cli("deposit", "alleles", str(vcf))
    assert result.exit_code == 2
    assert "1 variant(s) are not inside a transcript of gene panel HBOC_v1.0.0" in result.stderr
    assert "line 8: 1 12345 . A G" in result.stderr and str(vcf) in result.stderr
    assert table_snapshot(db_url) == before
    # deposit annotation does not check the panel
    assert cli.ok("deposit", "annotation", str(vcf), "--json").json()["alleles_created"] == 4


def test_bad_input_names_file_and_line_and_changes_nothing(cli: Cli, db_url: str, tmp_path: Path):
    with_panel(cli)
    before = table_snapshot(db_url)
    cases = [
        (write_vcf(tmp_path / "pos.HBOC_v1.0.0.vcf", extra="13\tx\t.\tA\tG\t1\tPASS\t.\tGT\t0/1\n"), "line 8: POS", 2),
        (write_vcf(tmp_path / "multi.HBOC_v1.0.0.vcf", [("13", 32890700, "A", "G,T", 0.1)]), "line 5", 2),
        (write_vcf(tmp_path / "twice.HBOC_v1.0.0.vcf", [*RECORDS, RECORDS[0]]), "listed twice (also on line 5)", 2),
        (write_vcf(tmp_path / "af.HBOC_v1.0.0.vcf", [("13", 32890700, "A", "G", "x")]), "GNOMAD_EXOMES__AF", 2),  # type: ignore[list-item]
        (write_vcf(tmp_path / "v.NOPANEL_v1.vcf"), "gene panel NOPANEL v1 is not in the database", 3),
        (write_vcf(tmp_path / "nopanel.vcf"), "cannot tell the gene panel from the file name", 2),
    ]
    for vcf, message, code in cases:
        for command in ("alleles", "annotation"):
            result = cli("deposit", command, str(vcf))
            assert result.exit_code == code, (vcf.name, command, result.stderr)
            assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
            if code == 2 and "file name" not in message:
                assert vcf.name in result.stderr
    assert table_snapshot(db_url) == before
    usage = cli("deposit", "alleles", str(cases[0][0]), "--genepanel_name", "HBOC")
    assert usage.exit_code == 2 and "go together" in usage.stderr + usage.stdout
