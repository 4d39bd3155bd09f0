"""Who may see what: the one place for the gene-panel access rule (ELLA spec §2.2, §5; feature S06).

A user sees analyses, alleles (variants) and gene panels only through the gene panels of their user group
(``usergroup_genepanel``):

* an analysis when its panel is one of the group's panels;
* an allele when it is called in such an analysis, or has a variant-workflow round (allele interpretation)
  on such a panel;
* a gene panel when it is one of the group's panels.

Anything else answers :class:`NotFoundError` (404): a user of another group learns nothing, not even that
the object exists. Every lookup by id goes through here, and ids outside PostgreSQL's ``integer`` range are
simply "not found" (never a database error).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BindParameter, ColumnElement, Integer, Select, bindparam, exists, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from ella_app.db.models import (
    Allele,
    AlleleInterpretation,
    Analysis,
    AnalysisInterpretation,
    GenePanel,
    GenotypeAllele,
    Sample,
    UserGroupGenePanel,
)
from ella_app.db.prepared import Prepared
from ella_app.errors import NotFoundError
from ella_app.services.current_user import UserLike

MAX_ID = 2**31 - 1
PanelKey = tuple[str, str]
GroupId = int | BindParameter[int]


def valid_id(value: int) -> bool:
    """True for ids PostgreSQL's ``integer`` columns can hold (and that we hand out: positive)."""
    return 0 < value <= MAX_ID


def group_panels_query(group_id: GroupId) -> Select[tuple[str, str]]:
    return select(UserGroupGenePanel.genepanel_name, UserGroupGenePanel.genepanel_version).where(
        UserGroupGenePanel.usergroup_id == group_id
    )


def panel_allowed(
    name_column: InstrumentedAttribute[str], version_column: InstrumentedAttribute[str], group_id: GroupId
) -> ColumnElement[bool]:
    """SQL condition: the (name, version) in these columns is one of the group's panels."""
    return tuple_(name_column, version_column).in_(group_panels_query(group_id))


def group_panels(session: Session, group_id: int) -> set[PanelKey]:
    return {(n, v) for n, v in session.execute(group_panels_query(group_id)).tuples()}


def analysis_allowed(user: UserLike) -> ColumnElement[bool]:
    return _analysis_allowed(user.group_id)


def _analysis_allowed(group_id: GroupId) -> ColumnElement[bool]:
    return panel_allowed(Analysis.genepanel_name, Analysis.genepanel_version, group_id)


def allele_allowed(
    user: UserLike, allele_id_column: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """SQL condition: the allele in ``allele_id_column`` is visible to ``user``."""
    return _allele_allowed(user.group_id, allele_id_column)


def _allele_allowed(
    group_id: GroupId, allele_id_column: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    in_analysis = exists(
        select(GenotypeAllele.c.genotype_id)
        .join(Sample, Sample.id == GenotypeAllele.c.sample_id)
        .join(Analysis, Analysis.id == Sample.analysis_id)
        .where(GenotypeAllele.c.allele_id == allele_id_column, _analysis_allowed(group_id))
    )
    in_allele_workflow = exists(
        select(AlleleInterpretation.id).where(
            AlleleInterpretation.allele_id == allele_id_column,
            panel_allowed(AlleleInterpretation.genepanel_name, AlleleInterpretation.genepanel_version, group_id),
        )
    )
    return in_analysis | in_allele_workflow


# The checks a variant's detail makes on every request, prepared (db/prepared.py): the same conditions as above.
_GROUP: BindParameter[int] = bindparam("group_id", type_=Integer)
_ALLELE_VISIBLE = Prepared(
    "access_allele_visible",
    select(Allele.id).where(Allele.id == bindparam("allele_id", type_=Integer), _allele_allowed(_GROUP, Allele.id)),
)
_VISIBLE_ANALYSIS = Analysis.id == bindparam("analysis_id", type_=Integer), _analysis_allowed(_GROUP)
_ANALYSIS_PANEL = Prepared(
    "access_analysis_panel", select(Analysis.genepanel_name, Analysis.genepanel_version).where(*_VISIBLE_ANALYSIS)
)
# A variant looked at in an analysis (its detail): both checks in one round trip.
_ALLELE_IN_ANALYSIS = Prepared(
    "access_allele_in_analysis",
    select(
        _allele_allowed(_GROUP, bindparam("allele_id", type_=Integer)),
        select(Analysis.genepanel_name).where(*_VISIBLE_ANALYSIS).scalar_subquery(),
        select(Analysis.genepanel_version).where(*_VISIBLE_ANALYSIS).scalar_subquery(),
    ),
)


def get_analysis(session: Session, user: UserLike, analysis_id: int) -> Analysis:
    if valid_id(analysis_id):
        analysis = session.scalar(select(Analysis).where(Analysis.id == analysis_id, analysis_allowed(user)))
        if analysis is not None:
            return analysis
    raise NotFoundError(f"no analysis {analysis_id}")


def analysis_panel(session: Session, user: UserLike, analysis_id: int) -> PanelKey:
    """The gene panel of a visible analysis (one row, no ORM object: variant details ask it on every request)."""
    if valid_id(analysis_id):
        found = _ANALYSIS_PANEL.first(session, {"analysis_id": analysis_id, "group_id": user.group_id})
        if found is not None:
            return found[0], found[1]
    raise NotFoundError(f"no analysis {analysis_id}")


def allele_in_analysis(session: Session, user: UserLike, allele_id: int, analysis_id: int) -> PanelKey:
    """:func:`require_allele` and :func:`analysis_panel` in one round trip: the analysis' gene panel, when the
    allele and the analysis are both visible (the allele is checked first, as the two calls would)."""
    if not valid_id(allele_id):
        raise NotFoundError(f"no allele {allele_id}")
    if not valid_id(analysis_id):
        require_allele(session, user, allele_id)
        raise NotFoundError(f"no analysis {analysis_id}")
    found = _ALLELE_IN_ANALYSIS.first(
        session, {"allele_id": allele_id, "analysis_id": analysis_id, "group_id": user.group_id}
    )
    visible, name, version = found if found is not None else (False, None, None)
    if not visible:
        raise NotFoundError(f"no allele {allele_id}")
    if name is None or version is None:
        raise NotFoundError(f"no analysis {analysis_id}")
    return name, version


def get_analysis_interpretation(
    session: Session, user: UserLike, analysis_id: int, interpretation_id: int
) -> AnalysisInterpretation:
    analysis = get_analysis(session, user, analysis_id)
    if valid_id(interpretation_id):
        found = session.get(AnalysisInterpretation, interpretation_id)
        if found is not None and found.analysis_id == analysis.id:
            return found
    raise NotFoundError(f"no interpretation {interpretation_id} of analysis {analysis_id}")


def get_allele(session: Session, user: UserLike, allele_id: int) -> Allele:
    if valid_id(allele_id):
        allele = session.scalar(select(Allele).where(Allele.id == allele_id, allele_allowed(user, Allele.id)))
        if allele is not None:
            return allele
    raise NotFoundError(f"no allele {allele_id}")


def require_allele(session: Session, user: UserLike, allele_id: int) -> None:
    """As :func:`get_allele` for callers that need only the check (the id is read, not the allele's row)."""
    if valid_id(allele_id) and _ALLELE_VISIBLE.first(session, {"allele_id": allele_id, "group_id": user.group_id}):
        return
    raise NotFoundError(f"no allele {allele_id}")


def visible_allele_ids(session: Session, user: UserLike, allele_ids: Iterable[int]) -> set[int]:
    wanted = sorted({a for a in allele_ids if valid_id(a)})
    if not wanted:
        return set()
    query = select(Allele.id).where(Allele.id.in_(wanted), allele_allowed(user, Allele.id))
    return set(session.scalars(query))


def require_alleles(session: Session, user: UserLike, allele_ids: Iterable[int]) -> list[int]:
    """The ids, in the given order without duplicates, if all are visible; else NotFoundError naming them."""
    ordered = list(dict.fromkeys(allele_ids))
    visible = visible_allele_ids(session, user, ordered)
    missing = [a for a in ordered if a not in visible]
    if missing:
        raise NotFoundError(f"no allele(s) {', '.join(map(str, missing[:20]))}")
    return ordered


def get_allele_interpretation_allele(session: Session, user: UserLike, allele_id: int) -> Allele:
    """The allele of a variant workflow (same rule as any allele)."""
    return get_allele(session, user, allele_id)


def get_genepanel(session: Session, user: UserLike, name: str, version: str) -> GenePanel:
    if (name, version) in group_panels(session, user.group_id):
        panel = session.get(GenePanel, (name, version))
        if panel is not None:
            return panel
    raise NotFoundError(f"no gene panel {name} {version}")


def require_panel(session: Session, user: UserLike, name: str, version: str) -> None:
    get_genepanel(session, user, name, version)
