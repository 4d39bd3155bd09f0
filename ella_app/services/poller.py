"""The annotation-job state machine, driven against the annotation service.

SUBMITTED → RUNNING (task id from the service) → ANNOTATED (task no longer active) → DONE (the annotated
VCF deposited as an analysis or as single variants), or one of the FAILED states: ``FAILED (SUBMISSION)``,
``FAILED (ANNOTATION)``, ``FAILED (PROCESSING)``, ``FAILED (DEPOSIT)``. Every change is prepended to
``status_history.history`` as ``{time, status}``.

When the service cannot be reached the job keeps its status: ``attempts`` grows and ``next_attempt`` moves
out (exponential back-off), so nothing is lost while the service is down. Each job is handled in its own
transaction, locked with ``FOR UPDATE SKIP LOCKED`` so that several pollers never handle one job at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import AnnotationJob
from ella_app.db.session import transaction
from ella_app.errors import EllaError
from ella_app.formats.analysis_folder import AnalysisSpec, DataEntry
from ella_app.services.annotation_client import AnnotationClient, ServiceRejected, ServiceUnavailable
from ella_app.services.importer import import_alleles, import_spec

log = logging.getLogger("ella.poller")

SUBMITTED, RUNNING, ANNOTATED, DONE = "SUBMITTED", "RUNNING", "ANNOTATED", "DONE"
FAILED_SUBMISSION = "FAILED (SUBMISSION)"
FAILED_ANNOTATION = "FAILED (ANNOTATION)"
FAILED_PROCESSING = "FAILED (PROCESSING)"
FAILED_DEPOSIT = "FAILED (DEPOSIT)"
ACTIVE = (SUBMITTED, RUNNING, ANNOTATED)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def set_status(job: AnnotationJob, status: str, message: str | None = None) -> None:
    history = list((job.status_history or {}).get("history", []))
    history.insert(0, {"time": _now().isoformat(), "status": status})
    job.status_history = {"history": history}
    job.status = status
    job.message = message
    job.attempts = 0
    job.next_attempt = None
    job.date_last_update = _now()


@dataclass
class AnnotationPoller:
    db_url: str
    client: AnnotationClient
    automatic_deposit_with_sample_id: bool = False
    retry_base: float = 5.0
    retry_max: float = 600.0
    app_config: dict[str, Any] | None = None  # ella_config.yml, for the import (CNV flag, postprocessors)

    def poll_once(self) -> dict[int, str]:
        """Handle every active job that is due; returns the new status of each job handled."""
        with transaction(self.db_url) as session:
            ids = session.scalars(
                select(AnnotationJob.id)
                .where(AnnotationJob.status.in_(ACTIVE))
                .where(or_(AnnotationJob.next_attempt.is_(None), AnnotationJob.next_attempt <= _now()))
                .order_by(AnnotationJob.id)
            ).all()
        results = {}
        for job_id in ids:
            status = self._handle(job_id)
            if status is not None:
                results[job_id] = status
        return results

    def _handle(self, job_id: int) -> str | None:
        with transaction(self.db_url) as session:
            job = session.scalars(
                select(AnnotationJob).where(AnnotationJob.id == job_id).with_for_update(skip_locked=True)
            ).first()
            if job is None or job.status not in ACTIVE:
                return None
            before = job.status
            try:
                self._advance(session, job)
            except ServiceUnavailable as exc:
                self._postpone(job, exc.message)
            if job.status != before:
                log.info("annotation job %s: %s → %s %s", job.id, before, job.status, job.message or "")
            return job.status

    def _postpone(self, job: AnnotationJob, reason: str) -> None:
        job.attempts = (job.attempts or 0) + 1
        delay = min(self.retry_max, self.retry_base * 2 ** (job.attempts - 1))
        job.next_attempt = _now() + dt.timedelta(seconds=delay)
        job.message = f"annotation service unavailable ({reason}); attempt {job.attempts}, retrying in {delay:.0f} s"
        log.warning("annotation job %s: %s", job.id, job.message)

    def _advance(self, session: Session, job: AnnotationJob) -> None:
        if job.status == SUBMITTED:
            if job.sample_id:
                set_status(job, FAILED_SUBMISSION, "sample jobs need import.preimport_script, which is not supported")
                return
            try:
                job.task_id = self.client.annotate(job.data or "")
            except ServiceRejected as exc:
                set_status(job, FAILED_SUBMISSION, exc.message)
                return
            set_status(job, RUNNING)
        elif job.status == RUNNING:
            try:
                status = self.client.status(str(job.task_id))
            except ServiceRejected as exc:
                set_status(job, FAILED_ANNOTATION, exc.message)
                return
            if status.get("error"):
                set_status(job, FAILED_ANNOTATION, str(status.get("message") or status.get("error")))
            elif not status.get("active", True):
                set_status(job, ANNOTATED)
        elif job.status == ANNOTATED:
            try:
                vcf = self.client.process(str(job.task_id))
            except ServiceRejected as exc:
                set_status(job, FAILED_PROCESSING, exc.message)
                return
            if job.sample_id and not self.automatic_deposit_with_sample_id:
                set_status(job, DONE, "annotated; automatic deposit of sample jobs is off")
                return
            savepoint = session.begin_nested()
            try:
                message = self._deposit(session, job, vcf)
            except EllaError as exc:
                savepoint.rollback()
                set_status(job, FAILED_DEPOSIT, exc.message)
                return
            savepoint.commit()
            set_status(job, DONE, message)

    def _deposit(self, session: Session, job: AnnotationJob, vcf: str) -> str:
        panel, version = job.genepanel_name or "", job.genepanel_version or ""
        mode = (job.mode or "").lower()
        with tempfile.TemporaryDirectory(prefix="ella-annojob-") as tmp:
            if mode == "analysis":
                options = job.properties or {}
                if options.get("create_or_append", "Create") != "Create":
                    raise EllaError("appending to an existing analysis is not supported yet")
                base = options.get("analysis_name") or f"annotationjob-{job.id}"
                name = f"{base}.{panel}_{version}"
                path = Path(tmp) / f"{name}.vcf"
                path.write_text(vcf, encoding="utf-8")
                spec = AnalysisSpec(name, panel, version, Path(tmp), path, "annotation-job", data=[DataEntry(path)])
                report = import_spec(session, spec, app_config=self.app_config, properties={"annotationjob_id": job.id})
                return f"analysis {name} created (id {report.extra['analysis_id']})"
            if mode in ("variants", "single variant"):
                path = Path(tmp) / f"annotationjob-{job.id}.vcf"
                path.write_text(vcf, encoding="utf-8")
                report = import_alleles(session, path, genepanel_name=panel, genepanel_version=version)
                return f"{len(report.created)} new and {len(report.unchanged)} known variant(s) deposited"
        raise EllaError(f"unknown job mode {job.mode!r}")
