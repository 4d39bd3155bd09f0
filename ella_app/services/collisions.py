"""Collisions (feature A13): the same variant being worked on in another workflow, shown as a warning.

ELLA's rule (``helpers.get_workflow_allele_collisions``). A workflow (an analysis, or a variant's own workflow)
may hold uncommitted work when its latest round is Ongoing, or when it has more than one round and the
latest is not finalized (a single Not started round holds nothing yet). For the variants asked about, a
collision is such a workflow, other than the one asking:

* an analysis with the variant, unless the variant has a valid classification (current and not outdated by
  ``classification.options``: finalizing it elsewhere is then no news);
* the variant's own workflow.

Each names the type (``analysis``/``allele``), the variant, the analysis (id and name), the workflow status of
the latest round and its user (null while the round waits, e.g. for review). Only workflows the caller may see
are reported; the variants asked about must be visible too (else 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleAssessment,
    AlleleInterpretation,
    Analysis,
    AnalysisInterpretation,
    GenotypeAllele,
    Sample,
    User,
)
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids


def valid_assessment(app_config: Mapping[str, Any], now: dt.datetime | None = None) -> ColumnElement[bool]:
    """SQL condition on AlleleAssessment: current, with a class of the config, not outdated (ELLA)."""
    now = now or dt.datetime.now(dt.UTC)
    options = app_config.get("classification", {}).get("options", [])
    per_class = []
    for option in options:
        if not isinstance(option, dict) or "value" not in option:
            continue
        condition = AlleleAssessment.classification == str(option["value"])
        days = option.get("outdated_after_days")
        if isinstance(days, int):
            condition = and_(condition, AlleleAssessment.date_created > now - dt.timedelta(days=days))
        per_class.append(condition)
    return and_(AlleleAssessment.date_superceeded.is_(None), or_(*per_class) if per_class else false())


def _latest(model: Any, subject: Any) -> Any:
    """The latest round of each workflow (by creation), as a subquery."""
    return (
        select(model.id, subject.label("subject"), model.status, model.finalized, model.workflow_status, model.user_id)
        .distinct(subject)
        .order_by(subject, model.date_created.desc(), model.id.desc())
        .subquery()
    )


def uncommitted(model: Any, subject: Any) -> Select[tuple[int, int, str, int | None]]:
    """(workflow subject id, latest round id, its workflow status, its user) of the workflows that may hold
    uncommitted work (ELLA's ``_get_uncommitted_interpretation_ids``)."""
    latest = _latest(model, subject)
    rounds = select(subject.label("subject"), func.count().label("n")).group_by(subject).subquery()
    return (
        select(latest.c.subject, latest.c.id, latest.c.workflow_status, latest.c.user_id)
        .join(rounds, rounds.c.subject == latest.c.subject)
        .where(
            or_(
                latest.c.status == "Ongoing",
                and_(rounds.c.n > 1, or_(latest.c.finalized.is_(None), latest.c.finalized.is_(False))),
            )
        )
    )


def collisions(
    session: Session,
    user: UserLike,
    app_config: Mapping[str, Any],
    allele_ids: Sequence[int],
    *,
    analysis_id: int | None = None,
    allele_id: int | None = None,
) -> list[dict[str, Any]]:
    """The collisions of ``allele_ids``, excluding the asking workflow (``analysis_id`` or ``allele_id``)."""
    if not allele_ids:
        return []
    analyses = uncommitted(AnalysisInterpretation, AnalysisInterpretation.analysis_id).subquery()
    valid = select(AlleleAssessment.allele_id).where(valid_assessment(app_config))
    in_analyses = (
        select(
            literal("analysis").label("type"),
            GenotypeAllele.c.allele_id,
            Analysis.id.label("analysis_id"),
            Analysis.name.label("analysis_name"),
            analyses.c.workflow_status,
            analyses.c.user_id,
        )
        .join(Sample, Sample.id == GenotypeAllele.c.sample_id)
        .join(Analysis, Analysis.id == Sample.analysis_id)
        .join(analyses, analyses.c.subject == Analysis.id)
        .where(
            GenotypeAllele.c.allele_id == int_ids(allele_ids),
            GenotypeAllele.c.allele_id.not_in(valid),
            access.analysis_allowed(user),
            Analysis.id != (analysis_id or 0),
        )
        .distinct()
    )
    variants = uncommitted(AlleleInterpretation, AlleleInterpretation.allele_id).subquery()
    own_workflows = (
        select(
            literal("allele").label("type"),
            variants.c.subject.label("allele_id"),
            literal(None).label("analysis_id"),
            literal(None).label("analysis_name"),
            variants.c.workflow_status,
            variants.c.user_id,
        )
        .join(AlleleInterpretation, AlleleInterpretation.id == variants.c.id)
        .where(
            variants.c.subject == int_ids(allele_ids),
            variants.c.subject != (allele_id or 0),
            access.panel_allowed(
                AlleleInterpretation.genepanel_name, AlleleInterpretation.genepanel_version, user.group_id
            ),
        )
    )
    rows = list(session.execute(in_analyses.union_all(own_workflows)).mappings())
    user_ids = {r["user_id"] for r in rows if r["user_id"] is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id == int_ids(user_ids)))} if user_ids else {}
    result = []
    for row in sorted(rows, key=lambda r: (r["type"] != "analysis", r["analysis_id"] or 0, r["allele_id"])):
        owner = users.get(row["user_id"]) if row["user_id"] is not None else None
        result.append(
            {
                "type": row["type"],
                "allele_id": row["allele_id"],
                "analysis_id": row["analysis_id"],
                "analysis_name": row["analysis_name"],
                "workflow_status": row["workflow_status"],
                "user": None
                if owner is None
                else {
                    "id": owner.id,
                    "username": owner.username,
                    "first_name": owner.first_name,
                    "last_name": owner.last_name,
                    "full_name": f"{owner.first_name} {owner.last_name}",
                },
            }
        )
    return result


def analysis_collisions(
    session: Session, user: UserLike, app_config: Mapping[str, Any], analysis_id: int, allele_ids: Sequence[int]
) -> list[dict[str, Any]]:
    access.get_analysis(session, user, analysis_id)
    visible = access.require_alleles(session, user, allele_ids)
    return collisions(session, user, app_config, visible, analysis_id=analysis_id)


def allele_collisions(
    session: Session, user: UserLike, app_config: Mapping[str, Any], allele_id: int
) -> list[dict[str, Any]]:
    access.require_allele(session, user, allele_id)
    return collisions(session, user, app_config, [allele_id], allele_id=allele_id)
