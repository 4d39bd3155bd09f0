"""Removing rounds of a variant's workflow (``ella-cli delete alleleinterpretation``).

As in ELLA: the rounds of the allele created after its last finalized round are deleted (all of them with
``delete_all``), with their state history (database cascade). Allele assessments, reports, reference
assessments and the variant's work log are kept: clinical judgements are never thrown away.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, AlleleInterpretation, InterpretationLog, User
from ella_app.errors import NotFoundError
from ella_app.services.results import ChangeReport


def _rounds(session: Session, allele_id: int, delete_all: bool) -> tuple[list[AlleleInterpretation], int]:
    rounds = list(
        session.scalars(
            select(AlleleInterpretation)
            .where(AlleleInterpretation.allele_id == allele_id)
            .order_by(AlleleInterpretation.date_created, AlleleInterpretation.id)
        )
    )
    if delete_all:
        return rounds, len(rounds)
    finalized = [i for i, r in enumerate(rounds) if r.finalized]
    start = finalized[-1] + 1 if finalized else 0
    return rounds[start:], len(rounds)


def plan(session: Session, allele_id: int, delete_all: bool = False) -> dict[str, Any]:
    """The variant and the rounds a deletion would remove (shown before the confirmation)."""
    allele = session.get(Allele, allele_id)
    if allele is None:
        raise NotFoundError(f"no allele with id {allele_id}")
    doomed, total = _rounds(session, allele_id, delete_all)
    users = {u.id: u.username for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in doomed})))}
    comment = session.scalar(
        select(InterpretationLog.review_comment)
        .where(InterpretationLog.allele_id == allele_id, InterpretationLog.review_comment.is_not(None))
        .order_by(InterpretationLog.date_created.desc(), InterpretationLog.id.desc())
        .limit(1)
    )
    first_number = total - len(doomed) + 1
    variant = f"{allele.chromosome}-{allele.vcf_pos}-{allele.vcf_ref}-{allele.vcf_alt}"
    return {
        "allele_id": allele_id,
        "variant": f"{variant} ({allele.genome_reference})",
        "overview_comment": comment,
        "rounds_total": total,
        "rounds": [
            {
                "number": first_number + i,
                "id": r.id,
                "workflow_status": r.workflow_status,
                "status": r.status,
                "finalized": bool(r.finalized),
                "genepanel": f"{r.genepanel_name}_{r.genepanel_version}",
                "user": users.get(r.user_id) if r.user_id else None,
                "date_last_update": r.date_last_update.isoformat(),
            }
            for i, r in enumerate(doomed)
        ],
    }


def delete_rounds(session: Session, allele_id: int, delete_all: bool = False) -> ChangeReport:
    overview = plan(session, allele_id, delete_all)
    ids = [r["id"] for r in overview["rounds"]]
    report = ChangeReport(kind="alleleinterpretation", extra={"allele_id": allele_id, "rounds_deleted": len(ids)})
    if not ids:
        report.messages.append(
            f"nothing to delete: allele {allele_id} has no rounds"
            + ("" if delete_all else " since its last finalized one")
        )
        return report
    session.execute(delete(AlleleInterpretation).where(AlleleInterpretation.id.in_(ids)))
    session.expire_all()
    report.deleted = [str(i) for i in ids]
    return report
