"""Sample (reanalysis) jobs: a sample of the annotation service's sample repository annotated in a gene panel
(ELLA src/api/polling.py ``annotate_sample``/``run_preimport``; feature I11): the preimport script's
environment, files and variables, the regions BED from the panel, the multipart request, the automatic deposit
as ``<sample>.<panel>_<version>``, and each failure of the script as FAILED (SUBMISSION) with its reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.factories import copy_db, make_app
from tests.api.test_import_jobs import JOBS, Env, template  # noqa: F401 - the module's template fixture
from tests.support.fake_annotation_service import FakeAnnotationService


@pytest.fixture
def service() -> Iterator[FakeAnnotationService]:
    fake = FakeAnnotationService(active_polls=0).start()
    yield fake
    fake.stop()


@pytest.fixture
def env(pg, template, tmp_path, service) -> Iterator[Env]:  # noqa: F811
    name, world = template
    with copy_db(pg, name) as url:
        yield Env(make_app(url, tmp_path), url, world, service)


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "preimport.sh"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def _order(env: Env, sample: str = "Diag-Sample-1", **props: Any) -> int:
    response = env.ada.post(
        JOBS,
        json={
            "sample_id": sample,
            "genepanel_name": "HBOC",
            "genepanel_version": "v1.0.0",
            "properties": {"priority": 2, **props},
        },
    )
    assert response.status_code == 200, response.json
    return int(response.json["id"])


def test_sample_job_runs_the_preimport_script_and_sends_the_panel_regions(env, tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("coverage file\n")
    script = _script(
        tmp_path,
        f'env | grep -E "^(GENEPANEL_|SAMPLE_ID|USERGROUP|PRIORITY)" | sort > {tmp_path}/env.txt\n'
        f'echo \'{{"files": {{"extra": "{extra}"}}, "variables": {{"capturekit": "v5", "depth": 30}}}}\'\n',
    )
    job_id = _order(env)
    env.poll(3, preimport_script=script, automatic_deposit_with_sample_id=True)
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "DONE", job["message"]
    assert (tmp_path / "env.txt").read_text().splitlines() == [
        "GENEPANEL_NAME=HBOC",
        "GENEPANEL_VERSION=v1.0.0",
        "PRIORITY=2",
        "SAMPLE_ID=Diag-Sample-1",
        "USERGROUP=hboc-lab",
    ]
    [sent] = env.service.sample_requests
    assert sent["fields"] == {"capturekit": "v5", "depth": "30", "sample_id": "Diag-Sample-1"}
    assert sent["files"]["extra"] == ("extra.txt", "coverage file\n")
    bed_name, bed = sent["files"]["regions"]
    lines = bed.splitlines()
    assert bed_name == "regions.bed" and lines[0] == "#chromosome\ttxStart\ttxEnd"
    assert sorted(lines[1:]) == lines[1:] and {ln.split("\t")[0] for ln in lines[1:]} == {"13", "17"}
    assert job["analysis_id"] is not None
    [(name,)] = env.query("SELECT name FROM analysis WHERE id = :a", a=job["analysis_id"])
    assert name == "Diag-Sample-1.HBOC_v1.0.0"


def test_without_automatic_deposit_the_sample_job_is_done_without_import(env):
    """ELLA: ``automatic_deposit_with_sample_id`` false ⇒ DONE, nothing imported."""
    job_id = _order(env)
    env.poll(3)
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "DONE" and "automatic deposit of sample jobs is off" in job["message"]
    assert env.count("analysis") == 2
    [sent] = env.service.sample_requests
    assert set(sent["files"]) == {"regions"}  # no preimport script configured: the regions only


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("echo broken >&2\nexit 3\n", "failed (exit code 3): broken"),
        ("sleep 5\n", "did not finish within 0.5 s"),
        ("echo not json\n", "did not print JSON"),
        ('echo \'{"files": {"x": "/nonexistent/file"}, "variables": {}}\'\n', "cannot be read"),
    ],
)
def test_a_failing_preimport_script_fails_the_submission_with_its_reason(env, tmp_path, body, reason):
    script = _script(tmp_path, body)
    job_id = _order(env)
    env.poll(2, preimport_script=script, preimport_timeout=0.5, automatic_deposit_with_sample_id=True)
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "FAILED (SUBMISSION)" and reason in job["message"], job["message"]
    assert env.service.sample_requests == [] and env.count("analysis") == 2


def test_an_unknown_sample_fails_at_the_service(env):
    job_id = _order(env, "Not-In-Repository")
    env.poll(2)
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "FAILED (SUBMISSION)" and "Not-In-Repository" in job["message"]


def test_sample_orders_are_checked(env):
    bad = env.ada.post(JOBS, json={"sample_id": "a b", "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"})
    assert bad.status_code == 422 and "sample_id" in bad.json["message"]
    other = env.ada.post(
        JOBS, json={"sample_id": "Diag-Sample-1", "genepanel_name": "Ciliopathy", "genepanel_version": "v1.0.0"}
    )
    assert other.status_code == 422 and "genepanel_name" in other.json["message"]
    both = env.ada.post(
        JOBS,
        json={"sample_id": "S1", "data": "1:1 A>C", "genepanel_name": "HBOC", "genepanel_version": "v1.0.0"},
    )
    assert both.status_code == 422 and "either" in both.json["message"]
    assert env.count("annotationjob") == 0
    assert json.loads(json.dumps(env.service.sample_requests)) == []
