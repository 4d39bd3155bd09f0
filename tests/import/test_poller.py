"""The annotation poller against a fake annotation service on 127.0.0.1: the job state machine."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from ella_app.db.models import AnnotationJob
from ella_app.services.annotation_client import AnnotationClient
from ella_app.services.poller import AnnotationPoller
from tests.conftest import Cli
from tests.support.fake_annotation_service import FakeAnnotationService

from .conftest import count, make_panel, query

PASTED = "13\t32890607\t.\tG\tT\n13 32893344 . A G\n"


@pytest.fixture
def service() -> Iterator[FakeAnnotationService]:
    fake = FakeAnnotationService(active_polls=1).start()
    yield fake
    fake.stop()


def _job(db_url: str, **kw) -> int:
    engine = create_engine(db_url)
    with Session(engine) as session:
        job = AnnotationJob(
            status="SUBMITTED",
            status_history={"history": []},
            genepanel_name="HBOC",
            genepanel_version="v1.0.0",
            **{"properties": {}, "data": PASTED, **kw},
        )
        session.add(job)
        session.commit()
        job_id = job.id
    engine.dispose()
    return job_id


def _state(db_url: str, job_id: int) -> tuple:
    [(status, message, attempts, history)] = query(
        db_url, "SELECT status, message, attempts, status_history FROM annotationjob WHERE id = :i", i=job_id
    )
    return status, message, attempts, [h["status"] for h in history["history"]]


def test_analysis_job_goes_submitted_running_annotated_done_through_the_cli(cli_env, db_url, service):
    make_panel(db_url)
    cli = Cli({**cli_env, "ANNOTATION_SERVICE_URL": service.url})
    job_id = _job(db_url, mode="Analysis", properties={"create_or_append": "Create", "analysis_name": "Pasted-1"})
    seen = []
    for _ in range(5):
        cli.ok("annotation", "poll", "--once")
        seen.append(_state(db_url, job_id)[0])
    assert seen == ["RUNNING", "RUNNING", "ANNOTATED", "DONE", "DONE"]
    _, message, _, history = _state(db_url, job_id)
    assert history == ["DONE", "ANNOTATED", "RUNNING"] and "Pasted-1.HBOC_v1.0.0 created" in message
    assert query(db_url, "SELECT name FROM analysis") == [("Pasted-1.HBOC_v1.0.0",)]
    assert count(db_url, "genotype") == 2
    assert service.requests[0] == "POST /api/v1/annotate"


def test_variants_job_deposits_alleles_with_interpretations(db_url, service):
    make_panel(db_url)
    job_id = _job(db_url, mode="Variants")
    poller = AnnotationPoller(db_url, AnnotationClient(service.url))
    for _ in range(4):
        poller.poll_once()
    assert _state(db_url, job_id)[0] == "DONE"
    assert count(db_url, "allele") == 2 and count(db_url, "annotation") == 2
    assert query(db_url, "SELECT DISTINCT status, genepanel_name FROM alleleinterpretation") == [
        ("Not started", "HBOC")
    ]
    assert count(db_url, "alleleinterpretation") == 2 and count(db_url, "genotype") == 0


def test_variants_job_outside_the_panel_fails_and_stores_nothing(db_url, service):
    """ELLA's poller deposits Variants jobs with DepositAlleles, which refuses variants outside the panel's
    transcripts: the job fails with that reason, and no allele is stored."""
    make_panel(db_url)
    job_id = _job(db_url, mode="Variants", data="13\t32890607\t.\tG\tT\n1\t12345\t.\tA\tG\n")
    poller = AnnotationPoller(db_url, AnnotationClient(service.url))
    for _ in range(4):
        poller.poll_once()
    status, message, _, _ = _state(db_url, job_id)
    assert status.startswith("FAILED") and "not inside a transcript of gene panel HBOC_v1.0.0" in message
    assert "12345" in message and count(db_url, "allele") == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_service_down_keeps_the_job_waiting_and_it_resumes(db_url):
    make_panel(db_url)
    port = _free_port()
    job_id = _job(db_url, mode="Analysis", properties={"analysis_name": "Down-1"})
    poller = AnnotationPoller(db_url, AnnotationClient(f"http://127.0.0.1:{port}", timeout=2), retry_base=60)
    assert poller.poll_once() == {job_id: "SUBMITTED"}
    status, message, attempts, history = _state(db_url, job_id)
    assert (status, attempts, history) == ("SUBMITTED", 1, []) and "unavailable" in message
    assert poller.poll_once() == {}  # backing off: not due yet
    engine = create_engine(db_url)
    with engine.begin() as conn:  # time passes
        conn.execute(update(AnnotationJob).values(next_attempt=None))
    engine.dispose()
    service = FakeAnnotationService(port=port, active_polls=0).start()
    try:
        for _ in range(3):
            poller.poll_once()
    finally:
        service.stop()
    assert _state(db_url, job_id)[0] == "DONE" and count(db_url, "analysis") == 1


@pytest.mark.parametrize(
    ("switch", "expected"),
    [
        ("reject_annotate", "FAILED (SUBMISSION)"),
        ("status_error", "FAILED (ANNOTATION)"),
        ("process_error", "FAILED (PROCESSING)"),
        ("unknown_panel", "FAILED (DEPOSIT)"),
    ],
)
def test_failure_states(db_url, service, switch, expected):
    make_panel(db_url)
    if switch == "unknown_panel":
        job_id = _job(db_url, mode="Analysis", properties={"analysis_name": "X"})
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(update(AnnotationJob).values(genepanel_version="v9"))
        engine.dispose()
    else:
        job_id = _job(db_url, mode="Analysis", properties={"analysis_name": "X"})
        setattr(service, switch, True)
    service.active_polls = 0
    poller = AnnotationPoller(db_url, AnnotationClient(service.url))
    for _ in range(4):
        poller.poll_once()
    status, message, _, history = _state(db_url, job_id)
    assert status == expected and history[0] == expected and message
    assert count(db_url, "analysis") == 0 and count(db_url, "allele") == 0
