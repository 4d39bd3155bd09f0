"""The annotation-job state machine, driven against the annotation service.

SUBMITTED → RUNNING (task id from the service) → ANNOTATED (task no longer active) → DONE (the annotated
VCF deposited as an analysis or as single variants), or one of the FAILED states: ``FAILED (SUBMISSION)``,
``FAILED (ANNOTATION)``, ``FAILED (PROCESSING)``, ``FAILED (DEPOSIT)``; or ``CANCELLED`` by a user (the
poller leaves a cancelled job alone from its next step on). Every change is prepended to
``status_history.history`` as ``{time, status}``.

Pasted variants go to ``POST /api/v1/annotate``. A sample job (``sample_id``: a sample of the service's
sample repository) runs the configured preimport script and sends its files with a regions BED of the gene
panel to ``POST /api/v1/samples/annotate`` (``annotation_jobs_samples``). The deposit creates the analysis
``<name>.<panel>_<version>`` (Create), adds the variants to an existing analysis (Append,
``annotation_jobs_append``), or deposits single variants (Variants); a sample job creates
``<sample_id>.<panel>_<version>`` when ``import.automatic_deposit_with_sample_id`` is on.

When the service cannot be reached the job keeps its status: ``attempts`` grows and ``next_attempt`` moves
out (exponential back-off), so nothing is lost while the service is down. Each job is handled in its own
transaction, locked with ``FOR UPDATE SKIP LOCKED`` so that several pollers never handle one job at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import AnnotationJob, User, UserGroup
from ella_app.db.session import transaction
from ella_app.errors import EllaError
from ella_app.formats.analysis_folder import AnalysisSpec, DataEntry
from ella_app.services import filter_results
from ella_app.services.annotation_client import AnnotationClient, ServiceRejected, ServiceUnavailable
from ella_app.services.annotation_jobs_append import append_to_analysis
from ella_app.services.annotation_jobs_samples import regions_bed, run_preimport
from ella_app.services.importer import import_alleles, import_spec

log = logging.getLogger("ella.poller")

SUBMITTED, RUNNING, ANNOTATED, DONE = "SUBMITTED", "RUNNING", "ANNOTATED", "DONE"
FAILED_SUBMISSION = "FAILED (SUBMISSION)"
FAILED_ANNOTATION = "FAILED (ANNOTATION)"
FAILED_PROCESSING = "FAILED (PROCESSING)"
FAILED_DEPOSIT = "FAILED (DEPOSIT)"
CANCELLED = "CANCELLED"
ACTIVE = (SUBMITTED, RUNNING, ANNOTATED)
FAILED = (FAILED_SUBMISSION, FAILED_ANNOTATION, FAILED_PROCESSING, FAILED_DEPOSIT)
FINISHED = (DONE, CANCELLED, *FAILED)


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
    preimport_script: str | None = None  # import.preimport_script
    preimport_timeout: float = 300.0
    deposited: list[int] = field(default_factory=list)  # analyses imported or appended to, for after_import

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
            while self.deposited:  # committed: compute the filter results now, as the watcher does
                filter_results.after_import(self.db_url, self.deposited.pop(), self.app_config)
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
            try:
                job.task_id = (
                    self._submit_sample(session, job) if job.sample_id else self.client.annotate(job.data or "")
                )
            except ServiceUnavailable:
                raise
            except EllaError as exc:  # the service refused it, the preimport script failed, the panel has no regions
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
            except Exception as exc:
                savepoint.rollback()
                self.deposited.clear()
                if not isinstance(exc, EllaError):
                    log.exception("annotation job %s: the deposit failed", job.id)
                set_status(
                    job,
                    FAILED_DEPOSIT,
                    exc.message if isinstance(exc, EllaError) else f"{type(exc).__name__}: {exc}"[:500],
                )
                return
            savepoint.commit()
            set_status(job, DONE, message)

    def _submit_sample(self, session: Session, job: AnnotationJob) -> str:
        """A sample of the sample repository: regions BED of the panel + the preimport script's output."""
        bed = regions_bed(session, job.genepanel_name or "", job.genepanel_version or "")
        group = session.scalar(
            select(UserGroup.name).join(User, User.group_id == UserGroup.id).where(User.id == job.user_id)
        )
        priority = (job.properties or {}).get("priority", 1)
        extra = run_preimport(
            self.preimport_script,
            {
                "GENEPANEL_NAME": job.genepanel_name or "",
                "GENEPANEL_VERSION": job.genepanel_version or "",
                "SAMPLE_ID": job.sample_id or "",
                "USERGROUP": group or "",
                "PRIORITY": str(priority),
            },
            self.preimport_timeout,
        )
        fields = {**extra.fields, "sample_id": job.sample_id or ""}
        files = {**extra.files, "regions": ("regions.bed", bed.encode())}
        return self.client.annotate_sample(fields, files)

    def _deposit(self, session: Session, job: AnnotationJob, vcf: str) -> str:
        panel, version = job.genepanel_name or "", job.genepanel_version or ""
        options = job.properties or {}
        mode = "analysis" if job.sample_id else (job.mode or "").lower()
        technology = options.get("sample_type") or "HTS"
        with tempfile.TemporaryDirectory(prefix="ella-annojob-") as tmp:
            path = Path(tmp) / f"annotationjob-{job.id}.vcf"
            path.write_text(vcf, encoding="utf-8")
            if mode == "analysis" and options.get("create_or_append") == "Append":
                done = append_to_analysis(
                    session,
                    str(options.get("analysis_name") or ""),
                    path,
                    technology=technology,
                    app_config=self.app_config,
                )
                self.deposited.append(done["analysis_id"])
                reopened = "; its interpretation was reopened" if done["reopened"] else ""
                return f"{done['genotypes']} variant(s) appended to analysis {done['analysis']}{reopened}"
            if mode == "analysis":
                base = job.sample_id or options.get("analysis_name") or f"annotationjob-{job.id}"
                name = f"{base}.{panel}_{version}"
                spec = AnalysisSpec(
                    name,
                    panel,
                    version,
                    Path(tmp),
                    path,
                    "annotation-job",
                    priority=int(options.get("priority") or 1),
                    data=[DataEntry(path, technology=technology)],
                )
                report = import_spec(session, spec, app_config=self.app_config, properties={"annotationjob_id": job.id})
                self.deposited.append(report.extra["analysis_id"])
                return f"analysis {name} created (id {report.extra['analysis_id']})"
            if mode in ("variants", "single variant"):
                report = import_alleles(
                    session, path, genepanel_name=panel, genepanel_version=version, app_config=self.app_config
                )
                extra = report.extra
                return f"{extra['alleles_created']} new and {extra['alleles_existing']} known variant(s) deposited"
        raise EllaError(f"unknown job mode {job.mode!r}")
