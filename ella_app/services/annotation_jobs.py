"""Annotation jobs as users order them (the IMPORT page, ``/api/v1/import/service/*``; ELLA features I10-I12,
U15, S07): create, list, look at, retry, edit, cancel. The poller (``services/poller.py``) drives them.

Who sees and orders what follows ELLA's gene-panel rule (``services/access.py``): a job is visible to the
users whose group has its gene panel, a job can only be ordered for one of the group's panels, and Append
mode only into an analysis the user can see. Anything else is "not found" (a job of another group) or a 422
naming the field (a panel the group may not use).

A job is checked completely before it is stored: the pasted variants are parsed (``formats/pasted_variants``)
and stored in the form the annotation service reads; a problem is a 422 naming the line, and nothing is
stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis, AnnotationJob, User
from ella_app.errors import ConflictError, InputError, NotFoundError
from ella_app.formats import pasted_variants
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.poller import ACTIVE, CANCELLED, FAILED, FINISHED, SUBMITTED, set_status

MODES = ("Analysis", "Variants", "Single variant")
STATUSES = (*ACTIVE, *FINISHED)
TECHNOLOGIES = ("HTS", "Sanger")
NAME = re.compile(r"^[\w.+-]{1,100}$")
SAMPLE_ID = re.compile(r"^[\w.+:-]{1,200}$")
LIST_DATA_CHARS = 10_000  # the pasted data shown per job in lists (a single job shows all of it)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ------------------------------------------------------------------------------------------ reading


def _visible(user: UserLike) -> Any:
    return access.panel_allowed(AnnotationJob.genepanel_name, AnnotationJob.genepanel_version, user.group_id)


def parse_status_filter(raw: str | None) -> list[str] | None:
    """ELLA's ``q`` filter of the job list: ``{"status": [...]}`` (a single status is accepted too)."""
    if raw is None or raw == "" or raw == "null":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise InputError('must be JSON, e.g. {"status": ["RUNNING"]}', key="q") from None
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"status"}:
        raise InputError('only {"status": [...]} can be filtered on', key="q")
    statuses = value.get("status")
    if statuses is None:
        return None
    if isinstance(statuses, str):
        statuses = [statuses]
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise InputError("status must be a list of statuses", key="q.status")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InputError(f"unknown status {unknown[0]!r}; statuses are {', '.join(STATUSES)}", key="q.status")
    return list(statuses)


def list_jobs(
    session: Session, user: UserLike, statuses: list[str] | None, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The jobs the user may see (newest first), one page, with the total."""
    query = select(AnnotationJob).where(_visible(user))
    if statuses is not None:
        query = query.where(AnnotationJob.status.in_(statuses))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    jobs = list(
        session.scalars(
            query.order_by(AnnotationJob.date_submitted.desc(), AnnotationJob.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return serialize(session, user, jobs, full_data=False), total


def _get(session: Session, user: UserLike, job_id: int, *, lock: bool = False) -> AnnotationJob:
    if access.valid_id(job_id):
        query = select(AnnotationJob).where(AnnotationJob.id == job_id, _visible(user))
        if lock:
            query = query.with_for_update(nowait=True)
        try:
            job = session.scalars(query).first()
        except OperationalError:  # the poller holds it (submitting or depositing right now)
            session.rollback()
            raise ConflictError(
                f"annotation job {job_id} is being handled by the poller right now; try again in a moment"
            ) from None
        if job is not None:
            return job
    raise NotFoundError(f"no annotation job {job_id}")


def get_job(session: Session, user: UserLike, job_id: int) -> dict[str, Any]:
    return serialize(session, user, [_get(session, user, job_id)], full_data=True)[0]


def analysis_name_of(job: AnnotationJob) -> str | None:
    """The analysis a job creates or appends to (None for variant jobs)."""
    options = job.properties or {}
    if job.sample_id:
        return f"{job.sample_id}.{job.genepanel_name}_{job.genepanel_version}"
    if job.mode != "Analysis":
        return None
    if options.get("create_or_append") == "Append":
        return str(options.get("analysis_name") or "")
    return f"{options.get('analysis_name')}.{job.genepanel_name}_{job.genepanel_version}"


def serialize(
    session: Session, user: UserLike, jobs: Iterable[AnnotationJob], *, full_data: bool
) -> list[dict[str, Any]]:
    jobs = list(jobs)
    user_ids = {j.user_id for j in jobs if j.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    names = {j.id: analysis_name_of(j) for j in jobs if j.status == "DONE"}
    wanted = {n for n in names.values() if n}
    analyses = (
        {
            name: analysis_id
            for name, analysis_id in session.execute(
                select(Analysis.name, Analysis.id).where(Analysis.name.in_(wanted), access.analysis_allowed(user))
            )
        }
        if wanted
        else {}
    )
    out = []
    for job in jobs:
        data = job.data
        truncated = False
        if data is not None and not full_data and len(data) > LIST_DATA_CHARS:
            data, truncated = data[:LIST_DATA_CHARS], True
        owner = users.get(job.user_id) if job.user_id is not None else None
        name = names.get(job.id)
        out.append(
            {
                "id": job.id,
                "task_id": job.task_id or "",
                "status": job.status,
                "message": job.message or "",
                "status_history": job.status_history or {},
                "user_id": job.user_id,
                "user": None
                if owner is None
                else {
                    "id": owner.id,
                    "username": owner.username,
                    "first_name": owner.first_name,
                    "last_name": owner.last_name,
                    "abbrev_name": f"{owner.first_name[:1]}. {owner.last_name}".strip(". "),
                },
                "mode": job.mode,
                "data": data,
                "data_truncated": truncated,
                "sample_id": job.sample_id,
                "properties": job.properties or {},
                "genepanel_name": job.genepanel_name,
                "genepanel_version": job.genepanel_version,
                "date_submitted": job.date_submitted.isoformat() if job.date_submitted else None,
                "date_last_update": job.date_last_update.isoformat() if job.date_last_update else None,
                "attempts": job.attempts or 0,
                "analysis_id": analyses.get(name) if name else None,
            }
        )
    return out


# ------------------------------------------------------------------------------------------ ordering


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return str(value).strip()


def _checked_panel(session: Session, user: UserLike, name: str | None, version: str | None) -> tuple[str, str]:
    if not name:
        raise InputError("choose a gene panel", key="genepanel_name")
    if not version:
        raise InputError("choose the gene panel's version", key="genepanel_version")
    if (name, version) not in access.group_panels(session, user.group_id):
        raise InputError(
            f"gene panel {name} {version} is not one of your user group's panels: it cannot be imported with",
            key="genepanel_name",
        )
    return name, version


def _properties(raw: Any) -> dict[str, Any]:
    options = dict(raw or {})
    sample_type = options.get("sample_type") or "HTS"
    if sample_type not in TECHNOLOGIES:
        raise InputError(f"technology must be one of {', '.join(TECHNOLOGIES)}", key="properties.sample_type")
    options["sample_type"] = sample_type
    priority = options.get("priority", 1)
    if not isinstance(priority, int) or isinstance(priority, bool) or priority not in (1, 2, 3):
        raise InputError("priority must be 1 (normal), 2 (high) or 3 (urgent)", key="properties.priority")
    options["priority"] = priority
    return options


def _checked_variants(text: str, mode: str) -> tuple[str, str | None]:
    """(the data for the annotation service, the block's name) of one job's pasted variants."""
    block = pasted_variants.parse_one(text)
    if mode == "Analysis" and not block.has_genotypes:
        missing = next((v for v in block.variants if not v.genotype), None)
        raise InputError(
            "an analysis needs the genotype of every variant: add (het) or (hom) to the line, or give VCF "
            "lines with FORMAT/GT; variants without genotypes can be imported as Variants",
            line=missing.line if missing else block.line,
            key="data",
        )
    if mode == "Single variant" and len(block.variants) != 1:
        raise InputError(f"Single variant mode takes one variant; {len(block.variants)} were given", key="data")
    return block.anno_input(), block.name


def prepare_job(session: Session, user: UserLike, data: dict[str, Any]) -> AnnotationJob:
    """A checked, not yet stored, job from the body of ``POST import/service/jobs/``."""
    text, sample_id = data.get("data"), _text(data, "sample_id")
    if (text is None or text == "") == (sample_id is None):
        raise InputError("give either the variants (data) or a sample of the sample repository (sample_id)", key="data")
    options = _properties(data.get("properties"))
    mode = data.get("mode") or ("Analysis" if sample_id else None)
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}", key="mode")
    job = AnnotationJob(
        status=SUBMITTED,
        status_history={},
        task_id="",
        message="",
        user_id=user.id,
        mode=mode,
        properties={},
        attempts=0,
    )
    if sample_id is not None:
        if mode != "Analysis":
            raise InputError("a sample of the sample repository is imported as an analysis", key="mode")
        if not SAMPLE_ID.match(sample_id):
            raise InputError("a sample id has letters, digits and . _ + : - only", key="sample_id")
        job.sample_id = sample_id
        job.genepanel_name, job.genepanel_version = _checked_panel(
            session, user, _text(data, "genepanel_name"), _text(data, "genepanel_version")
        )
        options.pop("create_or_append", None)
        options.pop("analysis_name", None)
        _must_be_new(session, f"{sample_id}.{job.genepanel_name}_{job.genepanel_version}")
        job.properties = options
        return job
    assert isinstance(text, str)
    job.data, block_name = _checked_variants(text, mode)
    if mode != "Analysis":
        options.pop("create_or_append", None)
        options.pop("analysis_name", None)
        job.genepanel_name, job.genepanel_version = _checked_panel(
            session, user, _text(data, "genepanel_name"), _text(data, "genepanel_version")
        )
        job.properties = options
        return job
    how = options.get("create_or_append") or "Create"
    if how not in ("Create", "Append"):
        raise InputError("create_or_append must be Create or Append", key="properties.create_or_append")
    options["create_or_append"] = how
    name = _text(options, "analysis_name") or block_name
    if how == "Append":
        target = (
            session.scalar(select(Analysis).where(Analysis.name == (name or ""), access.analysis_allowed(user)))
            if name
            else None
        )
        if target is None:
            raise InputError(
                f"there is no analysis {name!r} you can see to append to"
                if name
                else "choose the analysis to append to",
                key="properties.analysis_name",
            )
        given = (_text(data, "genepanel_name"), _text(data, "genepanel_version"))
        if given[0] is not None and given != (target.genepanel_name, target.genepanel_version):
            raise InputError(
                f"analysis {target.name} is interpreted in {target.genepanel_name} {target.genepanel_version}; "
                "appended variants use the analysis' gene panel",
                key="genepanel_name",
            )
        job.genepanel_name, job.genepanel_version = target.genepanel_name, target.genepanel_version
        options["analysis_name"] = target.name
    else:
        if not name:
            raise InputError("give the new analysis a name", key="properties.analysis_name")
        if not NAME.match(name):
            raise InputError(
                "an analysis name has letters, digits and . _ + - only (at most 100)", key="properties.analysis_name"
            )
        job.genepanel_name, job.genepanel_version = _checked_panel(
            session, user, _text(data, "genepanel_name"), _text(data, "genepanel_version")
        )
        options["analysis_name"] = name
        _must_be_new(session, f"{name}.{job.genepanel_name}_{job.genepanel_version}")
    job.properties = options
    return job


def _must_be_new(session: Session, analysis_name: str) -> None:
    if session.scalar(select(Analysis.id).where(Analysis.name == analysis_name)) is not None:
        raise ConflictError(f"an analysis {analysis_name} exists already: choose another name, or append to it")


def create_job(session: Session, user: UserLike, data: dict[str, Any], *, store: bool = True) -> dict[str, Any]:
    """Check and (unless ``store`` is false: a dry run) store a job; the caller commits."""
    job = prepare_job(session, user, data)
    if not store:
        return {**serialize(session, user, [job], full_data=True)[0], "id": None}
    session.add(job)
    session.flush()
    return serialize(session, user, [job], full_data=True)[0]


def patch_job(session: Session, user: UserLike, job_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Retry (``{"status": "SUBMITTED"}``, optionally with corrected ``data``) or cancel
    (``{"status": "CANCELLED"}``) a job."""
    status = data.get("status")
    if status == CANCELLED and set(data) <= {"status", "message"}:
        return cancel_job(session, user, job_id)
    if status != SUBMITTED:
        raise InputError(
            "a job can be retried (status SUBMITTED, optionally with corrected data) or cancelled (status CANCELLED)",
            key="status",
        )
    job = _get(session, user, job_id, lock=True)
    if job.status not in (*FAILED, CANCELLED):
        raise ConflictError(f"annotation job {job_id} is {job.status}: only failed or cancelled jobs can be retried")
    if "data" in data:
        if job.sample_id:
            raise InputError("a sample job has no pasted variants to correct", key="data")
        job.data, _ = _checked_variants(str(data["data"] or ""), job.mode or "Analysis")
    if job.mode == "Analysis" and not job.sample_id and (job.properties or {}).get("create_or_append") == "Create":
        _must_be_new(session, analysis_name_of(job) or "")
    job.task_id = ""
    set_status(job, SUBMITTED, f"retried by {user.username}")
    session.flush()
    return serialize(session, user, [job], full_data=True)[0]


def cancel_job(session: Session, user: UserLike, job_id: int) -> dict[str, Any]:
    """Cancel a job that has not finished (CANCELLED: the poller leaves it alone from then on)."""
    job = _get(session, user, job_id, lock=True)
    if job.status not in ACTIVE:
        raise ConflictError(
            f"annotation job {job_id} is {job.status}: only a job that has not finished can be cancelled"
        )
    set_status(job, CANCELLED, f"cancelled by {user.username}")
    session.flush()
    return serialize(session, user, [job], full_data=True)[0]
