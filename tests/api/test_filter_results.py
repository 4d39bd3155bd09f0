"""Filter results are computed once, stored, and recomputed exactly when an input changes (issue 11):
a classification, a filter config update, a new annotation version, a gene panel change, the filter code
or config, and time (a classification becoming outdated for ``exclude_outdated``)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    Analysis,
    FilterConfig,
    GenePanelTranscript,
    Transcript,
    User,
    UserGroup,
)
from ella_app.formats.filterconfigs import read_filterconfigs
from ella_app.services import filter_results, filterconfigs
from tests.api.factories import (
    HBOC,
    Api,
    World,
    brca2_variant,
    build_world,
    copy_db,
    gnomad,
    make_analysis,
    make_app,
    make_filterconfig,
    session_for,
    set_annotation,
    template_db,
    tx,
)

CLASSES = {"name": "classification", "config": {"classes": ["1", "2"]}}


def build(session: Session) -> World:
    world = build_world(session)
    hboc = session.get(UserGroup, world.groups["hboc"])
    assert hboc is not None
    fc = make_filterconfig(session, "Classified", [CLASSES], {hboc: 5})
    outdated = make_filterconfig(
        session,
        "Classified, outdated shown",
        [{"name": "classification", "config": {"classes": ["1", "2"], "exclude_outdated": True}}],
        {hboc: 6},
    )
    region = make_filterconfig(
        session, "Region", [{"name": "region", "config": {"splice_region": [-20, 6], "utr_region": [0, 0]}}], {hboc: 7}
    )
    world.filterconfigs.update({"classified": fc.id, "outdated": outdated.id, "region": region.id})
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        api = Api(app, url, world.users["ada"])
        base = f"/api/v1/workflows/analyses/{world.analyses['hboc']}"
        round_id = api.get(f"{base}/interpretations/").json[-1]["id"]
        yield api, url, world, f"{base}/interpretations/{round_id}", base


def _ids(api: Api, base: str, fc: int) -> dict[str, Any]:
    response = api.get(f"{base}/filteredalleles/?filterconfig_id={fc}")
    assert response.status_code == 200, response.json
    return response.json


def _stored(url: str, fc: int) -> list[Any]:
    with session_for(url) as session:
        return list(
            session.execute(
                text("SELECT id, computed_at, passed FROM filterresult WHERE filterconfig_id = :fc"), {"fc": fc}
            )
        )


def _classify(api: Api, base: str, world: World, allele: int, cls: str, presented: int | None = None) -> None:
    body = {
        "allele_id": allele,
        "annotation_id": world.annotations[allele],
        "alleleassessment": {"classification": cls, "evaluation": {}, "presented_alleleassessment_id": presented},
        "allelereport": {"evaluation": {}},
    }
    response = api.post(f"{base}/actions/finalizeallele/", json=body)
    assert response.status_code == 200, response.json


def test_result_is_stored_and_read_back_without_recomputing(env):
    api, url, world, base, _ = env
    first = _ids(api, base, world.filterconfigs["default"])
    [(row_id, computed, passed)] = _stored(url, world.filterconfigs["default"])
    assert passed == first["allele_ids"] == [world.alleles["hboc_rare"]]
    again = _ids(api, base, world.filterconfigs["default"])
    assert again == first and _stored(url, world.filterconfigs["default"]) == [(row_id, computed, passed)]


def test_classifying_a_variant_changes_the_classification_filter_result_only(env):
    api, url, world, base, subject = env
    classified, default = world.filterconfigs["classified"], world.filterconfigs["default"]
    rare = world.alleles["hboc_rare"]
    assert rare in _ids(api, base, classified)["allele_ids"]
    _ids(api, base, default)
    default_before = _stored(url, default)
    api.post(f"{subject}/actions/start/")
    _classify(api, subject, world, rare, "1")
    # the next read of the classification filter's result sees the new class 1: the stored result excludes it ...
    after = _ids(api, base, classified)
    [(_, _, stored_passed)] = _stored(url, classified)
    assert rare not in stored_passed
    # ... but a variant classified in the ongoing round stays in its list, with its class, until the round ends
    assert rare in after["allele_ids"] and rare not in after["excluded_allele_ids"]["classification"]
    assert after["classifications"] == {str(rare): {"classification": "1", "outdated": False}}
    # ... while the default config (no classification filter) is not recomputed
    assert _ids(api, base, default)["allele_ids"] == [rare]
    assert _stored(url, default) == default_before


def test_a_variant_classified_in_the_round_stays_listed_until_the_round_ends(env):
    """Class 1 in an ongoing round: still listed with class 1 on every reload (the rows the side list and the report
    page's classified variants come from), recorded as shown by the round's snapshot; the next round filters it
    (classification filter, classes 1 and 2)."""
    api, _url, world, base, subject = env
    classified = world.filterconfigs["classified"]
    rare = world.alleles["hboc_rare"]
    api.post(f"{subject}/actions/start/")
    assert rare in _ids(api, base, classified)["allele_ids"]
    _classify(api, subject, world, rare, "1")
    during = _ids(api, base, classified)
    assert rare in during["allele_ids"] and during["classifications"][str(rare)]["classification"] == "1"
    rows = api.get(f"{base}/alleles/?filterconfig_id={classified}").json
    assert [(r["id"], r["classification"]["classification"], r["filtered"]) for r in rows if r["id"] == rare] == [
        (rare, "1", None)
    ]
    done = api.post(f"{subject}/actions/finalize/", json={"filterconfig_id": classified})
    assert done.status_code == 200, done.json
    first_round = done.json["id"]
    snapshot = _ids(api, f"{subject}/interpretations/{first_round}", classified)  # asked: filtered afresh
    recorded = api.get(f"{subject}/interpretations/{first_round}/filteredalleles/").json  # the snapshot
    assert recorded["snapshot"] is True and rare in recorded["allele_ids"]
    assert rare in snapshot["excluded_allele_ids"]["classification"]
    assert api.post(f"{subject}/actions/reopen/").status_code == 200
    assert api.post(f"{subject}/actions/start/").status_code == 200
    latest = api.get(f"{subject}/interpretations/").json[-1]["id"]
    next_round = _ids(api, f"{subject}/interpretations/{latest}", classified)
    assert rare not in next_round["allele_ids"] and rare in next_round["excluded_allele_ids"]["classification"]


def test_a_new_filter_config_version_gets_its_own_result(env, tmp_path):
    api, url, world, base, _ = env
    group = "hboc-lab"
    with session_for(url) as session:
        old = session.get(FilterConfig, world.filterconfigs["default"])
        assert old is not None
        entries = [
            {
                "name": "Default",
                "usergroups": [{"name": group, "order": 0}],
                "requirements": [],
                "filterconfig": {
                    "filters": [{"name": "consequence", "config": {"consequences": ["missense_variant"]}}]
                },
            }
        ]
    path = Path(tmp_path) / "filterconfigs.json"
    path.write_text(json.dumps(entries))
    before = api.get(f"{base}/filteredalleles/").json
    assert before["filterconfig"]["id"] == world.filterconfigs["default"]
    with session_for(url) as session:
        report = filterconfigs.update_filterconfigs(session, read_filterconfigs(path))
        session.commit()
    assert report.updated
    after = api.get(f"{base}/filteredalleles/").json
    assert after["filterconfig"]["id"] != world.filterconfigs["default"]
    assert world.alleles["hboc_rare"] in after["excluded_allele_ids"]["consequence"]
    assert after["allele_ids"] == [world.alleles["hboc_syn"]]


def test_a_new_annotation_version_recomputes(env):
    api, url, world, base, _ = env
    default = world.filterconfigs["default"]
    rare = world.alleles["hboc_rare"]
    assert _ids(api, base, default)["allele_ids"] == [rare]
    with session_for(url) as session:
        allele = session.get(Allele, rare)
        assert allele is not None
        annotation = {
            "transcripts": [tx("NM_000059.3", "BRCA2", 1101, ["missense_variant"])],
            "frequencies": gnomad(0.3),
        }
        set_annotation(session, allele, annotation)
        session.commit()
    after = _ids(api, base, default)
    assert rare in after["excluded_allele_ids"]["frequency"] and after["allele_ids"] == []


def test_an_annotation_of_another_analysis_variant_does_not_invalidate(env):
    api, url, world, base, _ = env
    default = world.filterconfigs["default"]
    _ids(api, base, default)
    before = _stored(url, default)
    with session_for(url) as session:
        allele = session.get(Allele, world.alleles["cilio"])
        assert allele is not None
        set_annotation(session, allele, {"transcripts": []})
        session.commit()
    _ids(api, base, default)
    assert _stored(url, default) == before


def test_a_gene_panel_change_recomputes_results_on_that_panel(env):
    api, url, world, base, _ = env
    region = world.filterconfigs["region"]
    rare = world.alleles["hboc_rare"]
    assert rare in _ids(api, base, region)["allele_ids"]  # exonic in BRCA2
    cilio = f"/api/v1/workflows/analyses/{world.analyses['cilio']}/interpretations/{world.interpretations['cilio']}"
    Api(api.client.application, url, world.users["cid"]).get(f"{cilio}/filteredalleles/")
    [(_, computed, _)] = _stored(url, region)
    cilio_before = _stored(url, world.filterconfigs["default"])
    with session_for(url) as session:
        brca2 = session.scalar(select(Transcript).where(Transcript.transcript_name == "NM_000059.3"))
        assert brca2 is not None
        # what 'deposit genepanel --replace' does to a shared transcript: new exon coordinates
        brca2.exon_starts, brca2.exon_ends = [32972298], [32973809]
        brca2.cds_start = 32972298
        session.commit()
    assert rare in _ids(api, base, region)["allele_ids"]  # still kept: its HGVSc c.100A>G is exonic
    [(_, recomputed, _)] = _stored(url, region)
    assert recomputed > computed
    # the Ciliopathy analysis' result (another panel) is not touched
    Api(api.client.application, url, world.users["cid"]).get(f"{cilio}/filteredalleles/")
    assert [r for r in _stored(url, world.filterconfigs["default"]) if r in cilio_before] == cilio_before
    with session_for(url) as session:
        session.execute(
            GenePanelTranscript.__table__.delete().where(GenePanelTranscript.genepanel_name == HBOC[0])  # type: ignore[attr-defined]
        )
        session.commit()
    assert _ids(api, base, region)["excluded_allele_ids"]["region"] == sorted(
        world.alleles[k] for k in ("hboc_rare", "hboc_common", "hboc_syn")
    )


def test_a_classification_becoming_outdated_recomputes_exclude_outdated(env):
    api, url, world, base, _ = env
    fc = world.filterconfigs["outdated"]
    rare = world.alleles["hboc_rare"]
    with session_for(url) as session:
        ada = session.get(User, world.users["ada"])
        assert ada is not None
        # class 2 is outdated after 180 days: this one becomes outdated in two seconds
        created = dt.datetime.now(dt.UTC) - dt.timedelta(days=180) + dt.timedelta(seconds=2)
        session.add(
            AlleleAssessment(
                allele_id=rare,
                classification="2",
                evaluation={},
                user_id=ada.id,
                usergroup_id=ada.group_id,
                genepanel_name=HBOC[0],
                genepanel_version=HBOC[1],
                date_created=created,
            )
        )
        session.commit()
    first = _ids(api, base, fc)
    assert rare in first["excluded_allele_ids"]["classification"]  # class 2, not outdated: filtered
    [(_, _, _)] = _stored(url, fc)
    with session_for(url) as session:
        valid_until = session.scalar(
            text("SELECT valid_until FROM filterresult WHERE filterconfig_id = :fc"), {"fc": fc}
        )
    assert abs((valid_until - (created + dt.timedelta(days=180))).total_seconds()) < 0.01
    time.sleep(max(0.0, (valid_until - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)
    later = _ids(api, base, fc)
    assert rare in later["allele_ids"]  # outdated now: shown again for a new look
    assert later["classifications"][str(rare)] == {"classification": "2", "outdated": True}


def test_a_changed_config_or_filter_code_recomputes(env, monkeypatch):
    api, url, world, base, _ = env
    default = world.filterconfigs["default"]
    _ids(api, base, default)
    [(row_id, computed, _)] = _stored(url, default)
    monkeypatch.setattr(filter_results, "_code_digest", lambda: "other code")
    _ids(api, base, default)
    [(same_id, recomputed, _)] = _stored(url, default)
    assert same_id == row_id and recomputed > computed


def test_triggers_log_changes_per_analysis_and_panel(env):
    _, url, world, _, _ = env
    with session_for(url) as session:

        def counts() -> dict[tuple[Any, ...], int]:
            rows = session.execute(
                text(
                    "SELECT analysis_id, genepanel_name, kind, count(*) FROM filterinvalidation "
                    "GROUP BY analysis_id, genepanel_name, kind"
                )
            )
            return {(a, p, k): n for a, p, k, n in rows}

        start = counts()
        ada = session.get(User, world.users["ada"])
        assert ada is not None
        cilio = session.get(Allele, world.alleles["cilio"])
        assert cilio is not None
        session.add(
            AlleleAssessment(
                allele_id=cilio.id,
                classification="3",
                evaluation={},
                user_id=ada.id,
                genepanel_name="Ciliopathy",
                genepanel_version="v1.0.0",
            )
        )
        session.flush()
        after = counts()
        key = (world.analyses["cilio"], None, "classification")
        assert after.get(key, 0) == start.get(key, 0) + 1
        assert after.get((world.analyses["hboc"], None, "classification"), 0) == start.get(
            (world.analyses["hboc"], None, "classification"), 0
        )
        session.rollback()


def test_import_hook_computes_every_applicable_config(env):
    url = env[1]
    with session_for(url) as session:
        analysis, _ = make_analysis(session, "Diag-HBOC-hook", HBOC, [brca2_variant(32890700)])
        session.commit()
        analysis_id = analysis.id
    from ella_app.config import load_settings
    from tests.conftest import EXAMPLE_CONFIG

    config = load_settings({"ELLA_CONFIG": str(EXAMPLE_CONFIG), "DB_URL": url}).config
    filter_results.after_import(url, analysis_id, config)
    with session_for(url) as session:
        stored = set(
            session.scalars(text("SELECT filterconfig_id FROM filterresult WHERE analysis_id = :a"), {"a": analysis_id})
        )
        analysis = session.get(Analysis, analysis_id)
        assert analysis is not None
        expected = {fc.id for fc in filter_results.configs_for_analysis(session, analysis)}
    assert expected and stored == expected


def test_large_analyses_are_filtered_in_a_child_process_with_the_same_result(env, monkeypatch):
    """An exome's filtering takes hundreds of megabytes a gunicorn worker would keep: above a size it runs in a
    child process (here: any size), and gives what the in-process computation gives."""
    api, url, world, base, _ = env
    default = world.filterconfigs["default"]
    in_process = _ids(api, base, default)
    with session_for(url) as session:
        filter_results.forget(session)
        session.commit()
    calls = []
    original = filter_results._in_child
    monkeypatch.setattr(filter_results, "OUT_OF_PROCESS_ALLELES", 0)
    monkeypatch.setattr(filter_results, "_in_child", lambda *a: calls.append((a[2], original(*a))) or calls[-1][1])
    in_child = _ids(api, base, default)
    assert calls == [(world.analyses["hboc"], True)]  # the child computed it (no fallback)
    assert in_child == in_process
    assert len(_stored(url, default)) == 1
