"""Classifying a variant: allele assessment, allele report and reference assessments (features A06, S09).

Nothing is edited in place. A new assessment supersedes the current one (``date_superceeded`` is set, the new
row points back with ``previous_assessment_id``); the old row stays. The caller names the assessment it was
shown (``presented_alleleassessment_id``, null for none): when someone else classified the variant in the
meantime, the request is a :class:`ConflictError` (409) instead of silently overwriting their judgement.

The class must be one of ``classification.options`` of the config. ACMG criteria are codes such as ``PM2``
with an optional changed strength (``{"code": "PM1", "strength": "PS"}``, stored as ELLA's ``PSxPM1``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleAssessment,
    AlleleAssessmentReferenceAssessment,
    AlleleReport,
    Annotation,
    Reference,
    ReferenceAssessment,
    User,
)
from ella_app.errors import ConflictError, InputError, NotFoundError
from ella_app.services import access, attachments, variants
from ella_app.services.acmg import criteria as acmg_criteria
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids, is_outdated
from ella_app.services.list_filter import INT, NULLABLE, TEXT, conditions

PATHOGENIC = ("PVS", "PS", "PM", "PP")
BENIGN = ("BA", "BS", "BP")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def class_options(app_config: dict[str, Any]) -> list[str]:
    options = app_config.get("classification", {}).get("options", [])
    return [str(o["value"]) for o in options if isinstance(o, dict) and "value" in o]


def _strength_of(base: str) -> str:
    return re.sub(r"\d+$", "", base)


def normalize_criterion(item: Any, index: int) -> dict[str, Any]:
    """One ACMG criterion → ``{code, base, strength, comment}``; InputError naming the entry when invalid.

    The codes are those of ``services/acmg/criteria.py``: a criterion at its own or another strength of its side,
    marked not weighted (``PNW``/``BNW``), or ``OTHER``.
    """
    key = f"alleleassessment.evaluation.acmg.included.{index}"
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        raise InputError("each ACMG criterion needs a 'code'", key=key)
    criterion = acmg_criteria.parse_criterion(item["code"])
    if criterion is None:
        raise InputError(
            f"'{item['code'][:30]}' is not an ACMG criterion (e.g. PM2, BS1, PSxPM1, PNWxPM2, OTHER)", key=key
        )
    base = criterion.base
    strength = item.get("strength", criterion.strength)
    if not isinstance(strength, str):
        raise InputError("strength must be a string", key=key)
    if base == acmg_criteria.OTHER:
        side: tuple[str, ...] = (acmg_criteria.OTHER,)
    elif _strength_of(base) in PATHOGENIC:
        side = (*PATHOGENIC, "PNW")
    else:
        side = (*BENIGN, "BNW")
    if strength not in side:
        raise InputError(f"{base} can only take the strengths {', '.join(side)}", key=key)
    comment = item.get("comment", "")
    if not isinstance(comment, str):
        raise InputError("comment must be a string", key=key)
    code = base if strength in (_strength_of(base), acmg_criteria.OTHER) else f"{strength}x{base}"
    out = {k: v for k, v in item.items() if k not in ("code", "strength", "comment")}
    out.update({"code": code, "base": base, "strength": strength, "comment": comment})
    return out


def normalize_evaluation(evaluation: dict[str, Any]) -> dict[str, Any]:
    result = dict(evaluation)
    acmg = result.get("acmg")
    if acmg is not None:
        if not isinstance(acmg, dict):
            raise InputError("must be an object", key="alleleassessment.evaluation.acmg")
        included = acmg.get("included", [])
        if not isinstance(included, list):
            raise InputError("must be a list", key="alleleassessment.evaluation.acmg.included")
        criteria = [normalize_criterion(item, i) for i, item in enumerate(included)]
        codes = [c["base"] for c in criteria]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise InputError(f"criteria given twice: {', '.join(duplicates)}", key="alleleassessment.evaluation.acmg")
        result["acmg"] = {**acmg, "included": criteria}
    return result


# ------------------------------------------------------------------------------------------ classifying


@dataclass
class Classification:
    """What ``finalizeallele`` asks for (already schema-checked by the caller)."""

    allele_id: int
    classification: str | None
    evaluation: dict[str, Any]
    report: dict[str, Any]
    presented_assessment_id: int | None
    presented_report_id: int | None
    reuse_assessment: bool = False
    reuse_report: bool = False
    annotation_id: int | None = None  # required (checked by classify): None is refused
    references: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Context:
    """Where the classification is made: who, for which analysis and panel."""

    user: UserLike
    genepanel: tuple[str, str]
    analysis_id: int | None = None


def _current(session: Session, model: Any, *where: Any) -> Any | None:
    query = select(model).where(*where, model.date_superceeded.is_(None)).with_for_update()
    return session.scalars(query).first()


def _check_presented(current: Any, presented: int | None, what: str) -> None:
    current_id = current.id if current is not None else None
    if current_id != presented:
        shown = "none" if presented is None else str(presented)
        now = "none" if current_id is None else str(current_id)
        raise ConflictError(
            f"the {what} changed since it was shown (shown: {shown}, now: {now}); reload and review it first"
        )


def _check_annotation(session: Session, request: Classification) -> None:
    """A classification names the annotation it was made on, and that is the allele's current one (ELLA
    refuses to finalize a variant on an annotation that has been superseded since it was shown)."""
    if request.annotation_id is None:
        raise InputError("is required: the id of the annotation the classification was made on", key="annotation_id")
    row = session.execute(
        select(Annotation.allele_id, Annotation.date_superceeded).where(Annotation.id == request.annotation_id)
    ).first()
    if row is None or row.allele_id != request.allele_id:
        raise InputError("is not an annotation of this allele", key="annotation_id")
    if row.date_superceeded is not None:
        raise ConflictError(
            f"annotation {request.annotation_id} has been superseded by a newer annotation of the variant; "
            "reload and review it first"
        )


def classify(session: Session, app_config: dict[str, Any], where: Context, request: Classification) -> dict[str, Any]:
    """Create the assessment, report and reference assessments; returns their ids."""
    now = _now()
    _check_annotation(session, request)
    common = {
        "user_id": where.user.id,
        "usergroup_id": where.user.group_id,
        "analysis_id": where.analysis_id,
    }
    current = _current(session, AlleleAssessment, AlleleAssessment.allele_id == request.allele_id)
    _check_presented(current, request.presented_assessment_id, "classification")
    if request.reuse_assessment:
        if current is None:
            raise InputError("there is no classification to reuse", key="alleleassessment.reuse")
        assessment = current
    else:
        options = class_options(app_config)
        if request.classification not in options:
            raise InputError(f"must be one of {', '.join(options)}", key="alleleassessment.classification")
        if current is not None:
            current.date_superceeded = now
            session.flush()
        assessment = AlleleAssessment(
            allele_id=request.allele_id,
            classification=request.classification,
            evaluation=normalize_evaluation(request.evaluation),
            genepanel_name=where.genepanel[0],
            genepanel_version=where.genepanel[1],
            annotation_id=request.annotation_id,
            previous_assessment_id=current.id if current is not None else None,
            **common,
        )
        session.add(assessment)
        session.flush()

    current_report = _current(session, AlleleReport, AlleleReport.allele_id == request.allele_id)
    _check_presented(current_report, request.presented_report_id, "report")
    if request.reuse_report and current_report is not None:
        report = current_report
    else:
        if current_report is not None:
            current_report.date_superceeded = now
            session.flush()
        report = AlleleReport(
            allele_id=request.allele_id,
            evaluation=request.report,
            alleleassessment_id=assessment.id,
            previous_report_id=current_report.id if current_report is not None else None,
            **common,
        )
        session.add(report)
        session.flush()

    reference_ids = _assess_references(session, where, request, common, now)
    if not request.reuse_assessment:
        _link_references(session, assessment.id, reference_ids)
    return {
        "alleleassessment_id": assessment.id,
        "allelereport_id": report.id,
        "referenceassessment_ids": reference_ids,
        "reused_alleleassessment": request.reuse_assessment,
    }


def _link_references(session: Session, assessment_id: int, reference_assessment_ids: Sequence[int]) -> None:
    """ELLA's ``alleleassessmentreferenceassessment``: the reference assessments a new classification was made
    with (created or kept in the same request). A finished round shows these, and they are no longer drafts."""
    if reference_assessment_ids:
        rows = [{"alleleassessment_id": assessment_id, "referenceassessment_id": r} for r in reference_assessment_ids]
        session.execute(insert(AlleleAssessmentReferenceAssessment), rows)


def _used_by_a_classification(session: Session, reference_assessment_id: int) -> bool:
    link = AlleleAssessmentReferenceAssessment.c
    return bool(session.scalar(select(exists().where(link.referenceassessment_id == reference_assessment_id))))


def _assess_references(
    session: Session, where: Context, request: Classification, common: dict[str, Any], now: dt.datetime
) -> list[int]:
    if not request.references:
        return []
    wanted = [rid for rid, _ in request.references]
    if len(set(wanted)) != len(wanted):
        raise InputError("a reference is assessed twice", key="referenceassessments")
    known = set(session.scalars(select(Reference.id).where(Reference.id == int_ids(wanted))))
    missing = [r for r in wanted if r not in known]
    if missing:
        raise NotFoundError(f"no reference(s) {', '.join(map(str, missing))}")
    created = []
    for reference_id, evaluation in request.references:
        current = _current(
            session,
            ReferenceAssessment,
            ReferenceAssessment.allele_id == request.allele_id,
            ReferenceAssessment.reference_id == reference_id,
        )
        if current is not None:
            if current.evaluation == evaluation:
                created.append(current.id)
                continue
            current.date_superceeded = now
        row = ReferenceAssessment(
            allele_id=request.allele_id,
            reference_id=reference_id,
            evaluation=evaluation,
            genepanel_name=where.genepanel[0],
            genepanel_version=where.genepanel[1],
            previous_assessment_id=current.id if current is not None else None,
            **common,
        )
        session.add(row)
        session.flush()
        created.append(row.id)
    return created


# ------------------------------------------------------------------------------------------ reading


def _users(session: Session, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        u.id: {"id": u.id, "username": u.username, "first_name": u.first_name, "last_name": u.last_name}
        for u in session.scalars(select(User).where(User.id == int_ids(wanted)))
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def assessments(
    session: Session, app_config: dict[str, Any], allele_ids: Sequence[int], *, include_superseded: bool = False
) -> list[dict[str, Any]]:
    """Allele assessments of the alleles, newest first; current ones only unless ``include_superseded``."""
    if not allele_ids:
        return []
    query = select(AlleleAssessment).where(AlleleAssessment.allele_id == int_ids(allele_ids))
    if not include_superseded:
        query = query.where(AlleleAssessment.date_superceeded.is_(None))
    rows = list(session.scalars(query.order_by(AlleleAssessment.allele_id, AlleleAssessment.id.desc())))
    return _assessments_json(session, app_config, rows)


def _assessments_json(
    session: Session, app_config: dict[str, Any], rows: list[AlleleAssessment]
) -> list[dict[str, Any]]:
    users = _users(session, [r.user_id for r in rows])
    linked = attachments.attachment_ids(session, [r.id for r in rows])
    now = _now()
    return [
        {
            "id": r.id,
            "allele_id": r.allele_id,
            "classification": r.classification,
            "evaluation": r.evaluation,
            "user": users.get(r.user_id),
            "usergroup_id": r.usergroup_id,
            "analysis_id": r.analysis_id,
            "genepanel": {"name": r.genepanel_name, "version": r.genepanel_version},
            "annotation_id": r.annotation_id,
            "previous_assessment_id": r.previous_assessment_id,
            "date_created": _iso(r.date_created),
            "date_superceeded": _iso(r.date_superceeded),
            "outdated": r.date_superceeded is None and is_outdated(app_config, r.classification, r.date_created, now),
            "attachment_ids": linked[r.id],
        }
        for r in rows
    ]


def reports(session: Session, allele_ids: Sequence[int], *, include_superseded: bool = False) -> list[dict[str, Any]]:
    if not allele_ids:
        return []
    query = select(AlleleReport).where(AlleleReport.allele_id == int_ids(allele_ids))
    if not include_superseded:
        query = query.where(AlleleReport.date_superceeded.is_(None))
    rows = list(session.scalars(query.order_by(AlleleReport.allele_id, AlleleReport.id.desc())))
    return _reports_json(session, rows)


def _reports_json(session: Session, rows: list[AlleleReport]) -> list[dict[str, Any]]:
    users = _users(session, [r.user_id for r in rows])
    return [
        {
            "id": r.id,
            "allele_id": r.allele_id,
            "evaluation": r.evaluation,
            "user": users.get(r.user_id),
            "usergroup_id": r.usergroup_id,
            "analysis_id": r.analysis_id,
            "alleleassessment_id": r.alleleassessment_id,
            "previous_report_id": r.previous_report_id,
            "date_created": _iso(r.date_created),
            "date_superceeded": _iso(r.date_superceeded),
        }
        for r in rows
    ]


def reference_assessments(
    session: Session, allele_ids: Sequence[int], *, include_superseded: bool = False
) -> list[dict[str, Any]]:
    if not allele_ids:
        return []
    query = select(ReferenceAssessment).where(ReferenceAssessment.allele_id == int_ids(allele_ids))
    if not include_superseded:
        query = query.where(ReferenceAssessment.date_superceeded.is_(None))
    rows = list(session.scalars(query.order_by(ReferenceAssessment.allele_id, ReferenceAssessment.id.desc())))
    return _reference_assessments_json(session, rows)


def _reference_assessments_json(session: Session, rows: list[ReferenceAssessment]) -> list[dict[str, Any]]:
    users = _users(session, [r.user_id for r in rows])
    return [
        {
            "id": r.id,
            "allele_id": r.allele_id,
            "reference_id": r.reference_id,
            "evaluation": r.evaluation,
            "user": users.get(r.user_id),
            "usergroup_id": r.usergroup_id,
            "analysis_id": r.analysis_id,
            "genepanel": {"name": r.genepanel_name, "version": r.genepanel_version},
            "previous_assessment_id": r.previous_assessment_id,
            "date_created": _iso(r.date_created),
            "date_superceeded": _iso(r.date_superceeded),
        }
        for r in rows
    ]


def get_assessment(session: Session, app_config: dict[str, Any], user: UserLike, assessment_id: int) -> dict[str, Any]:
    """One allele assessment (current or superseded) of an allele the user may see."""
    row = session.get(AlleleAssessment, assessment_id) if access.valid_id(assessment_id) else None
    if row is None or not access.visible_allele_ids(session, user, [row.allele_id]):
        raise NotFoundError(f"no allele assessment {assessment_id}")
    found = assessments(session, app_config, [row.allele_id], include_superseded=True)
    return next(a for a in found if a["id"] == assessment_id)


def get_report(session: Session, user: UserLike, report_id: int) -> dict[str, Any]:
    """One allele report (current or superseded) of an allele the user may see (ELLA's ``allelereports/<id>/``)."""
    row = session.get(AlleleReport, report_id) if access.valid_id(report_id) else None
    if row is None or not access.visible_allele_ids(session, user, [row.allele_id]):
        raise NotFoundError(f"no allele report {report_id}")
    return next(r for r in reports(session, [row.allele_id], include_superseded=True) if r["id"] == report_id)


def get_reference_assessment(session: Session, user: UserLike, assessment_id: int) -> dict[str, Any]:
    """One reference assessment (current or superseded) of an allele the user may see."""
    row = session.get(ReferenceAssessment, assessment_id) if access.valid_id(assessment_id) else None
    if row is None or not access.visible_allele_ids(session, user, [row.allele_id]):
        raise NotFoundError(f"no reference assessment {assessment_id}")
    found = reference_assessments(session, [row.allele_id], include_superseded=True)
    return next(r for r in found if r["id"] == assessment_id)


def assess_reference(session: Session, user: UserLike, data: dict[str, Any]) -> dict[str, Any]:
    """ELLA's ``POST referenceassessments/``: assess one reference for a variant outside ``finalizeallele``.

    As in ELLA, a current assessment of the reference that is not yet curated (no classification was made with
    it: a draft) is updated in place, keeping its id; a curated one (made with a classification, see
    :func:`_link_references`) is superseded by a new one; an unchanged evaluation changes nothing.

    ``data`` (schema-checked): allele_id, reference_id, evaluation, genepanel_name/genepanel_version (one of the
    caller's panels) or analysis_id (an analysis of the caller's with the variant; its panel is used), user_id
    (ELLA's client sends it: must be the caller)."""
    if data.get("user_id") not in (None, user.id):
        raise InputError("must be the id of the logged-in user", key="user_id")
    allele_id = data["allele_id"]
    access.require_allele(session, user, allele_id)
    analysis_id = data.get("analysis_id")
    if analysis_id is not None:
        analysis = access.get_analysis(session, user, analysis_id)
        if variants.not_in_analysis(session, analysis.id, [allele_id]):
            raise NotFoundError(f"allele {allele_id} is not a variant of analysis {analysis.id}")
        panel = (analysis.genepanel_name, analysis.genepanel_version)
    elif data.get("genepanel_name") and data.get("genepanel_version"):
        panel = (data["genepanel_name"], data["genepanel_version"])
        access.require_panel(session, user, *panel)
    else:
        raise InputError("give genepanel_name and genepanel_version, or analysis_id", key="genepanel_name")
    where = Context(user, panel, analysis_id)
    request = Classification(
        allele_id=allele_id,
        classification=None,
        evaluation={},
        report={},
        presented_assessment_id=None,
        presented_report_id=None,
        references=[(data["reference_id"], data["evaluation"])],
    )
    common = {"user_id": user.id, "usergroup_id": user.group_id, "analysis_id": analysis_id}
    draft = _current(
        session,
        ReferenceAssessment,
        ReferenceAssessment.allele_id == allele_id,
        ReferenceAssessment.reference_id == data["reference_id"],
    )
    if (
        draft is not None
        and draft.evaluation != data["evaluation"]
        and not _used_by_a_classification(session, draft.id)
    ):
        draft.evaluation = data["evaluation"]
        draft.genepanel_name, draft.genepanel_version = panel
        for key, value in common.items():
            setattr(draft, key, value)
        session.flush()
        return get_reference_assessment(session, user, draft.id)
    [created] = _assess_references(session, where, request, common, _now())
    return get_reference_assessment(session, user, created)


# ------------------------------------------------------------------------------------------ ELLA's q= lists

_COMMON_FILTER = ("id", "allele_id", "analysis_id", "user_id", "usergroup_id")
_FILTERS: dict[str, dict[str, tuple[Any, str]]] = {
    "alleleassessments": {
        **{k: (getattr(AlleleAssessment, k), INT) for k in _COMMON_FILTER},
        "classification": (AlleleAssessment.classification, TEXT),
        "date_superceeded": (AlleleAssessment.date_superceeded, NULLABLE),
    },
    "allelereports": {
        **{k: (getattr(AlleleReport, k), INT) for k in _COMMON_FILTER},
        "alleleassessment_id": (AlleleReport.alleleassessment_id, INT),
        "date_superceeded": (AlleleReport.date_superceeded, NULLABLE),
    },
    "referenceassessments": {
        **{k: (getattr(ReferenceAssessment, k), INT) for k in _COMMON_FILTER},
        "reference_id": (ReferenceAssessment.reference_id, INT),
        "date_superceeded": (ReferenceAssessment.date_superceeded, NULLABLE),
    },
}
_MODELS: dict[str, Any] = {
    "alleleassessments": AlleleAssessment,
    "allelereports": AlleleReport,
    "referenceassessments": ReferenceAssessment,
}


def matching(
    session: Session, app_config: dict[str, Any], user: UserLike, kind: str, q: Any, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """ELLA's ``<kind>/?q={...}`` (``q={"allele_id": 5}`` from its history dialog): the rows matching, current and
    superseded (``"date_superceeded": null`` for the current ones), of variants the user may see, newest first.
    ``kind``: alleleassessments, allelereports or referenceassessments. Returns (page of rows, total)."""
    model = _MODELS[kind]
    query = select(model).where(access.allele_allowed(user, model.allele_id), *conditions(q, _FILTERS[kind]))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(session.scalars(query.order_by(model.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    if kind == "alleleassessments":
        return _assessments_json(session, app_config, rows), total
    if kind == "allelereports":
        return _reports_json(session, rows), total
    return _reference_assessments_json(session, rows), total
