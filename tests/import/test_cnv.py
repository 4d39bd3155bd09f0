"""CNV records (INFO/SVTYPE, symbolic ALTs): imported with caller type ``cnv`` when ``app.feature_flags.cnv``
is on, refused naming the flag when it is off (ELLA's ``AlleleImporter`` raises FeatureNotEnabledError)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from ella_app.config.loader import load_config_file
from ella_app.db.models import Analysis
from ella_app.db.session import transaction
from ella_app.errors import InputError
from ella_app.services.filtering import filter_interpretation
from ella_app.services.importer import import_analysis
from tests.api.factories import make_filterconfig, make_group
from tests.conftest import EXAMPLE_CONFIG, Cli, table_snapshot
from tests.support import vcfgen

from .conftest import make_panel, query

SAMPLES = ["PROBAND", "FATHER", "MOTHER"]
PED = [
    ("F", "PROBAND", "FATHER", "MOTHER", "1", "2", "1"),
    ("F", "FATHER", "0", "0", "1", "1", "0"),
    ("F", "MOTHER", "0", "0", "2", "1", "0"),
]
VARIANTS: list[dict[str, Any]] = [
    {
        "CHROM": "13",
        "POS": 32890500,
        "REF": "G",
        "ALT": "<DEL>",
        "QUAL": 300,
        "FILTER": "PASS",
        "INFO": {"SVTYPE": "DEL", "SVLEN": "-2500", "END": "32893000"},
        "FORMAT": [{"GT": "0/1", "CN": 1}, {"GT": "0/0", "CN": 2}, {"GT": "0/1", "CN": 1}],
    },
    {  # a duplication where the proband has no call: ELLA imports it (has_allele of a DUP with ./.)
        "CHROM": "13",
        "POS": 32900000,
        "REF": "A",
        "ALT": "<DUP>",
        "FILTER": "PASS",
        "INFO": {"SVTYPE": "DUP", "SVLEN": "800"},
        "FORMAT": [{"GT": "./.", "CN": 3}, {"GT": "./.", "CN": 2}, {"GT": "0/0", "CN": 2}],
    },
    {
        "CHROM": "13",
        "POS": 32906729,
        "REF": "A",
        "ALT": "C",
        "QUAL": 800,
        "FILTER": "PASS",
        "FORMAT": [{"GT": "0/1"}, {"GT": "0/0"}, {"GT": "0/1"}],
    },
]


def config(cnv: bool) -> dict[str, Any]:
    cfg = copy.deepcopy(load_config_file(EXAMPLE_CONFIG, {}))
    cfg["app"]["feature_flags"]["cnv"] = cnv
    return cfg


def cnv_analysis(tmp_path: Path, name: str = "Diag-CNV-1") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    vcfgen.mock_vcf(folder / f"{name}.vcf", SAMPLES, VARIANTS)
    vcfgen.write_ped_rows(folder / f"{name}.ped", PED)
    (folder / f"{name}.analysis").write_text(
        f'{{"name": "{name}", "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", '
        f'"data": [{{"vcf": "{name}.vcf", "ped": "{name}.ped", "callerName": "cnvkit"}}]}}'
    )
    return folder


def test_cnv_records_are_refused_while_the_flag_is_off(cli: Cli, db_url, tmp_path):
    make_panel(db_url)
    folder = cnv_analysis(tmp_path)
    before = table_snapshot(db_url)
    result = cli("deposit", "analysis", str(folder))  # the example config has feature_flags.cnv: false
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "Diag-CNV-1.vcf, line 6: CNV record (INFO/SVTYPE=DEL, ALT <DEL>)" in message
    assert "app.feature_flags.cnv: true in ella_config.yml" in message
    assert table_snapshot(db_url) == before


def test_cnv_records_are_imported_with_the_flag_on(cli: Cli, cli_env, db_url, tmp_path):
    make_panel(db_url)
    config_file = tmp_path / "ella_config.yml"
    config_file.write_text(yaml.safe_dump(config(True)))
    result = Cli({**cli_env, "ELLA_CONFIG": str(config_file)}).ok(
        "deposit", "analysis", str(cnv_analysis(tmp_path)), "--json"
    )
    assert result.json()["variants"] == 3
    alleles = query(
        db_url,
        "SELECT vcf_pos, vcf_alt, caller_type, change_type, start_position, open_end_position, length, change_from "
        "FROM allele ORDER BY vcf_pos",
    )
    assert alleles == [
        (32890500, "<DEL>", "cnv", "del", 32890499, 32892999, 2500, ""),
        (32900000, "<DUP>", "cnv", "dup", 32899999, 32900000, 800, ""),
        (32906729, "C", "snv", "SNP", 32906728, 32906729, 1, "A"),
    ]
    data = query(
        db_url,
        "SELECT a.vcf_pos, s.identifier, d.type, d.copy_number FROM genotypesampledata d "
        "JOIN genotype g ON g.id = d.genotype_id JOIN allele a ON a.id = g.allele_id "
        "JOIN sample s ON s.id = d.sample_id WHERE a.caller_type = 'cnv' ORDER BY 1, 2",
    )
    assert data == [
        (32890500, "FATHER", "Reference", 2),
        (32890500, "MOTHER", "Heterozygous", 1),
        (32890500, "PROBAND", "Heterozygous", 1),
        (32900000, "FATHER", "Reference", 2),  # ./. on a duplication counts as covered
        (32900000, "MOTHER", "Reference", 2),
        (32900000, "PROBAND", "Reference", 3),
    ]


def test_the_cnv_filter_config_then_gives_results(db_url, tmp_path):
    """The demo "CNV" filter config (callertype snv out, size < 1000 out) shows the 2.5 kb deletion."""
    make_panel(db_url)
    with transaction(db_url) as session:
        analysis_id = import_analysis(session, cnv_analysis(tmp_path), app_config=config(True)).extra["analysis_id"]
        group = make_group(session, "cnv", [("HBOC", "v1.0.0")])
        filters = [
            {"name": "callertype", "config": {"callerTypes": ["snv"]}},
            {"name": "size", "config": {"threshold": 1000, "mode": "<"}},
        ]
        make_filterconfig(session, "CNV", filters, {group: 0})
        ctx, outcome = filter_interpretation(session, config(True), group.id, session.get(Analysis, analysis_id), None)
        shown = [(ctx.alleles[a].vcf_pos, ctx.alleles[a].caller_type) for a in outcome.shown]
    assert shown == [(32890500, "cnv")]


def test_a_symbolic_alt_without_svtype_is_refused(db_url, tmp_path):
    make_panel(db_url)
    folder = tmp_path / "Sym-1"
    folder.mkdir()
    vcfgen.mock_vcf(folder / "Sym-1.HBOC_v1.0.0.vcf", ["S"], [{"POS": 9, "ALT": "<DEL>", "INFO": {}}])
    with transaction(db_url) as session, pytest.raises(InputError, match="symbolic ALT <DEL> without INFO/SVTYPE"):
        import_analysis(session, folder / "Sym-1.HBOC_v1.0.0.vcf", app_config=config(True))
