"""Custom gene panels for a reanalysis (``POST genepanels/``; ELLA src/api/v1/resources/genepanel.py
``GenepanelListResource.post``, features A09 and S07): unofficial, shared only with the caller's group's
import groups, transcripts checked against their genes; then a sample job against the custom panel sends the
custom panel's regions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.factories import copy_db, make_app
from tests.api.test_import_jobs import JOBS, Env, template  # noqa: F401 - the module's template fixture
from tests.support.fake_annotation_service import FakeAnnotationService

PANELS = "/api/v1/genepanels/"
BRCA2_ONLY = [{"hgnc_id": 1101, "inheritance": "AD", "transcripts": [{"transcript_name": "NM_000059.3"}]}]


@pytest.fixture
def service() -> Iterator[FakeAnnotationService]:
    fake = FakeAnnotationService(active_polls=0).start()
    yield fake
    fake.stop()


@pytest.fixture
def env(pg, template, tmp_path, service) -> Iterator[Env]:  # noqa: F811
    name, world = template
    with copy_db(pg, name) as url:
        env = Env(make_app(url, tmp_path), url, world, service)
        env.query(  # hboc-lab imports for itself (ELLA's default import_groups: the group's own)
            "INSERT INTO usergroup_import (usergroup_id, import_usergroup_id) VALUES (:g, :g)", g=world.groups["hboc"]
        )
        yield env


def _panel(**more: Any) -> dict[str, Any]:
    return {
        "name": "HBOC-BRCA2",
        "version": "v1",
        "base": {"name": "HBOC", "version": "v1.0.0"},
        "genes": BRCA2_ONLY,
        "usergroups": ["hboc-lab"],
        **more,
    }


def test_a_custom_panel_is_unofficial_and_a_sample_is_reanalysed_with_its_regions(env):
    created = env.ada.post(PANELS, json=_panel())
    assert created.status_code == 200, created.json
    assert created.json == {
        "name": "HBOC-BRCA2",
        "version": "v1",
        "official": False,
        "transcripts": 1,
        "genes": 1,
        "usergroups": ["hboc-lab"],
    }
    listed = {(p["name"], p["version"]): p for p in env.ada.get(PANELS).json}
    assert listed[("HBOC-BRCA2", "v1")]["official"] is False
    assert ("HBOC-BRCA2", "v1") not in {(p["name"], p["version"]) for p in env.cid.get(PANELS).json}
    assert env.ada.get("/api/v1/import/service/importgroups/").json == ["hboc-lab"]
    job = env.ada.post(
        JOBS, json={"sample_id": "Diag-Sample-1", "genepanel_name": "HBOC-BRCA2", "genepanel_version": "v1"}
    )
    assert job.status_code == 200, job.json
    env.poll(3, automatic_deposit_with_sample_id=True)
    assert env.ada.get(f"{JOBS}{job.json['id']}/").json["status"] == "DONE"
    [sent] = env.service.sample_requests
    assert sent["files"]["regions"][1].splitlines() == ["#chromosome\ttxStart\ttxEnd", "13\t32889616\t32973809"]


def test_sharing_is_limited_to_the_import_groups(env):
    """ELLA asserts usergroups ⊆ the caller's group's import groups (feature S07)."""
    refused = env.ada.post(PANELS, json=_panel(usergroups=["hboc-lab", "cilio-lab"]))
    assert refused.status_code == 422
    assert refused.json["message"].startswith(
        "key 'usergroups.1': your group may not share gene panels with 'cilio-lab'"
    )
    assert env.query("SELECT count(*) FROM genepanel WHERE name = 'HBOC-BRCA2'") == [(0,)]
    env.query(
        "INSERT INTO usergroup_import (usergroup_id, import_usergroup_id) VALUES (:g, :c)",
        g=env.world.groups["hboc"],
        c=env.world.groups["cilio"],
    )
    shared = env.ada.post(PANELS, json=_panel(usergroups=["cilio-lab"]))
    assert shared.status_code == 200
    assert ("HBOC-BRCA2", "v1") in {(p["name"], p["version"]) for p in env.cid.get(PANELS).json}
    # shared with cilio-lab only: hboc-lab cannot order jobs with it
    job = env.ada.post(
        JOBS, json={"sample_id": "Diag-Sample-1", "genepanel_name": "HBOC-BRCA2", "genepanel_version": "v1"}
    )
    assert job.status_code == 422 and "genepanel_name" in job.json["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            _panel(genes=[{"hgnc_id": 1100, "transcripts": [{"transcript_name": "NM_000059.3"}]}]),
            422,
            "key 'genes.0.transcripts.0': transcript NM_000059.3 is of gene HGNC:1101, not HGNC:1100",
        ),
        (
            _panel(genes=[{"hgnc_id": 1101, "transcripts": [{"transcript_name": "NM_999999.1"}]}]),
            422,
            "key 'genes.0.transcripts.0': no transcript 'NM_999999.1'",
        ),
        (_panel(genes=[]), 422, "at least one gene"),
        (_panel(usergroups=[]), 422, "usergroups"),
        (_panel(name="HBOC", version="v1.0.0"), 409, "exists already"),
        (_panel(name="bad name"), 422, "key 'name'"),
        (_panel(base={"name": "Ciliopathy", "version": "v1.0.0"}), 404, "no gene panel"),
    ],
)
def test_bad_panels_are_refused_and_nothing_is_stored(env, body, status, words):
    [(before,)] = env.query("SELECT count(*) FROM genepanel")
    response = env.ada.post(PANELS, json=body)
    assert response.status_code == status, response.json
    assert words in response.json["message"]
    assert env.query("SELECT count(*) FROM genepanel") == [(before,)]


def test_panel_stats_compare_with_the_groups_official_panels(env):
    """ELLA src/api/v1/resources/genepanel.py GenepanelStatsResource: counts relative to the given panel,
    official panels of the caller's group only, the panel itself left out."""
    assert env.ada.post(PANELS, json=_panel()).status_code == 200
    stats = env.ada.get(f"{PANELS}HBOC-BRCA2/v1/stats/")
    assert stats.status_code == 200
    assert stats.json == {
        "overlap": [{"name": "HBOC", "version": "v1.0.0", "addition_cnt": 1, "overlap_cnt": 1, "missing_cnt": 0}]
    }
    assert env.ada.get(f"{PANELS}HBOC/v1.0.0/stats/").json == {"overlap": []}  # the custom panel is unofficial
    assert env.ada.get(f"{PANELS}Ciliopathy/v1.0.0/stats/").status_code == 404  # not the group's panel
