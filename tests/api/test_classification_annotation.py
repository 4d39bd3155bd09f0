"""A classification names the annotation it was made on: ``annotation_id`` is required and must be the
variant's current annotation (issue 12, defect 8: ``annotation_id: null`` was accepted by finalizeallele).

Mirrors ELLA src/api/v1/resources/workflow/helpers.py (finalize_allele refuses an annotation id that is not the
latest one) and src/api/schemas/jsonschemas/workflowActionFinalizeAllelePost.json (annotation_id required).
"""

from __future__ import annotations

from typing import Any

import pytest

from ella_app.db.models import Allele, AlleleAssessment, User
from ella_app.errors import ConflictError, InputError
from ella_app.services import classification
from tests.api.factories import (
    Api,
    World,
    build_world,
    copy_db,
    current_annotation_id,
    make_app,
    session_for,
    set_annotation,
    template_db,
)
from tests.conftest import EXAMPLE_CONFIG


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build_world)


@pytest.fixture
def env(pg, template, tmp_path):
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        ada = Api(app, url, world.users["ada"])
        base = f"/api/v1/workflows/analyses/{world.analyses['hboc']}"
        assert ada.post(f"{base}/actions/start/").status_code == 200
        yield ada, base, world, url


def _body(allele: int, **more: Any) -> dict[str, Any]:
    return {"allele_id": allele, "alleleassessment": {"classification": "3"}, **more}


def _assessments(url: str, allele: int) -> int:
    with session_for(url) as session:
        return session.query(AlleleAssessment).filter_by(allele_id=allele).count()


@pytest.mark.parametrize("annotation", ["missing", None])
def test_finalizeallele_without_annotation_is_refused(env, annotation):
    ada, base, world, url = env
    allele = world.alleles["hboc_rare"]
    body = _body(allele) if annotation == "missing" else _body(allele, annotation_id=None)
    response = ada.post(f"{base}/actions/finalizeallele/", json=body)
    assert response.status_code == 422 and "annotation_id" in response.json["message"], response.json
    assert _assessments(url, allele) == 0


def test_finalizeallele_on_the_current_annotation_is_stored_with_it(env):
    ada, base, world, url = env
    allele = world.alleles["hboc_rare"]
    annotation = current_annotation_id(url, allele)
    response = ada.post(f"{base}/actions/finalizeallele/", json=_body(allele, annotation_id=annotation))
    assert response.status_code == 200, response.json
    [stored] = ada.get(f"/api/v1/alleleassessments/?allele_ids={allele}").json
    assert stored["annotation_id"] == annotation


def test_finalizeallele_on_a_superseded_annotation_is_a_conflict(env):
    ada, base, world, url = env
    allele = world.alleles["hboc_rare"]
    shown = current_annotation_id(url, allele)
    with session_for(url) as session:  # the annotation service delivers a newer annotation meanwhile
        set_annotation(session, session.get(Allele, allele), {"transcripts": []})
        session.commit()
    stale = ada.post(f"{base}/actions/finalizeallele/", json=_body(allele, annotation_id=shown))
    assert stale.status_code == 409 and "superseded" in stale.json["message"], stale.json
    other = ada.post(
        f"{base}/actions/finalizeallele/",
        json=_body(allele, annotation_id=current_annotation_id(url, world.alleles["hboc_common"])),
    )
    assert other.status_code == 422 and "not an annotation of this allele" in other.json["message"]
    assert _assessments(url, allele) == 0


def test_the_rule_lives_in_the_service(env):
    """Any caller of services.classification (not only the API's schema) gets the rule."""
    _, _, world, url = env
    allele = world.alleles["hboc_rare"]
    from ella_app.config import load_config_file

    config = load_config_file(str(EXAMPLE_CONFIG))
    with session_for(url) as session:
        where = classification.Context(session.get(User, world.users["ada"]), ("HBOC", "v1.0.0"))
        request = classification.Classification(
            allele_id=allele,
            classification="3",
            evaluation={},
            report={},
            presented_assessment_id=None,
            presented_report_id=None,
            annotation_id=None,
        )
        with pytest.raises(InputError, match=r"annotation_id.*required"):
            classification.classify(session, config, where, request)
        set_annotation(session, session.get(Allele, allele), {"transcripts": []})
        request.annotation_id = current_annotation_id(url, allele)  # committed one is now superseded
        with pytest.raises(ConflictError):
            classification.classify(session, config, where, request)
        session.rollback()
