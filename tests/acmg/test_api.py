"""``POST /api/v1/acmg/alleles/`` and ``GET /api/v1/acmg/classifications/``: ELLA's response shapes, access
through the group's gene panels (everything else a 404), and bad input answered 4xx with a clear message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ella_app.db.models import CustomAnnotation, UserGroup
from ella_app.errors import ConfigError
from ella_app.services.acmg import rules
from tests.api.factories import (
    BRCA1,
    BRCA2,
    CILIO,
    HBOC,
    PKD1,
    Api,
    VariantSpec,
    copy_db,
    gnomad,
    make_analysis,
    make_app,
    make_group,
    make_panel,
    make_user,
    session_for,
    template_db,
    tx,
)
from tests.conftest import DEMO_FIXTURES

ACMG = json.loads((DEMO_FIXTURES / "usergroups.json").read_text())[0]["config"]["acmg"]
URL = "/api/v1/acmg/alleles/"


def brca(pos: int, consequence: str, exon: str = "5/27", **annotation: Any) -> VariantSpec:
    transcript = {**tx("NM_000059.3", "BRCA2", 1101, [consequence]), "exon": exon}
    return VariantSpec("13", pos, "A", "G", {"transcripts": [transcript], **annotation})


def build(session: Session) -> dict[str, Any]:
    make_panel(session, *HBOC, [BRCA1, BRCA2])
    make_panel(session, *CILIO, [PKD1])
    hboc = make_group(session, "hboc-lab", [HBOC], {"acmg": ACMG})
    cilio = make_group(session, "cilio-lab", [CILIO])  # no acmg config: ELLA's defaults, no frequency criteria
    broken = make_group(session, "broken-lab", [HBOC], {"acmg": {"disease_mode": "SOMETIMES"}})
    ids: dict[str, Any] = {
        "ada": make_user(session, "ada", hboc).id,
        "cid": make_user(session, "cid", cilio).id,
        "eve": make_user(session, "eve", broken).id,
    }
    _, alleles = make_analysis(
        session,
        "Diag-HBOC-1",
        HBOC,
        [
            brca(32890600, "stop_gained"),
            brca(32890610, "missense_variant", frequencies=gnomad(0.2)),
            brca(32890620, "synonymous_variant", frequencies=gnomad(0.003)),
            brca(32890630, "frameshift_variant", exon="27/27"),
            VariantSpec(
                "17", 41197700, "C", "T", {"transcripts": [tx("NM_007294.3", "BRCA1", 1100, ["missense_variant"])]}
            ),
        ],
    )
    ids["alleles"] = [a.id for a in alleles]
    session.add(CustomAnnotation(allele_id=alleles[4].id, annotation={"prediction": {"domain": "critical_site"}}))
    _, cilio_alleles = make_analysis(
        session,
        "Diag-Cilio-1",
        CILIO,
        [
            VariantSpec(
                "16",
                2139800,
                "C",
                "T",
                {"transcripts": [tx("NM_001009944.2", "PKD1", 9008, ["stop_gained"])], "frequencies": gnomad(0.3)},
            )
        ],
    )
    ids["cilio"] = cilio_alleles[0].id
    return ids


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory):
    name, ids = template_db(pg, build)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield app, url, ids


def api(env: Any, user: str | None = "ada") -> Api:
    app, url, ids = env
    return Api(app, url, ids[user] if user else None)


def suggest(env: Any, allele_ids: list[Any], user: str = "ada", panel: tuple[str, str] = HBOC, **more: Any) -> Any:
    body = {"allele_ids": allele_ids, "gp_name": panel[0], "gp_version": panel[1], **more}
    return api(env, user).post(URL, json=body)


def codes(entry: dict[str, Any]) -> list[str]:
    return [c["code"] for c in entry["codes"]]


# ------------------------------------------------------------------------------------------ suggestions


def test_suggestions_per_allele(env):
    _, _, ids = env
    stop, common, synonymous, last_exon, brca1 = ids["alleles"]
    response = suggest(env, [stop, common, synonymous, last_exon, brca1])
    assert response.status_code == 200, response.json
    result = response.json
    assert list(result) == [str(a) for a in (stop, common, synonymous, last_exon, brca1)]
    # BRCA2 has the group's override: only loss of function causes disease, last exon not important
    assert {"REQ_GP_LOF_only", "REQ_GP_last_exon_not_important", "REQ_GP_AD", "PVS1", "PPxPM2"} <= set(
        codes(result[str(stop)])
    )
    assert {"BA1", "BP1"} <= set(codes(result[str(common)]))  # 0.2 ≥ AD external hi 0.005; missense in a LOF gene
    assert "BS1" in codes(result[str(synonymous)])  # 0.003 in [0.001, 0.005): less common, AD
    assert "PVS1" not in codes(result[str(last_exon)]) and "REQ_in_last_exon" in codes(result[str(last_exon)])
    # BRCA1 has the group's defaults (ANY, LEI) and a custom annotation: critical site
    assert {"REQ_GP_LOF_missense", "PSxPM1", "PPxPM2"} <= set(codes(result[str(brca1)]))
    pvs1 = next(c for c in result[str(stop)]["codes"] if c["code"] == "PVS1")
    assert pvs1 == {
        "code": "PVS1",
        "source": None,
        "op": "$and",
        "value": None,
        "match": ["REQ_null_variant", "REQ_GP_LOF_only", "REQ_not_in_last_exon"],
    }
    null = next(c for c in result[str(stop)]["codes"] if c["code"] == "REQ_null_variant")
    assert (null["source"], null["op"], null["match"]) == ("transcript.consequences", "$in", ["stop_gained"])
    assert "stop_gained" in null["value"]
    site = next(c for c in result[str(brca1)]["codes"] if c["code"] == "PSxPM1")
    assert (site["source"], site["match"]) == ("prediction.domain", ["critical_site"])


def test_reference_assessments_feed_the_rules(env):
    _, _, ids = env
    stop = ids["alleles"][0]
    evaluation = {"ref_segregation": "segr", "ref_segregation_quality": "segr_MQ", "ref_de_novo": "de_novo_confirmed"}
    references = [
        {"allele_id": stop, "reference_id": 4, "evaluation": evaluation},
        {
            "allele_id": str(ids["alleles"][1]),
            "reference_id": "5",
            "evaluation": {"ref_population_healthy": "in_healthy"},
        },
    ]
    result = suggest(env, [str(stop), ids["alleles"][1]], referenceassessments=references).json
    found = result[str(stop)]["codes"]
    assert {"PMxPP1", "PS2", "REQ_segregation"} <= set(codes(result[str(stop)]))
    ps2 = next(c for c in found if c["code"] == "PS2")
    assert (ps2["source"], ps2["match"]) == (f"refassessment.{stop}_4.ref_de_novo", ["de_novo_confirmed"])
    assert "BS2" in codes(result[str(ids["alleles"][1])])


def test_group_without_acmg_config_gets_defaults(env):
    _, _, ids = env
    result = suggest(env, [ids["cilio"]], user="cid", panel=CILIO).json[str(ids["cilio"])]
    found = codes(result)
    assert {"REQ_GP_AR", "REQ_GP_LOF_missense", "REQ_GP_last_exon_important", "PVS1"} <= set(found)
    assert not {"BA1", "BS1", "REQ_hi_freq", "REQ_no_freq"} & set(found)  # no frequency thresholds configured


def test_empty_list(env):
    response = suggest(env, [])
    assert response.status_code == 200 and response.json == {}


def test_invalid_stored_group_config_is_a_clear_4xx(env):
    _, _, ids = env
    response = suggest(env, [ids["alleles"][0]], user="eve")
    assert response.status_code == 400
    assert "acmg config of user group 'broken-lab'" in response.json["message"]
    assert "key 'acmg.disease_mode'" in response.json["message"]


# ------------------------------------------------------------------------------------------ access


@pytest.mark.parametrize(
    ("user", "which", "panel", "message"),
    [
        ("cid", "alleles", CILIO, "no allele(s)"),  # another group's variants
        ("cid", "alleles", HBOC, "no gene panel HBOC v1.0.0"),  # another group's panel
        ("ada", "cilio", HBOC, "no allele(s)"),
        ("ada", "unknown", HBOC, "no allele(s) 2147483647"),
        ("ada", "alleles", ("HBOC", "v9"), "no gene panel HBOC v9"),
    ],
)
def test_outside_the_group_is_404(env, user, which, panel, message):
    _, _, ids = env
    allele_ids = {"alleles": ids["alleles"][:1], "cilio": [ids["cilio"]], "unknown": [2**31 - 1]}[which]
    response = suggest(env, [*allele_ids], user=user, panel=panel)
    assert response.status_code == 404 and message in response.json["message"], response.json


def test_a_hidden_allele_among_visible_ones_is_named(env):
    _, _, ids = env
    response = suggest(env, [*ids["alleles"], ids["cilio"]])
    assert response.status_code == 404 and response.json["message"] == f"no allele(s) {ids['cilio']}"


def test_login_required(env):
    assert (
        api(env, None).post(URL, json={"allele_ids": [], "gp_name": "HBOC", "gp_version": "v1.0.0"}).status_code == 403
    )
    assert api(env, None).get("/api/v1/acmg/classifications/?codes=PVS1").status_code == 403
    assert api(env, None).get("/api/v1/acmg/criteria/").status_code == 403


def test_csrf_required(env):
    client = api(env).client
    response = client.post(URL, json={"allele_ids": [], "gp_name": "HBOC", "gp_version": "v1.0.0"})
    assert response.status_code == 403 and "CSRF" in response.json["message"]


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ({"gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids", "is required"),
        ({"allele_ids": "1,2", "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids", "must be a list"),
        ({"allele_ids": ["abc"], "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids.0", "not 'abc'"),
        ({"allele_ids": [True], "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids.0", "whole number"),
        ({"allele_ids": [1.5], "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids.0", "whole number"),
        ({"allele_ids": [None], "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids.0", "whole number"),
        ({"allele_ids": [0], "gp_name": "HBOC", "gp_version": "v1.0.0"}, "allele_ids.0", "0 is not a valid id"),
        (
            {"allele_ids": [2**63], "gp_name": "HBOC", "gp_version": "v1.0.0"},
            "allele_ids.0",
            "number out of range",
        ),  # the app-wide guard
        (
            {"allele_ids": list(range(1, 10_001)), "gp_name": "HBOC", "gp_version": "v1.0.0"},
            "allele_ids",
            "at most 1000",
        ),
        ({"allele_ids": [1]}, "gp_name", "is required"),
        ({"allele_ids": [1], "gp_name": "HBOC", "gp_version": 1}, "gp_version", "is required"),
        ({"allele_ids": [1], "gp_name": "x" * 201, "gp_version": "v1"}, "gp_name", "at most 200"),
        (
            {"allele_ids": [1], "gp_name": "HBOC", "gp_version": "v1.0.0", "analysis_id": 1},
            "analysis_id",
            "unknown key",
        ),
        (
            {"allele_ids": [1], "gp_name": "HBOC", "gp_version": "v1.0.0", "referenceassessments": {}},
            "referenceassessments",
            "must be a list",
        ),
        (
            {"allele_ids": [1], "gp_name": "HBOC", "gp_version": "v1.0.0", "referenceassessments": [5]},
            "referenceassessments.0",
            "must be an object",
        ),
        (
            {
                "allele_ids": [1],
                "gp_name": "HBOC",
                "gp_version": "v1.0.0",
                "referenceassessments": [{"allele_id": 1, "evaluation": {}}],
            },
            "referenceassessments.0.reference_id",
            "is required",
        ),
        (
            {
                "allele_ids": [1],
                "gp_name": "HBOC",
                "gp_version": "v1.0.0",
                "referenceassessments": [{"allele_id": 1, "reference_id": 2, "evaluation": "segr"}],
            },
            "referenceassessments.0.evaluation",
            "must be an object",
        ),
        (
            {
                "allele_ids": [1],
                "gp_name": "HBOC",
                "gp_version": "v1.0.0",
                "referenceassessments": [
                    {"allele_id": 1, "reference_id": 2, "evaluation": {"a": [[[[[[[[[[1]]]]]]]]]]}}
                ],
            },
            "referenceassessments.0.evaluation.a.0.0.0.0.0.0.0.0",
            "nested more than 8 levels",
        ),
    ],
)
def test_bad_request_bodies(env, body, key, words):
    response = api(env).post(URL, json=body)
    assert response.status_code == 422, response.json
    assert f"key '{key}'" in response.json["message"] and words in response.json["message"], response.json


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"ids"', b"[" * 100_000])
def test_not_a_json_object(env, raw):
    response = api(env).post(URL, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "JSON" in response.json["message"], response.json


def test_ten_thousand_ids(env):
    """10,000 ids: refused before any lookup, quickly, naming the limit."""
    response = suggest(env, list(range(1, 10_001)))
    assert response.status_code == 422 and "at most 1000 alleles per request, not 10000" in response.json["message"]


def test_ids_as_strings_as_ellas_client_sends_them(env):
    _, _, ids = env
    response = suggest(env, [str(ids["alleles"][0]), ids["alleles"][0]])
    assert response.status_code == 200 and list(response.json) == [str(ids["alleles"][0])]


# ------------------------------------------------------------------------------------------ classifications


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("codes=PVS1,PPxPM2", {"class": 4, "classification": "Likely pathogenic", "contributors": ["PVS1", "PPxPM2"]}),
        ("codes=PVS1,PS3", {"class": 5, "classification": "Pathogenic", "contributors": ["PVS1", "PS3"]}),
        ("codes=PS3,PMxPS3", {"class": 3, "classification": "Uncertain significance", "contributors": []}),
        ("codes=BA1", {"class": 1, "classification": "Benign", "contributors": ["BA1"]}),
        ("codes=BS1&codes=BP4", {"class": 2, "classification": "Likely benign", "contributors": ["BS1", "BP4"]}),
        ("codes=PVS1,BS1", {"class": 3, "message": "Contradiction", "contributors": ["PVS1", "BS1"]}),
        ("codes= PM1 , PM2 ,PM4", {"class": 4, "contributors": ["PM1", "PM2", "PM4"]}),
    ],
)
def test_suggested_class(env, query, expected):
    response = api(env).get(f"/api/v1/acmg/classifications/?{query}")
    assert response.status_code == 200, response.json
    assert set(response.json) == {"class", "classification", "message", "contributors", "meta"}
    assert {k: response.json[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "key 'codes': is required"),
        ("codes=", "key 'codes': is required"),
        ("codes=PVS1,PX9", "'PX9' is not an ACMG criterion"),
        ("codes=REQ_null_variant", "is a requirement (REQ)"),
        ("codes=" + ",".join(["PM2"] * 101), "at most 100 codes"),
        ("codes=" + "P" * 3000, "at most 2000 characters"),
        ("codes=" + ",".join(["PM2"] * 10_000), "at most 2000 characters"),
        ("codes=PVS1%00", "NUL"),
    ],
)
def test_bad_codes(env, query, words):
    response = api(env).get(f"/api/v1/acmg/classifications/?{query}")
    assert response.status_code == 422 and words in response.json["message"], response.json


# ------------------------------------------------------------------------------------------ start


def test_api_does_not_start_with_a_bad_rule_file(tmp_path, monkeypatch, pg):
    data = json.loads(rules.rules_path().read_text())
    data["rules"][3] = {"code": "REQ_GP_XR", "rule": {"genepanel.inheritance": {"$equals": "XR"}}}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(rules, "rules_path", lambda: path)
    rules.default_rules.cache_clear()
    try:
        with pytest.raises(ConfigError) as caught:
            make_app(pg.url("ella_template"), tmp_path)
    finally:
        rules.default_rules.cache_clear()
    assert "key 'rules.3.rule.genepanel.inheritance.$equals'" in caught.value.message
    assert "rule 3 (REQ_GP_XR): unknown operator '$equals'" in caught.value.message


def test_openapi_describes_both(env):
    spec = api(env).get("/api/v1/openapi.json").json
    assert "post" in spec["paths"]["/acmg/alleles/"] and "get" in spec["paths"]["/acmg/classifications/"]
    assert "get" in spec["paths"]["/acmg/criteria/"]


def test_criteria_texts_for_the_panel(env):
    """Every criterion, every REQ code a rule produces and OTHER has a short and a full text; a REQ names the
    criteria it feeds."""
    texts = api(env).get("/api/v1/acmg/criteria/").json
    assert texts["PVS1"]["short_criteria"] == "Null variant"
    assert {"PM2", "BS1", "BP7", "OTHER"} <= texts.keys()
    assert "PVS1" in texts["REQ_null_variant"]["sources"]
    produced = rules.default_rules().codes
    assert {code for code in produced if code.startswith("REQ_")} <= texts.keys()
    assert all(t["short_criteria"] and t["criteria"] for t in texts.values())


def test_group_row_untouched(env):
    """Suggesting is read-only: the group's config is as stored."""
    _, url, _ = env
    with session_for(url) as session:
        group = session.query(UserGroup).filter_by(name="hboc-lab").one()
        assert group.config == {"acmg": ACMG}
