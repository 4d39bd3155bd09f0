"""The variant list of an interpretation with a filter config, eligible configs, re-including filtered
variants, and the variant detail (annotation, genotypes per sample, previous classifications)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ella_app.db.models import User, UserGroup
from tests.api.factories import (
    HBOC,
    Api,
    SampleSpec,
    VariantSpec,
    World,
    build_world,
    classify,
    copy_db,
    make_analysis,
    make_app,
    make_filterconfig,
    session_for,
    template_db,
    tx,
)

CLINVAR = {
    "variant_id": 51579,
    "items": [
        {
            "clinical_significance_descr": "Pathogenic",
            "submitter": "LabX",
            "last_evaluated": "2015-01-01",
            "rcv": "RCV000044",
        }
    ],
}


def build(session: Session) -> World:
    world = build_world(session)
    hboc = session.get(UserGroup, world.groups["hboc"])
    assert hboc is not None
    trio_fc = make_filterconfig(
        session,
        "Trio only",
        [{"name": "quality", "config": {"qual": 100}}],
        {hboc: 1},
        [{"function": "analysis", "params": {"is_trio": True}}],
    )
    named = make_filterconfig(
        session,
        "Named",
        [{"name": "ppy", "config": {"ppy_tract_region": [-20, -3]}}, {"name": "gene", "config": {"genes": [1101]}}],
        {hboc: 2},
        [{"function": "analysis", "params": {"name": "^Diag-HBOC"}}],
    )
    single = make_filterconfig(
        session, "Single", [], {hboc: 3}, [{"function": "analysis", "params": {"is_single": True}}]
    )
    broken = make_filterconfig(session, "Broken", [{"name": "gene", "config": {"genes": "BRCA2"}}], {hboc: 4})
    world.filterconfigs.update({"trio": trio_fc.id, "named": named.id, "single": single.id, "broken": broken.id})
    annotation = {
        "transcripts": [
            tx("NM_000059.3", "BRCA2", 1101, ["stop_gained"], hgvsc="c.68-7T>A", hgvsp="p.Gln23Ter"),
            tx("ENST00000380152", "BRCA2", 1101, ["stop_gained"], canonical=False),
        ],
        "frequencies": {"GNOMAD_EXOMES": {"freq": {"G": 0.0001}, "num": {"G": 200000}}},
        "external": {"CLINVAR": CLINVAR, "HGMD": {"acc_num": "CM000001", "tag": "DM"}},
        "references": [{"pubmed_id": 123, "source": "ClinVar"}],
    }
    trio, [allele] = make_analysis(
        session,
        "Trio-HBOC-7",
        HBOC,
        [VariantSpec("13", 32890650, "T", "A", annotation, {"kid": "Heterozygous", "mum": "Heterozygous"}, qual=50)],
        [
            SampleSpec("kid", father="dad", mother="mum"),
            SampleSpec("dad", proband=False, sex="Male"),
            SampleSpec("mum", proband=False),
        ],
    )
    world.analyses["trio"] = trio.id
    world.alleles["trio"] = allele.id
    ada = session.get(User, world.users["ada"])
    assert ada is not None
    classify(session, allele, ada, "3", days_ago=400, panel=HBOC)
    classify(session, allele, ada, "4", days_ago=200, panel=HBOC)
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


@pytest.fixture(scope="module")
def shared(pg, template, tmp_path_factory):
    name, world = template
    with copy_db(pg, name) as url:
        yield make_app(url, tmp_path_factory.mktemp("data")), url, world


@pytest.fixture
def fresh(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        yield make_app(url, tmp_path), url, world


def _base(world: World, key: str = "hboc") -> str:
    return f"/api/v1/workflows/analyses/{world.analyses[key]}"


def _round(api: Api, world: World, key: str = "hboc") -> int:
    return api.get(f"{_base(world, key)}/interpretations/").json[-1]["id"]


def test_default_filterconfig_splits_shown_and_filtered(shared):
    """Mirrors ELLA src/api/tests/test_interpretation_workflow.py: ``filteredalleles`` answers the allele ids
    (and the excluded ids per filter, also by caller type); ``alleles`` answers rows for the ids asked."""
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    base = f"{_base(world)}/interpretations/{_round(api, world)}"
    ids = api.get(f"{base}/filteredalleles/").json
    assert ids["filterconfig"] == {"id": world.filterconfigs["default"], "name": "Default"}
    assert ids["allele_ids"] == [world.alleles["hboc_rare"]]
    assert ids["excluded_allele_ids"] == {
        "frequency": [world.alleles["hboc_common"]],
        "consequence": [world.alleles["hboc_syn"]],
    }
    assert ids["excluded_filters"] == ["frequency", "consequence"]
    assert ids["excluded_alleles_by_caller_type"] == {
        "snv": {"frequency": [world.alleles["hboc_common"]], "consequence": [world.alleles["hboc_syn"]]},
        "cnv": {"frequency": [], "consequence": []},
    }
    assert ids["classifications"] == {}
    rows = api.get(f"{base}/alleles/?allele_ids={world.alleles['hboc_rare']}")
    assert rows.headers["Total-Count"] == "1"
    [row] = rows.json
    assert row["id"] == world.alleles["hboc_rare"]
    assert row["genes"] == [{"hgnc_id": 1101, "symbol": "BRCA2", "inheritance": "AD"}]
    assert row["transcripts"][0]["hgvsc"].startswith("c.") and row["worst_consequence"] == "missense_variant"
    assert row["genotype"]["type"] == "Heterozygous" and row["genotype"]["filter_status"] == "PASS"
    assert row["filtered"] is None and row["reincluded"] is False
    filtered_ids = [world.alleles["hboc_syn"], world.alleles["hboc_common"]]
    filtered = api.get(f"{base}/alleles/?allele_ids={','.join(map(str, filtered_ids))}").json
    assert [(a["id"], a["filtered"]) for a in filtered] == [
        (world.alleles["hboc_syn"], "consequence"),
        (world.alleles["hboc_common"], "frequency"),
    ]
    # without ids: a page of the variants shown, with ELLA's paging headers
    page = api.get(f"{base}/alleles/?per_page=1")
    assert [a["id"] for a in page.json] == ids["allele_ids"] and page.headers["Total-Count"] == "1"
    # a variant of another analysis is not in this list
    other = api.get(f"{base}/alleles/?allele_ids={world.alleles['cilio']}")
    assert other.status_code == 404


def test_eligible_filterconfigs_follow_requirements_and_order(shared):
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    single = api.get(f"{_base(world)}/filterconfigs/").json
    assert [(c["name"], c["default"]) for c in single] == [
        ("Default", True),
        ("Named", False),
        ("Single", False),
        ("Broken", False),
    ]
    assert single[1]["unsupported_filters"] == [] and single[1]["filters"] == ["ppy", "gene"]
    trio = api.get(f"{_base(world, 'trio')}/filterconfigs/").json
    assert [c["name"] for c in trio] == ["Default", "Trio only", "Broken"]


def test_choosing_a_config(shared):
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    base = f"{_base(world)}/interpretations/{_round(api, world)}"
    named = api.get(f"{base}/filteredalleles/?filterconfig_id={world.filterconfigs['named']}").json
    assert named["unsupported_filters"] == []
    assert named["allele_ids"] == [] and sorted(named["excluded_allele_ids"]["gene"]) == sorted(
        world.alleles[k] for k in ("hboc_rare", "hboc_common", "hboc_syn")
    )
    assert api.get(f"{base}/filteredalleles/?filterconfig_id={world.filterconfigs['trio']}").status_code == 404
    assert api.get(f"{base}/alleles/?filterconfig_id={world.filterconfigs['trio']}").status_code == 404
    assert api.get(f"{base}/filteredalleles/?filterconfig_id=abc").status_code == 422
    for _ in range(2):  # the error is stored with the result, and answered again
        broken = api.get(f"{base}/filteredalleles/?filterconfig_id={world.filterconfigs['broken']}")
        assert broken.status_code == 422 and "genes" in broken.json["message"]


def test_reinclude_filtered_variant_and_remember_config(fresh):
    app, url, world = fresh
    api = Api(app, url, world.users["ada"])
    round_id = api.post(f"{_base(world)}/actions/start/").json["id"]
    base = f"{_base(world)}/interpretations/{round_id}"
    common = world.alleles["hboc_common"]
    state = {"manuallyAddedAlleles": [common], "filterconfig_id": world.filterconfigs["default"]}
    assert api.patch(f"{base}/", json={"state": state}).status_code == 200
    ids = api.get(f"{base}/filteredalleles/").json
    assert ids["allele_ids"] == [world.alleles["hboc_rare"], common]  # genomic order
    assert ids["manually_added_allele_ids"] == [common]
    rows = {a["id"]: a for a in api.get(f"{base}/alleles/?allele_ids={','.join(map(str, ids['allele_ids']))}").json}
    assert rows[common]["reincluded"] is True and rows[common]["filtered"] == "frequency"
    # another analysis' variant cannot be re-included
    bad = api.patch(f"{base}/", json={"state": {"manuallyAddedAlleles": [world.alleles["cilio"]]}})
    assert bad.status_code == 422 and bad.json["message"].startswith("key 'state.manuallyAddedAlleles'")
    # the config saved in the state is the round's default
    state = {"filterconfig_id": world.filterconfigs["single"]}
    assert api.patch(f"{base}/", json={"state": state}).status_code == 200
    again = api.get(f"{base}/filteredalleles/").json
    assert again["filterconfig"]["name"] == "Single" and len(again["allele_ids"]) == 3


def test_variant_detail(shared):
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    allele = world.alleles["trio"]
    detail = api.get(f"/api/v1/alleles/{allele}/?analysis_id={world.analyses['trio']}").json
    assert detail["vcf_pos"] == 32890650 and detail["genepanel"] == {"name": "HBOC", "version": "v1.0.0"}
    transcripts = {t["transcript"]: t for t in detail["annotation"]["transcripts"]}
    assert transcripts["NM_000059.3"]["in_genepanel"] is True
    assert transcripts["ENST00000380152"]["in_genepanel"] is False
    assert transcripts["NM_000059.3"]["HGVSp"] == "p.Gln23Ter"
    assert detail["annotation"]["frequencies"]["GNOMAD_EXOMES"]["freq"]["G"] == 0.0001
    assert detail["annotation"]["clinvar"]["significance"] == ["Pathogenic"]
    assert detail["annotation"]["clinvar"]["variant_id"] == 51579
    samples = {s["identifier"]: s for s in detail["samples"]}
    assert samples["kid"]["proband"] is True and samples["kid"]["genotype"]["type"] == "Heterozygous"
    assert samples["dad"]["genotype"]["type"] == "Reference" and samples["mum"]["genotype"]["type"] == "Heterozygous"
    assert samples["kid"]["genotype"]["genotype_quality"] == 99 and detail["variant_quality"] == 50
    assert detail["allele_assessment"]["classification"] == "4" and detail["allele_assessment"]["outdated"] is True
    assert [h["classification"] for h in detail["history"]] == ["4", "3"]
    assert detail["history"][1]["date_superceeded"] is not None
    # without analysis: no samples; with a panel chosen explicitly
    plain = api.get(f"/api/v1/alleles/{allele}/?gp_name=HBOC&gp_version=v1.0.0").json
    assert plain["samples"] == [] and plain["genes"][0]["symbol"] == "BRCA2"
    assert api.get(f"/api/v1/alleles/{allele}/?gp_name=HBOC").status_code == 422
    assert api.get(f"/api/v1/alleles/{allele}/?gp_name=Ciliopathy&gp_version=v1.0.0").status_code == 404
    several = api.get(f"/api/v1/alleles/?allele_ids={allele},{world.alleles['hboc_rare']}").json
    assert [d["id"] for d in several] == [allele, world.alleles["hboc_rare"]]
    analyses = api.get(f"/api/v1/alleles/{allele}/analyses/").json
    assert [a["name"] for a in analyses] == ["Trio-HBOC-7"]


def test_detail_tolerates_odd_annotation(fresh):
    app, url, world = fresh
    with session_for(url) as session:
        _, [odd] = make_analysis(
            session,
            "Odd-1",
            HBOC,
            [
                VariantSpec(
                    "13",
                    32890660,
                    "A",
                    "C",
                    {
                        "transcripts": "oops",
                        "frequencies": [1],
                        "external": {"CLINVAR": {"items": "x"}, "CLINVAR_VCF": {"clnsig": ["Benign", 3]}},
                        "references": {"a": 1},
                    },
                )
            ],
        )
        session.commit()
        odd_id = odd.id
    api = Api(app, url, world.users["ada"])
    detail = api.get(f"/api/v1/alleles/{odd_id}/").json
    assert detail["annotation"]["transcripts"] == [] and detail["annotation"]["frequencies"] == {}
    assert detail["annotation"]["clinvar"]["significance"] == ["Benign"]
    assert detail["annotation"]["references"] == []


def test_cilio_panel_variant_of_other_group_is_hidden_in_lists(shared):
    app, url, world = shared
    api = Api(app, url, world.users["ada"])
    response = api.get(f"/api/v1/alleles/?allele_ids={world.alleles['hboc_rare']},{world.alleles['cilio']}")
    assert response.status_code == 404 and str(world.alleles["cilio"]) in response.json["message"]
