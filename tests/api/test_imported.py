"""The API on analyses brought in by the real importer (``services/importer.py``): ELLA's TestAnalysis-001
trio and a generated analysis, filtered with the demo filter configs, shown, classified and finalized."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ella_app.db.models import FilterConfig, UserGroupFilterConfig
from ella_app.services.importer import import_analysis
from tests.api.factories import (
    BRCA1,
    BRCA2,
    HBOC,
    Api,
    all_ids,
    copy_db,
    make_app,
    make_group,
    make_panel,
    make_user,
    template_db,
)
from tests.conftest import DEMO_FIXTURES, UPSTREAM
from tests.support import vcfgen

TEST_ANALYSIS = UPSTREAM / "analyses" / "TestAnalysis-001"


def build(session: Session, generated: Any) -> dict[str, Any]:
    make_panel(session, *HBOC, [BRCA1, BRCA2])
    group = make_group(session, "testgroup01", [HBOC])
    ids: dict[str, Any] = {"ada": make_user(session, "ada", group).id}
    for entry in json.loads((DEMO_FIXTURES / "filterconfigs.json").read_text()):
        if any(g["name"] == "testgroup01" for g in entry["usergroups"]):
            fc = FilterConfig(
                name=entry["name"], filterconfig=entry["filterconfig"], requirements=entry.get("requirements", [])
            )
            session.add(fc)
            session.flush()
            order = next(g["order"] for g in entry["usergroups"] if g["name"] == "testgroup01")
            session.add(UserGroupFilterConfig(usergroup_id=group.id, filterconfig_id=fc.id, order=order))
    session.commit()
    ids["trio"] = import_analysis(session, TEST_ANALYSIS).extra["analysis_id"]
    session.commit()  # one import per transaction (the importer's staging tables live until commit)
    ids["generated"] = import_analysis(session, generated).extra["analysis_id"]
    return ids


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory):
    root = tmp_path_factory.mktemp("incoming")
    generated = vcfgen.write_analysis(root, "Gen-HBOC-1.HBOC_v1.0.0", 40, seed=3)
    name, ids = template_db(pg, lambda session: build(session, generated))
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield Api(app, url, ids["ada"]), ids


def test_trio_in_the_overview_and_its_filter_configs(env):
    api, ids = env
    overview = api.get("/api/v1/overviews/analyses/").json
    listed = {a["name"]: key for key, items in overview.items() for a in items}
    # warnings.txt alone leaves it in Interpretation: "Not ready" comes from a group's analysis_not_ready_warnings
    assert listed["TestAnalysis-001"] == "not_started"
    configs = api.get(f"/api/v1/workflows/analyses/{ids['trio']}/filterconfigs/").json
    assert [c["name"] for c in configs] == ["Default", "Trio", "HBOC genes", "CNV"]
    assert all(c["unsupported_filters"] == [] for c in configs)


@pytest.mark.parametrize("config", ["Default", "Trio", "HBOC genes", "CNV"])
def test_every_demo_config_runs_on_the_trio(env, config):
    api, ids = env
    base = f"/api/v1/workflows/analyses/{ids['trio']}"
    configs = {c["name"]: c["id"] for c in api.get(f"{base}/filterconfigs/").json}
    round_id = api.get(f"{base}/interpretations/").json[-1]["id"]
    shown = api.get(f"{base}/interpretations/{round_id}/alleles/?filterconfig_id={configs[config]}")
    ids = api.get(f"{base}/interpretations/{round_id}/filteredalleles/?filterconfig_id={configs[config]}")
    assert shown.status_code == ids.status_code == 200, shown.json
    assert [a["id"] for a in shown.json] == ids.json["allele_ids"]
    assert len(all_ids(ids.json)) == 6


def test_trio_variant_detail(env):
    api, ids = env
    base = f"/api/v1/workflows/analyses/{ids['trio']}"
    round_id = api.get(f"{base}/interpretations/").json[-1]["id"]
    cnv = api.get(f"{base}/filterconfigs/").json[-1]["id"]
    every = all_ids(api.get(f"{base}/interpretations/{round_id}/filteredalleles/?filterconfig_id={cnv}").json)
    detail = api.get(f"/api/v1/alleles/?allele_ids={','.join(map(str, every))}&analysis_id={ids['trio']}").json
    assert len(detail) == 6
    brca2 = [d for d in detail if d["vcf_pos"] == 32890607]
    assert brca2, [d["vcf_pos"] for d in detail]
    variant = brca2[0]
    assert [g["symbol"] for g in variant["genes"]] == ["BRCA2"]
    assert any(t["in_genepanel"] for t in variant["annotation"]["transcripts"])
    samples = {s["identifier"]: s["genotype"] for s in variant["samples"]}
    assert set(samples) == {"TestSample-001", "TestSample-002", "TestSample-003"}
    assert samples["TestSample-001"]["type"] == "Heterozygous"
    assert samples["TestSample-001"]["genotype_quality"] == 99


def test_generated_analysis_round_trip(env):
    api, ids = env
    base = f"/api/v1/workflows/analyses/{ids['generated']}"
    started = api.post(f"{base}/actions/start/")
    assert started.status_code == 200
    round_id = started.json["id"]
    ids = api.get(f"{base}/interpretations/{round_id}/filteredalleles/").json
    every = all_ids(ids)
    assert len(every) == 40
    target = (ids["allele_ids"] or every)[0]
    first = api.get(f"{base}/interpretations/{round_id}/alleles/?allele_ids={target}").json[0]
    body = {
        "allele_id": target,
        "annotation_id": first["annotation_id"],
        "alleleassessment": {"classification": "3", "evaluation": {"acmg": {"included": [{"code": "PM2"}]}}},
        "allelereport": {"evaluation": {"comment": "VUS"}},
    }
    assert api.post(f"{base}/actions/finalizeallele/", json=body).status_code == 200
    assert api.post(f"{base}/actions/markreview/").status_code == 200
    assert api.post(f"{base}/actions/start/").status_code == 200
    assert api.post(f"{base}/actions/finalize/").status_code == 200
