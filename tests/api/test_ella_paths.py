"""ELLA's client paths all answer (issue 14): every path of ELLA's API route table
(``tests/data/ella-upstream/api-paths.tsv``, from ELLA's ``src/api/v1/apiv1.py``) is served at ELLA's URL with
ELLA's method.

Each path is asked by a user of the owning group, its parameters filled with real ids of the test world; it must
be routed (no 404 for a missing route, no 405, no redirect to another URL) and answer with success (200, 201,
204). Writes run on a fresh copy of the database each, after the workflow steps that bring the round into the
state the action needs (start it; another user's round to override; a finalized one to reopen).

Not checked for an answer (the issue leaves them to others): ``import/service/*`` (the annotation service is a
separate issue), ``annotationconfigs/`` and ``customannotations/``, and the docs paths; they must still be
routed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from ella_app.db.models import (
    Allele,
    AlleleReport,
    InterpretationLog,
    Reference,
    ReferenceAssessment,
    User,
)
from tests.api.factories import (
    HBOC,
    PASSWORD,
    Api,
    World,
    build_world,
    classify,
    copy_db,
    make_allele_interpretation,
    make_app,
    template_db,
)
from tests.conftest import UPSTREAM

PATHS_FILE = UPSTREAM / "api-paths.tsv"
NOT_ANSWER_CHECKED = ("/api/v1/import/service/", "/api/v1/annotationconfigs/", "/api/v1/customannotations/")
DOCS = ("/api/v1/docs", "/api/v1/specs/")


@dataclass(frozen=True)
class EllaPath:
    method: str
    path: str  # Flask syntax, as in ELLA: /api/v1/alleles/<int:allele_id>/analyses/
    resource: str

    @property
    def answer_checked(self) -> bool:
        return not self.path.startswith(NOT_ANSWER_CHECKED) and self.path not in DOCS

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def ella_paths() -> list[EllaPath]:
    lines = PATHS_FILE.read_text().splitlines()
    assert lines[0].split("\t") == ["method", "path", "ella_resource"]
    return [EllaPath(*line.split("\t")) for line in lines[1:] if line]


ALL = ella_paths()
CHECKED = [p for p in ALL if p.answer_checked]


def test_the_list_is_ellas_94_paths():
    assert len({p.path for p in ALL}) == 94
    assert len(ALL) == 111  # (method, path) pairs
    assert {p.method for p in ALL} == {"GET", "POST", "PATCH", "DELETE"}


# ------------------------------------------------------------------------------------------ the world


def build(session: Any) -> World:
    """The standard world, plus on the HBOC variant: a classification with report, a reference assessment, a
    variant-workflow round, and work log messages by ada in both workflows."""
    world = build_world(session)
    allele = session.get(Allele, world.alleles["hboc_rare"])
    ada = session.get(User, world.users["ada"])
    assessment = classify(session, allele, ada, "4", panel=HBOC)
    report = AlleleReport(
        allele_id=allele.id, evaluation={"comment": "x"}, user_id=ada.id, alleleassessment_id=assessment.id
    )
    reference = Reference(title="A study", pubmed_id=123456, authors="A", journal="J", year="2020")
    session.add_all([report, reference])
    session.flush()
    reference_assessment = ReferenceAssessment(
        allele_id=allele.id,
        reference_id=reference.id,
        evaluation={"relevance": "Yes"},
        user_id=ada.id,
        genepanel_name=HBOC[0],
        genepanel_version=HBOC[1],
    )
    session.add(reference_assessment)
    world.allele_interpretations["hboc"] = make_allele_interpretation(session, allele, HBOC).id
    analysis_log = InterpretationLog(
        analysis_id=world.analyses["hboc"],
        analysisinterpretation_id=world.interpretations["hboc"],
        user_id=ada.id,
        message="asked the lab",
    )
    allele_log = InterpretationLog(
        allele_id=allele.id,
        alleleinterpretation_id=world.allele_interpretations["hboc"],
        user_id=ada.id,
        message="seen before",
    )
    session.add_all([analysis_log, allele_log])
    session.execute(  # hboc-lab shares custom panels with itself (ELLA's default import_groups: the group's own)
        text("INSERT INTO usergroup_import (usergroup_id, import_usergroup_id) VALUES (:g, :g)"),
        {"g": world.groups["hboc"]},
    )
    session.flush()
    world.extra = {
        "assessment": assessment.id,
        "report": report.id,
        "reference": reference.id,
        "reference_assessment": reference_assessment.id,
        "analysis_log": analysis_log.id,
        "allele_log": allele_log.id,
    }
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


def _prepare(app: Any, data: Any, url: str, world: World) -> dict[str, int]:
    """Files of the world (analysis track and attachment, IGV data) and an uploaded attachment."""
    analysis = data / "analyses/imported/Diag-HBOC-1"
    (analysis / "tracks").mkdir(parents=True)
    (analysis / "tracks" / "reads.bam").write_bytes(b"BAM")
    (analysis / "attachments").mkdir()
    (analysis / "attachments" / "report.txt").write_bytes(b"report")
    (data / "igv-data/cytoBand.txt").write_text("13\t0\t100000000\tq12\tgneg\n")
    (data / "igv-data/tracks/panel.bed").write_text("13\t1\t2\n")
    (data / "igv-data/track_config.json").write_text('{".*": {"limit_to_groups": null}}')
    upload = Api(app, url, world.users["ada"]).post(
        "/api/v1/attachments/upload/", data={"file": (io.BytesIO(b"lab report"), "lab.txt")}
    )
    assert upload.status_code == 200, upload.get_data(as_text=True)
    return {"attachment": upload.json["id"]}


@pytest.fixture(scope="module")
def shared(pg, template, tmp_path_factory) -> Any:
    name, world = template
    with copy_db(pg, name) as url:
        data = tmp_path_factory.mktemp("data")
        app = make_app(url, data)
        world.extra.update(_prepare(app, data, url, world))
        yield app, url, world


# ------------------------------------------------------------------------------------------ filling a path


def _values(path: str, world: World) -> dict[str, str]:
    allele_workflow = path.startswith("/api/v1/workflows/alleles/")
    return {
        "allele_id": str(world.alleles["hboc_rare"]),
        "analysis_id": str(world.analyses["hboc"]),
        "interpretation_id": str(
            world.allele_interpretations["hboc"] if allele_workflow else world.interpretations["hboc"]
        ),
        "aa_id": str(world.extra["assessment"]),
        "ar_id": str(world.extra["report"]),
        "ra_id": str(world.extra["reference_assessment"]),
        "log_id": str(world.extra["allele_log" if allele_workflow else "analysis_log"]),
        "filterconfig_id": str(world.filterconfigs["default"]),
        "user_id": str(world.users["ada"]),
        "attachment_id": str(world.extra.get("attachment", 1)),
        "index": "0",
        "id": "1",
        "name": HBOC[0],
        "version": HBOC[1],
        "gp_name": HBOC[0],
        "gp_version": HBOC[1],
        "genepanel_name": HBOC[0],
        "genepanel_version": HBOC[1],
        "filename": "reads.bam" if "/tracks/analyses/" in path else "cytoBand.txt",
        "filepath": "panel.bed",
    }


def fill(path: str, world: World) -> str:
    values = _values(path, world)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)


def _query(path: str, world: World) -> dict[str, str]:
    """What ELLA's client sends in the query string of the paths that need it."""
    allele = str(world.alleles["hboc_rare"])
    if path.endswith("/igv/search/"):
        return {"q": "BRCA2"}
    if path.endswith("/search/") or path.endswith("/search/options/"):
        return {"q": '{"type": "alleles", "freetext": "BRCA2"}'}
    if path.endswith("/acmg/classifications/"):
        return {"codes": "PVS1,PS1"}
    if path.endswith(("/annotationconfigs/",)):
        return {"annotation_config_ids": "1"}
    if path.endswith(("/alleleassessments/", "/allelereports/", "/referenceassessments/")):
        return {"q": f'{{"allele_id": {allele}}}'}  # the history dialog of ELLA's client
    if path.endswith(("/alleles/", "/alleles/by-gene/", "/collisions/")) or "/similar_alleles/" in path:
        return {"allele_ids": allele}
    if "/genepanels/<gp_name>/" in path and "/analyses/" in path:
        return {"allele_ids": allele}
    return {}


def _workflow(path: str) -> str | None:
    """``/api/v1/workflows/<kind>/<id>`` of a workflow path, else None."""
    found = re.match(r"(/api/v1/workflows/(?:analyses|alleles)/<int:\w+>)/", path)
    return found.group(1) if found else None


def _setup(ella: EllaPath) -> list[tuple[str, str]]:
    """The workflow steps (user, action) that bring the round into the state the request needs."""
    path = ella.path
    if _workflow(path) is None or path.endswith(("/actions/start/", "/logs/", "/logs/<int:log_id>/")):
        return []
    if path.endswith("/actions/override/"):
        return [("bob", "start")]
    if path.endswith("/actions/reopen/"):
        return [("ada", "start"), ("ada", "finalize")]
    return [("ada", "start")]


def _body(ella: EllaPath, world: World) -> dict[str, Any]:
    """Keyword arguments of the request: json or form data, as ELLA's client sends them."""
    allele = world.alleles["hboc_rare"]
    path = ella.path
    if ella.method == "GET":
        return {}
    bodies: dict[str, Any] = {
        "/api/v1/acmg/alleles/": {"allele_ids": [allele], "gp_name": HBOC[0], "gp_version": HBOC[1]},
        "/api/v1/geneassessments/": {
            "gene_id": 1101,
            "genepanel_name": HBOC[0],
            "genepanel_version": HBOC[1],
            "evaluation": {"comment": "a gene comment"},
        },
        "/api/v1/genepanels/": {
            "name": "Mine",
            "version": "v1",
            "genes": [{"hgnc_id": 1101, "transcripts": [{"transcript_name": "NM_000059.3"}]}],
            "usergroups": ["hboc-lab"],
        },
        "/api/v1/references/": {"title": "Another study", "pubmed_id": 654321},
        "/api/v1/referenceassessments/": {
            "allele_id": allele,
            "reference_id": world.extra["reference"],
            "evaluation": {"relevance": "No"},
            "genepanel_name": HBOC[0],
            "genepanel_version": HBOC[1],
            "user_id": world.users["ada"],
        },
        "/api/v1/ui/exceptionlog/": {"message": "TypeError in the UI", "location": "/overview"},
        "/api/v1/users/actions/login/": {"username": "ada", "password": PASSWORD},
        "/api/v1/users/actions/changepassword/": {
            "username": "ada",
            "password": PASSWORD,
            "new_password": "Another-Test-Pass-77",
        },
    }
    if path in bodies:
        return {"json": bodies[path]}
    if path.endswith("/attachments/upload/"):
        return {"data": {"file": (io.BytesIO(b"second report"), "second.txt")}}
    if path.endswith("/logs/<int:log_id>/"):
        return {"json": {"message": "edited"}} if ella.method == "PATCH" else {}
    if path.endswith("/logs/"):
        return {"json": {"message": "a note"}}
    if path.endswith("/actions/finalizeallele/"):
        body = {
            "allele_id": allele,
            "annotation_id": world.annotations[allele],
            "alleleassessment": {"classification": "3", "presented_alleleassessment_id": world.extra["assessment"]},
            "allelereport": {"evaluation": {"comment": "x"}, "presented_allelereport_id": world.extra["report"]},
        }
        return {"json": body}
    if path.endswith("/alleles/<int:allele_id>/actions/start/"):
        return {"json": {"gp_name": HBOC[0], "gp_version": HBOC[1]}}
    if ella.method == "PATCH" and "/interpretations/" in path:
        return {"json": {"state": {"x": 1}}}
    return {}


def _request(app: Any, url: str, world: World, ella: EllaPath) -> Any:
    api = Api(app, url, world.users["ada"])
    target = fill(ella.path, world)
    headers = {"X-CSRF-Token": api.csrf} if ella.method != "GET" else {}
    return api.client.open(
        target, method=ella.method, query_string=_query(ella.path, world), headers=headers, **_body(ella, world)
    )


def _run_setup(app: Any, url: str, world: World, ella: EllaPath) -> None:
    base = _workflow(ella.path)
    for user, action in _setup(ella):
        assert base is not None
        body = {"gp_name": HBOC[0], "gp_version": HBOC[1]} if action == "start" and "/alleles/" in base else None
        response = Api(app, url, world.users[user]).post(fill(f"{base}/actions/{action}/", world), json=body)
        assert response.status_code == 200, (action, response.get_data(as_text=True)[:300])


# ------------------------------------------------------------------------------------------ the checks


@pytest.mark.parametrize("ella", ALL, ids=str)
def test_routed_at_ellas_url_with_ellas_method(shared, ella):
    """No 404 for a missing route, no 405, no redirect: the exact URL and method have a route."""
    app, _, world = shared
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(fill(ella.path, world), ella.method)
    except RequestRedirect as redirect:
        pytest.fail(f"{ella}: redirected to {redirect.new_url}")
    except MethodNotAllowed:
        pytest.fail(f"{ella}: 405, no route for the method")
    except NotFound:
        pytest.fail(f"{ella}: 404, no route")


def _assert_answers(ella: EllaPath, response: Any) -> None:
    status = response.status_code
    assert status in (200, 201, 204), (str(ella), status, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("ella", [p for p in CHECKED if p.method == "GET"], ids=str)
def test_reads_answer(shared, ella):
    app, url, world = shared
    _assert_answers(ella, _request(app, url, world, ella))


@pytest.mark.parametrize("ella", [p for p in CHECKED if p.method != "GET"], ids=str)
def test_writes_answer(pg, template, tmp_path, ella):
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        world.extra.update(_prepare(app, tmp_path, url, world))
        _run_setup(app, url, world, ella)
        _assert_answers(ella, _request(app, url, world, ella))
