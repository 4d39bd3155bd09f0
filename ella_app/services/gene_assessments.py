"""Gene assessments (ELLA's gene comments, features A12/U16): a comment on a gene, kept as a history.

As ELLA: nothing is edited in place; a new assessment supersedes the current one of the gene (its
``date_superceeded`` set, the new one's ``previous_assessment_id`` pointing back), one current assessment per
gene (a unique index). The request names the assessment the user was shown (``presented_geneassessment_id``);
when the gene's current assessment is another, the request is refused with ELLA's message, as a 409 (ELLA
answered 500), and nothing changes.

Who may see and write: a gene is the caller's when it has a transcript in one of their group's gene panels;
the panel named in a new assessment must be one of those and hold the gene, and its analysis (optional) one
the caller may see. Everything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from ella_app.db.models import GeneAssessment, GenePanelTranscript, Transcript, User
from ella_app.errors import ConflictError, InputError, NotFoundError
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids
from ella_app.services.list_filter import INT, NULLABLE, TEXT, conditions

MAX_COMMENT = 100_000
_KEYS = ("gene_id", "genepanel_name", "genepanel_version", "analysis_id", "evaluation", "presented_geneassessment_id")


@dataclass(frozen=True)
class NewGeneAssessment:
    gene_id: int
    genepanel_name: str
    genepanel_version: str
    comment: str
    analysis_id: int | None = None
    presented_geneassessment_id: int | None = None


def _id(raw: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise InputError("is required", key=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not access.valid_id(value):
        raise InputError("must be an id (a positive integer)", key=key)
    return value


def _name(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value or len(value) > 200:
        raise InputError("is required: a string of at most 200 characters", key=key)
    return value


def parse_new(raw: Any) -> NewGeneAssessment:
    """The POST body (ELLA's geneAssessmentPost schema); InputError naming the key."""
    if not isinstance(raw, dict):
        raise InputError("the request body must be a JSON object")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise InputError(f"unknown key; allowed: {', '.join(_KEYS)}", key=str(unknown[0]))
    evaluation = raw.get("evaluation")
    if not isinstance(evaluation, dict) or set(evaluation) != {"comment"}:
        raise InputError('must be an object with only a "comment"', key="evaluation")
    comment = evaluation["comment"]
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT or "\x00" in comment:
        raise InputError(f"must be a string of at most {MAX_COMMENT} characters", key="evaluation.comment")
    gene_id = _id(raw, "gene_id", required=True)
    assert gene_id is not None
    return NewGeneAssessment(
        gene_id=gene_id,
        genepanel_name=_name(raw, "genepanel_name"),
        genepanel_version=_name(raw, "genepanel_version"),
        comment=comment,
        analysis_id=_id(raw, "analysis_id"),
        presented_geneassessment_id=_id(raw, "presented_geneassessment_id"),
    )


def gene_visible(user: UserLike, gene_column: Any) -> ColumnElement[bool]:
    """SQL condition: the gene has a transcript in one of the user's group's gene panels."""
    return exists(
        select(Transcript.id)
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .where(
            Transcript.gene_id == gene_column,
            access.panel_allowed(
                GenePanelTranscript.genepanel_name, GenePanelTranscript.genepanel_version, user.group_id
            ),
        )
    )


def create(session: Session, user: UserLike, new: NewGeneAssessment) -> GeneAssessment:
    access.require_panel(session, user, new.genepanel_name, new.genepanel_version)
    in_panel = session.scalar(
        select(
            exists(
                select(Transcript.id)
                .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
                .where(
                    Transcript.gene_id == new.gene_id,
                    GenePanelTranscript.genepanel_name == new.genepanel_name,
                    GenePanelTranscript.genepanel_version == new.genepanel_version,
                )
            )
        )
    )
    if not in_panel:
        raise NotFoundError(f"no gene {new.gene_id} in gene panel {new.genepanel_name} {new.genepanel_version}")
    if new.analysis_id is not None:
        access.get_analysis(session, user, new.analysis_id)
    current = session.scalar(
        select(GeneAssessment)
        .where(GeneAssessment.gene_id == new.gene_id, GeneAssessment.date_superceeded.is_(None))
        .with_for_update()
    )
    if current is not None and new.presented_geneassessment_id != current.id:
        raise ConflictError(
            f"'presented_geneassessment_id': {new.presented_geneassessment_id} does not match latest existing "
            f"geneassessment id: {current.id}"
        )
    if current is not None:
        current.date_superceeded = dt.datetime.now(dt.UTC)
        session.flush()
    row = GeneAssessment(
        gene_id=new.gene_id,
        evaluation={"comment": new.comment},
        user_id=user.id,
        usergroup_id=user.group_id,
        analysis_id=new.analysis_id,
        genepanel_name=new.genepanel_name,
        genepanel_version=new.genepanel_version,
        previous_assessment_id=current.id if current is not None else None,
    )
    session.add(row)
    session.flush()
    return row


_FILTER = {
    "id": (GeneAssessment.id, INT),
    "gene_id": (GeneAssessment.gene_id, INT),
    "genepanel_name": (GeneAssessment.genepanel_name, TEXT),
    "genepanel_version": (GeneAssessment.genepanel_version, TEXT),
    "analysis_id": (GeneAssessment.analysis_id, INT),
    "user_id": (GeneAssessment.user_id, INT),
    "usergroup_id": (GeneAssessment.usergroup_id, INT),
    "date_superceeded": (GeneAssessment.date_superceeded, NULLABLE),
}


def list_assessments(
    session: Session, user: UserLike, q: Any, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The caller's genes' assessments matching ELLA's ``q`` filter, oldest first (a gene's history in order)."""
    query = select(GeneAssessment).where(gene_visible(user, GeneAssessment.gene_id), *conditions(q, _FILTER))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(session.scalars(query.order_by(GeneAssessment.id).offset((page - 1) * per_page).limit(per_page)))
    return as_json(session, rows), total


def current(session: Session, user: UserLike, gene_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The current assessments of these genes (of those the caller may see)."""
    if not gene_ids:
        return []
    query = select(GeneAssessment).where(
        GeneAssessment.gene_id == int_ids(gene_ids),
        GeneAssessment.date_superceeded.is_(None),
        gene_visible(user, GeneAssessment.gene_id),
    )
    return as_json(session, list(session.scalars(query.order_by(GeneAssessment.gene_id))))


def as_json(session: Session, rows: Sequence[GeneAssessment]) -> list[dict[str, Any]]:
    """ELLA's GeneAssessmentSchema."""
    user_ids = {r.user_id for r in rows}
    users = {u.id: u for u in session.scalars(select(User).where(User.id == int_ids(user_ids)))} if user_ids else {}
    now = dt.datetime.now(dt.UTC)
    result = []
    for row in rows:
        author = users.get(row.user_id)
        result.append(
            {
                "id": row.id,
                "date_created": row.date_created.isoformat(),
                "date_superceeded": row.date_superceeded.isoformat() if row.date_superceeded else None,
                "gene_id": row.gene_id,
                "genepanel_name": row.genepanel_name,
                "genepanel_version": row.genepanel_version,
                "analysis_id": row.analysis_id,
                "previous_assessment_id": row.previous_assessment_id,
                "user_id": row.user_id,
                "usergroup_id": row.usergroup_id,
                "user": None
                if author is None
                else {
                    "id": author.id,
                    "username": author.username,
                    "first_name": author.first_name,
                    "last_name": author.last_name,
                    "full_name": f"{author.first_name} {author.last_name}",
                },
                "seconds_since_update": int((now - row.date_created).total_seconds()),
                "evaluation": row.evaluation,
            }
        )
    return result
