"""Every demo filter config (files/demo/fixtures/filterconfigs.json), deposited as ``filterconfigs update``
does, runs on ELLA's trio TestAnalysis-001 brought in by the real importer, with the demo HBOC panel: no
filter is skipped, and the outcome is ELLA's for this trio.

The trio (tests/data/ella-upstream) has six BRCA2 variants, heterozygous in the proband and in both parents,
all inside the panel's regions, five with HGMD DM, none with gnomAD or ClinVar JSON data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ella_app.config.loader import load_config_file
from ella_app.db.models import Analysis, FilterConfig
from ella_app.formats.filterconfigs import check_against_config, read_filterconfigs
from ella_app.formats.genepanel import read_panel_folder
from ella_app.services import filtering
from ella_app.services.filterconfigs import update_filterconfigs
from ella_app.services.filters.context import analysis_context, load_samples
from ella_app.services.genepanels import deposit_genepanel
from ella_app.services.importer import import_analysis
from tests.api.factories import HBOC, copy_db, make_group, session_for, template_db
from tests.conftest import DEMO_FIXTURES, EXAMPLE_CONFIG, UPSTREAM
from tests.filters.test_external import VCF_HEADER

APP_CONFIG = load_config_file(EXAMPLE_CONFIG, {})
TRIO = UPSTREAM / "analyses" / "TestAnalysis-001"


def _intronic_analysis(root: Path) -> Path:
    """Two deep intronic BRCA2 variants (between exons 2 and 3), the first with HGMD DM."""
    folder = root / "Intronic-1.HBOC_v1.0.0"
    folder.mkdir(parents=True)
    lines = []
    for pos, hgmd in ((32891000, True), (32891100, False)):
        info = [f"CSQ=G|intron_variant|BRCA2|Transcript|NM_000059.3|NM_000059.3:c.67+{pos - 32890664}A>G|1101"]
        if hgmd:
            info += ["HGMD__acc_num=CS000001", "HGMD__disease=Breast@#SPcancer", "HGMD__tag=DM"]
        row = ["13", str(pos), ".", "A", "G", "500", "PASS", ";".join(info), "GT", "0/1"]
        lines.append("\t".join(row) + "\n")
    (folder / f"{folder.name}.vcf").write_text(VCF_HEADER + "".join(lines))
    return folder


def build(session: Any, intronic_folder: Path) -> dict[str, Any]:
    deposit_genepanel(session, read_panel_folder(DEMO_FIXTURES / "genepanels" / "HBOC_v1.0.0"))
    groups = {name: make_group(session, name, [HBOC]).id for name in ("testgroup01", "testgroup02", "testgroup03")}
    path = DEMO_FIXTURES / "filterconfigs.json"
    entries = read_filterconfigs(path)
    check_against_config(entries, APP_CONFIG, str(path))
    update_filterconfigs(session, entries)
    session.commit()
    analysis_id = import_analysis(session, TRIO).extra["analysis_id"]
    session.commit()  # one import per transaction
    intronic = import_analysis(session, intronic_folder).extra["analysis_id"]
    return {"analysis": analysis_id, "intronic": intronic, "groups": groups}


@pytest.fixture(scope="module")
def trio(pg, tmp_path_factory):
    folder = _intronic_analysis(tmp_path_factory.mktemp("incoming"))
    name, ids = template_db(pg, lambda session: build(session, folder))
    with copy_db(pg, name) as url:
        yield url, ids


def outcome(url: str, analysis_id: int, name: str) -> tuple[Any, filtering.FilterOutcome]:
    with session_for(url) as session:
        fc = session.scalar(select(FilterConfig).where(FilterConfig.name == name, FilterConfig.active.is_(True)))
        assert fc is not None
        ctx = analysis_context(session, APP_CONFIG, analysis_id, HBOC)
        return ctx, filtering.outcome_for(ctx, fc, None)


def by_position(ctx: Any, ids: list[int]) -> list[int]:
    return sorted(ctx.alleles[a].vcf_pos for a in ids)


ALL = [32890607, 32890645, 32890666, 32893218, 32893243, 32893344]


@pytest.mark.parametrize("name", ["Default", "Trio", "HBOC genes", "Ciliopathy recessive", "CNV"])
def test_every_demo_config_runs_on_the_trio_with_nothing_skipped(trio, name):
    url, ids = trio
    ctx, result = outcome(url, ids["analysis"], name)
    assert result.unsupported == [] and result.as_dict()["unsupported_filters"] == []
    shown = by_position(ctx, sorted(result.passed))
    filtered = by_position(ctx, [a for a, _ in result.filtered()])
    assert sorted(shown + filtered) == ALL


def test_trio_config_segregation_removes_what_every_parent_carries(trio):
    """All six are heterozygous in proband, father and mother: no de novo, no compound heterozygote (each
    would need exactly one heterozygous parent), no homozygote, parents covered: segregation filters them."""
    url, ids = trio
    ctx, result = outcome(url, ids["analysis"], "Trio")
    assert result.passed == set()
    assert by_position(ctx, result.excluded["segregation"]) == ALL
    assert result.excluded["frequency"] == [] and result.excluded["inheritancemodel"] == []


def test_trio_config_is_offered_to_the_trio(trio):
    url, ids = trio
    with session_for(url) as session:
        analysis = session.get(Analysis, ids["analysis"])
        assert analysis is not None
        names = [
            fc.name
            for fc in filtering.eligible_filterconfigs(
                session, ids["groups"]["testgroup01"], analysis, load_samples(session, analysis.id)
            )
        ]
    assert names == ["Default", "Trio", "HBOC genes", "CNV"]


def test_default_and_cnv_configs(trio):
    """Default: nothing of the trio is common, outside the regions, only intronic/UTR, of poor quality or
    classified; CNV: the callertype filter takes every SNV."""
    url, ids = trio
    ctx, default = outcome(url, ids["analysis"], "Default")
    assert by_position(ctx, sorted(default.passed)) == ALL
    ctx, cnv = outcome(url, ids["analysis"], "CNV")
    assert cnv.passed == set() and by_position(ctx, cnv.excluded["callertype"]) == ALL


def test_default_region_filter_rescues_hgmd_dm_outside_the_regions(trio):
    """The Default config's region filter has an ``external`` exception (HGMD DM): of two deep intronic BRCA2
    variants, the region filter removes only the one without HGMD; the HGMD DM one goes on to the next
    filter, the consequence filter, which removes it as an intron variant (its exceptions are classes)."""
    url, ids = trio
    ctx, result = outcome(url, ids["intronic"], "Default")
    assert by_position(ctx, result.excluded["region"]) == [32891100]
    assert by_position(ctx, result.excluded["consequence"]) == [32891000]
    assert result.passed == set() and result.unsupported == []
