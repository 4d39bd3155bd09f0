"""The worklists (feature A03, U02): analyses and variants by where their workflow stands.

Each analysis (allele) is listed by its latest interpretation round:

=========================  ===============================================
category                   latest round
=========================  ===============================================
``not_ready``              Not started, workflow status Not ready
``not_started``            Not started, Interpretation
``marked_review``          Not started, Review
``marked_medicalreview``   Not started, Medical review
``ongoing_user``           Ongoing, owned by the caller
``ongoing_others``         Ongoing, owned by someone else
finalized (paged)          Done
=========================  ===============================================

Priority is the latest priority of the work log (``interpretationlog``), else ``properties.priority`` of the
analysis, else 1; the overview comment is the latest ``review_comment`` of the work log. Lists are sorted by
priority (highest first), then oldest request/deposit first. Everything for a page of the overview comes from
a fixed number of queries, whatever the number of analyses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, func, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleInterpretation,
    Analysis,
    AnalysisInterpretation,
    GenotypeAllele,
    InterpretationLog,
    Sample,
    User,
)
from ella_app.db.prepared import Prepared
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import (
    AlleleData,
    PanelData,
    consequence_rank,
    int_ids,
    load_alleles,
    load_panel,
    match_panel,
)
from ella_app.services.process_cache import ProcessCache, database_key

ANALYSIS_CATEGORIES = (
    "not_ready",
    "not_started",
    "marked_review",
    "marked_medicalreview",
    "ongoing_user",
    "ongoing_others",
)
ALLELE_CATEGORIES = ("not_started", "marked_review", "ongoing_user", "ongoing_others")
_NOT_STARTED = {
    "Not ready": "not_ready",
    "Interpretation": "not_started",
    "Review": "marked_review",
    "Medical review": "marked_medicalreview",
}


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def category(status: str, workflow_status: str, owner_id: int | None, user_id: int) -> str | None:
    """The worklist of a latest round (None for Done: the finalized list)."""
    if status == "Ongoing":
        return "ongoing_user" if owner_id == user_id else "ongoing_others"
    if status == "Not started":
        return _NOT_STARTED.get(workflow_status, "not_started")
    return None


# What the worklists show of an analysis (plain rows: no ORM objects to build for hundreds of analyses).
ANALYSIS_COLUMNS = (
    Analysis.id,
    Analysis.name,
    Analysis.genepanel_name,
    Analysis.genepanel_version,
    Analysis.date_requested,
    Analysis.date_deposited,
    Analysis.warnings,
    Analysis.properties,
)
_ROUND_COLUMNS = (
    AnalysisInterpretation.id,
    AnalysisInterpretation.analysis_id,
    AnalysisInterpretation.status,
    AnalysisInterpretation.workflow_status,
    AnalysisInterpretation.finalized,
    AnalysisInterpretation.genepanel_name,
    AnalysisInterpretation.genepanel_version,
    AnalysisInterpretation.user_id,
    AnalysisInterpretation.date_created,
    AnalysisInterpretation.date_last_update,
)
_SAMPLE_COLUMNS = (
    Sample.id,
    Sample.analysis_id,
    Sample.identifier,
    Sample.sample_type,
    Sample.proband,
    Sample.affected,
    Sample.sex,
    Sample.family_id,
    Sample.father_id,
    Sample.mother_id,
    Sample.sibling_id,
)


def _latest_ids(model: Any, subject: Any) -> Select[tuple[int]]:
    return select(model.id).distinct(subject).order_by(subject, model.id.desc())


def user_json(user: UserLike | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "first_name": user.first_name, "last_name": user.last_name}


def interpretation_json(interpretation: Any, users: dict[int, User]) -> dict[str, Any]:
    return {
        "id": interpretation.id,
        "status": interpretation.status,
        "workflow_status": interpretation.workflow_status,
        "finalized": interpretation.finalized,
        "genepanel": {"name": interpretation.genepanel_name, "version": interpretation.genepanel_version},
        "user": user_json(users.get(interpretation.user_id)) if interpretation.user_id else None,
        "date_created": _iso(interpretation.date_created),
        "date_last_update": _iso(interpretation.date_last_update),
    }


def _users(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    return {u.id: u for u in session.scalars(select(User).where(User.id == int_ids(wanted)))} if wanted else {}


def _log_summary(session: Session, column: Any, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Latest priority, overview comment and warning-cleared flag per analysis (or allele) id."""
    summary: dict[int, dict[str, Any]] = {}
    if not ids:
        return summary
    query = (
        select(column, InterpretationLog.priority, InterpretationLog.review_comment, InterpretationLog.warning_cleared)
        .where(
            column == int_ids(ids),
            (InterpretationLog.priority.is_not(None))
            | (InterpretationLog.review_comment.is_not(None))
            | (InterpretationLog.warning_cleared.is_not(None)),
        )
        .order_by(InterpretationLog.date_created, InterpretationLog.id)
    )
    for subject_id, priority, comment, cleared in session.execute(query).tuples():
        entry = summary.setdefault(subject_id, {})
        if priority is not None:
            entry["priority"] = priority
        if comment is not None:
            entry["review_comment"] = comment
        if cleared is not None:
            entry["warning_cleared"] = cleared
    return summary


def _priority(logged: dict[str, Any], properties: Any) -> int:
    if isinstance(logged.get("priority"), int):
        return int(logged["priority"])
    value = properties.get("priority") if isinstance(properties, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 1


def analysis_summaries(session: Session, analyses: Sequence[Any]) -> list[dict[str, Any]]:
    """Analyses (ORM objects or rows of ``ANALYSIS_COLUMNS``) as the worklists and the analysis page show
    them: samples, rounds, priority and overview comment; five queries whatever their number."""
    ids = [a.id for a in analyses]
    if not ids:
        return []
    samples: dict[int, list[dict[str, Any]]] = {}
    query = select(*_SAMPLE_COLUMNS).where(Sample.analysis_id == int_ids(ids)).order_by(Sample.id)
    for sid, aid, identifier, kind, proband, affected, sex, family, father, mother, sibling in session.execute(
        query
    ).tuples():
        samples.setdefault(aid, []).append(
            {
                "id": sid,
                "identifier": identifier,
                "sample_type": kind,
                "proband": proband,
                "affected": affected,
                "sex": sex,
                "family_id": family,
                "father_id": father,
                "mother_id": mother,
                "sibling_id": sibling,
            }
        )
    query = select(*_ROUND_COLUMNS).where(AnalysisInterpretation.analysis_id == int_ids(ids))
    round_rows = list(session.execute(query.order_by(AnalysisInterpretation.id)).tuples())
    users = {uid: user_json(u) for uid, u in _users(session, [r[7] for r in round_rows]).items()}
    rounds: dict[int, list[dict[str, Any]]] = {}
    for rid, aid, status, workflow_status, finalized, gp_name, gp_version, uid, created, updated in round_rows:
        rounds.setdefault(aid, []).append(
            {
                "id": rid,
                "status": status,
                "workflow_status": workflow_status,
                "finalized": finalized,
                "genepanel": {"name": gp_name, "version": gp_version},
                "user": users.get(uid) if uid else None,
                "date_created": _iso(created),
                "date_last_update": _iso(updated),
            }
        )
    logs = _log_summary(session, InterpretationLog.analysis_id, ids)
    result = []
    for analysis in analyses:
        logged = logs.get(analysis.id, {})
        result.append(
            {
                "id": analysis.id,
                "name": analysis.name,
                "genepanel": {"name": analysis.genepanel_name, "version": analysis.genepanel_version},
                "date_requested": _iso(analysis.date_requested),
                "date_deposited": _iso(analysis.date_deposited),
                "warnings": analysis.warnings,
                "warning_cleared": bool(logged.get("warning_cleared", False)),
                "priority": _priority(logged, analysis.properties),
                "review_comment": logged.get("review_comment"),
                "samples": samples.get(analysis.id, []),
                "interpretations": rounds.get(analysis.id, []),
            }
        )
    return result


def _sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (-item["priority"], item.get("date_requested") or "9999", item.get("date_deposited") or "", item["id"])


def _iso_sql(column: str) -> str:
    """SQL for a timestamp as Python's ``isoformat()`` writes it (microseconds only when not zero)."""
    return (
        f"(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({column}, 'US') = '000000' "
        f"THEN '' ELSE '.' || to_char({column}, 'US') END || to_char({column}, 'TZH:TZM'))"
    )


_USER_JSON = (
    "CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'username', u.username, "
    "'first_name', u.first_name, 'last_name', u.last_name) END"
)
_PRIORITY = """
    COALESCE(lg.priority,
             CASE WHEN jsonb_typeof(o.properties -> 'priority') IN ('number', 'string')
                       AND (o.properties ->> 'priority') ~ '^[0-9]{1,9}$'
                  THEN (o.properties ->> 'priority')::int END,
             1)
"""
_CATEGORY = """
    CASE WHEN o.status = 'Ongoing' THEN CASE WHEN o.owner = :user THEN 'ongoing_user' ELSE 'ongoing_others' END
         WHEN o.workflow_status = 'Not ready' THEN 'not_ready'
         WHEN o.workflow_status = 'Review' THEN 'marked_review'
         WHEN o.workflow_status = 'Medical review' THEN 'marked_medicalreview'
         ELSE 'not_started' END
"""
_ANALYSES_OVERVIEW = Prepared(
    "overview_analyses",
    text(
        f"""
    WITH visible AS (
        SELECT a.* FROM analysis a
        WHERE (a.genepanel_name, a.genepanel_version) IN
              (SELECT genepanel_name, genepanel_version FROM usergroup_genepanel WHERE usergroup_id = :group)
    ), latest AS (
        SELECT DISTINCT ON (ai.analysis_id) ai.analysis_id, ai.status, ai.workflow_status, ai.user_id
        FROM analysisinterpretation ai JOIN visible v ON v.id = ai.analysis_id
        ORDER BY ai.analysis_id, ai.id DESC
    ), open AS (
        SELECT v.*, l.status, l.workflow_status, l.user_id AS owner
        FROM visible v JOIN latest l ON l.analysis_id = v.id
        WHERE l.status IN ('Not started', 'Ongoing')
    ), logs AS (
        SELECT il.analysis_id,
               (array_agg(il.priority ORDER BY il.date_created DESC, il.id DESC)
                    FILTER (WHERE il.priority IS NOT NULL))[1] AS priority,
               (array_agg(il.review_comment ORDER BY il.date_created DESC, il.id DESC)
                    FILTER (WHERE il.review_comment IS NOT NULL))[1] AS review_comment,
               (array_agg(il.warning_cleared ORDER BY il.date_created DESC, il.id DESC)
                    FILTER (WHERE il.warning_cleared IS NOT NULL))[1] AS warning_cleared
        FROM interpretationlog il JOIN open o ON o.id = il.analysis_id
        GROUP BY il.analysis_id
    ), items AS (
        SELECT {_CATEGORY} AS category, {_PRIORITY} AS priority, o.id, o.date_requested, o.date_deposited,
          json_build_object(
            'id', o.id, 'name', o.name,
            'genepanel', json_build_object('name', o.genepanel_name, 'version', o.genepanel_version),
            'date_requested', o.date_requested, 'date_deposited', {_iso_sql("o.date_deposited")},
            'warnings', o.warnings,
            'warning_cleared', COALESCE(lg.warning_cleared, false), 'priority', {_PRIORITY},
            'review_comment', lg.review_comment,
            'samples', (SELECT COALESCE(json_agg(json_build_object(
                            'id', s.id, 'identifier', s.identifier, 'sample_type', s.sample_type,
                            'proband', s.proband, 'affected', s.affected, 'sex', s.sex, 'family_id', s.family_id,
                            'father_id', s.father_id, 'mother_id', s.mother_id, 'sibling_id', s.sibling_id)
                            ORDER BY s.id), '[]') FROM sample s WHERE s.analysis_id = o.id),
            'interpretations', (SELECT COALESCE(json_agg(json_build_object(
                            'id', ai.id, 'status', ai.status, 'workflow_status', ai.workflow_status,
                            'finalized', ai.finalized,
                            'genepanel', json_build_object('name', ai.genepanel_name, 'version', ai.genepanel_version),
                            'user', {_USER_JSON}, 'date_created', {_iso_sql("ai.date_created")},
                            'date_last_update', {_iso_sql("ai.date_last_update")}) ORDER BY ai.id), '[]')
                            FROM analysisinterpretation ai LEFT JOIN "user" u ON u.id = ai.user_id
                            WHERE ai.analysis_id = o.id)
          ) AS item
        FROM open o LEFT JOIN logs lg ON lg.analysis_id = o.id
    )
    SELECT category, json_agg(item ORDER BY priority DESC, date_requested ASC NULLS LAST,
                              date_deposited ASC NULLS FIRST, id)::text
    FROM items GROUP BY category
    """
    ),
)


def analyses_overview_json(session: Session, user: UserLike) -> bytes:
    """The analyses worklists as JSON, built by PostgreSQL in one query whatever the number of analyses:
    {category: [analysis, ...]} with samples, rounds (with their users), priority and overview comment, sorted
    by priority (highest first), then oldest request, then oldest deposit."""
    rows = _ANALYSES_OVERVIEW.rows(session, {"group": user.group_id, "user": user.id})
    found = {category: items for category, items in rows}
    parts = [f'"{name}":{found.get(name, "[]")}' for name in ANALYSIS_CATEGORIES]
    return ("{" + ",".join(parts) + "}").encode()


def analyses_overview(session: Session, user: UserLike) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = orjson.loads(analyses_overview_json(session, user))
    return result


# The worklists' state: a number a trigger raises whenever a transaction that changed a table they read commits
# (analysis, analysisinterpretation, interpretationlog, sample, user, usergroup_genepanel; migration 0008), and
# the row's transaction id (new after a dump is restored).
_VERSION = Prepared("overview_version", text("SELECT version || ':' || xmin::text FROM worklistversion WHERE id = 1"))


def analyses_version(session: Session, user: UserLike, what: str) -> str:
    """An entity tag of what the analyses worklists show ``user`` (``what``: the route and its query).

    It changes whenever a transaction that inserted, updated or deleted a row the worklists read commits
    (``worklistversion``, kept by a trigger): one primary-key lookup instead of building the lists.
    """
    found = _VERSION.first(session, {})
    version = (found[0] if found else None) or ""
    digest = hashlib.sha256(f"{user.id}|{user.group_id}|{what}|{version}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def finalized_analyses(session: Session, user: UserLike, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    """Analyses whose latest round is Done, most recently finished first."""
    latest = _latest_ids(AnalysisInterpretation, AnalysisInterpretation.analysis_id)
    where: list[ColumnElement[bool]] = [
        AnalysisInterpretation.id.in_(latest),
        AnalysisInterpretation.status == "Done",
        access.analysis_allowed(user),
    ]
    joined = select(*ANALYSIS_COLUMNS).join(AnalysisInterpretation, AnalysisInterpretation.analysis_id == Analysis.id)
    base = joined.where(*where)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = list(
        session.execute(
            base.order_by(AnalysisInterpretation.date_last_update.desc(), Analysis.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return analysis_summaries(session, rows), total


# Answers of the analyses worklists by entity tag (``analyses_version``), per worker: a tag names the caller, the
# URL and the state of every table the lists read, so an answer kept under it is exactly the answer a new query
# would build (the content is read after the tag: a change committed in between makes the kept answer newer than
# its tag, never older, and the next request has a new tag). Most requests of a lab are reads of unchanged lists;
# the first after a change builds the answer.
KEPT_ANSWER_BYTES = 32 * 1024 * 1024
_answers: ProcessCache[tuple[str, str], tuple[bytes, int]] = ProcessCache(
    KEPT_ANSWER_BYTES, weight=lambda answer: len(answer[0]) + 100
)


def analyses_overview_answer(session: Session, user: UserLike, tag: str) -> bytes:
    """:func:`analyses_overview_json`, kept under ``tag`` (from :func:`analyses_version` for this request)."""
    key = (database_key(session), tag)
    found = _answers.get(key)
    if found is None:
        found = (analyses_overview_json(session, user), 0)
        _answers.put(key, found)
    return found[0]


def finalized_analyses_answer(
    session: Session, user: UserLike, page: int, per_page: int, tag: str
) -> tuple[bytes, int]:
    """A page of :func:`finalized_analyses` as JSON and the total, kept under ``tag`` (the URL has the page)."""
    key = (database_key(session), tag)
    found = _answers.get(key)
    if found is None:
        items, total = finalized_analyses(session, user, page, per_page)
        found = (orjson.dumps(items, option=orjson.OPT_NON_STR_KEYS), total)
        _answers.put(key, found)
    return found


# ------------------------------------------------------------------------------------------ variants


def allele_summary(allele: AlleleData, panel: PanelData | None) -> dict[str, Any]:
    """An allele as lists show it: position, panel genes, HGVS on the panel transcripts, classification."""
    matches = match_panel(allele, panel) if panel is not None else []
    if matches:
        transcripts = [(t, True) for t, _ in matches]
    else:
        annotated = allele.transcripts()
        canonical = [t for t in annotated if t.get("is_canonical") is True]
        transcripts = [(t, False) for t in (canonical or annotated[:1])]
    genes = {}
    for _, tx in matches:
        genes[tx.gene_id] = {
            "hgnc_id": tx.gene_id,
            "symbol": tx.symbol,
            "inheritance": panel.inheritance_text(tx.gene_id) if panel else "",
        }
    consequences = [c for t, _ in transcripts for c in (t.get("consequences") or []) if isinstance(c, str)]
    assessment = allele.assessment
    return {
        "id": allele.id,
        "genome_reference": allele.genome_reference,
        "chromosome": allele.chromosome,
        "vcf_pos": allele.vcf_pos,
        "vcf_ref": allele.vcf_ref,
        "vcf_alt": allele.vcf_alt,
        "start_position": allele.start_position,
        "open_end_position": allele.open_end_position,
        "change_type": allele.change_type,
        "length": allele.length,
        "caller_type": allele.caller_type,
        "annotation_id": allele.annotation_id,
        "genes": list(genes.values()),
        "transcripts": [
            {
                "transcript": t.get("transcript"),
                "symbol": t.get("symbol"),
                "hgvsc": t.get("HGVSc_short") or t.get("HGVSc"),
                "hgvsp": t.get("HGVSp"),
                "consequences": t.get("consequences") if isinstance(t.get("consequences"), list) else [],
                "exon": t.get("exon"),
                "intron": t.get("intron"),
                "in_genepanel": in_panel,
            }
            for t, in_panel in transcripts
        ],
        "worst_consequence": min(consequences, key=consequence_rank) if consequences else None,
        "classification": None
        if assessment is None
        else {
            "id": assessment.id,
            "classification": assessment.classification,
            "date_created": _iso(assessment.date_created),
            "outdated": assessment.outdated,
        },
        "allelereport_id": allele.report_id,
    }


def _allele_items(
    session: Session, app_config: dict[str, Any], rows: Sequence[AlleleInterpretation]
) -> list[dict[str, Any]]:
    allele_ids = sorted({r.allele_id for r in rows})
    alleles = load_alleles(session, allele_ids, app_config)
    panels = {key: load_panel(session, *key) for key in {(r.genepanel_name, r.genepanel_version) for r in rows}}
    rounds: dict[int, list[AlleleInterpretation]] = {}
    for interpretation in session.scalars(
        select(AlleleInterpretation)
        .where(AlleleInterpretation.allele_id == int_ids(allele_ids))
        .order_by(AlleleInterpretation.id)
    ):
        rounds.setdefault(interpretation.allele_id, []).append(interpretation)
    users = _users(session, [i.user_id for r in rounds.values() for i in r])
    logs = _log_summary(session, InterpretationLog.allele_id, allele_ids)
    items = []
    for row in rows:
        logged = logs.get(row.allele_id, {})
        items.append(
            {
                "allele": allele_summary(alleles[row.allele_id], panels[(row.genepanel_name, row.genepanel_version)]),
                "genepanel": {"name": row.genepanel_name, "version": row.genepanel_version},
                "priority": _priority(logged, None),
                "review_comment": logged.get("review_comment"),
                "interpretations": [interpretation_json(i, users) for i in rounds.get(row.allele_id, [])],
            }
        )
    return items


def _latest_allele_rounds(user: UserLike) -> Select[tuple[AlleleInterpretation]]:
    latest = _latest_ids(AlleleInterpretation, AlleleInterpretation.allele_id)
    return select(AlleleInterpretation).where(
        AlleleInterpretation.id.in_(latest),
        access.panel_allowed(
            AlleleInterpretation.genepanel_name, AlleleInterpretation.genepanel_version, user.group_id
        ),
    )


def alleles_overview(session: Session, app_config: dict[str, Any], user: UserLike) -> dict[str, list[dict[str, Any]]]:
    rows = list(session.scalars(_latest_allele_rounds(user).where(AlleleInterpretation.status != "Done")))
    placed = {r.allele_id: category(r.status, r.workflow_status, r.user_id, user.id) for r in rows}
    result: dict[str, list[dict[str, Any]]] = {name: [] for name in ALLELE_CATEGORIES}
    for item in _allele_items(session, app_config, rows):
        where = placed[item["allele"]["id"]]
        if where in result:
            result[where].append(item)
    for items in result.values():
        items.sort(key=lambda i: (-i["priority"], i["interpretations"][-1]["date_created"] or "", i["allele"]["id"]))
    return result


def finalized_alleles(
    session: Session, app_config: dict[str, Any], user: UserLike, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    base = _latest_allele_rounds(user).where(AlleleInterpretation.status == "Done")
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = list(
        session.scalars(
            base.order_by(AlleleInterpretation.date_last_update.desc(), AlleleInterpretation.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return _allele_items(session, app_config, rows), total


# ------------------------------------------------------------------------------------------ analyses list


def list_analyses(
    session: Session, user: UserLike, name: str | None, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The caller's analyses, newest first, optionally those whose name contains ``name`` (any case)."""
    query = select(*ANALYSIS_COLUMNS).where(access.analysis_allowed(user))
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Analysis.name.ilike(f"%{escaped}%", escape="\\"))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(session.execute(query.order_by(Analysis.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return analysis_summaries(session, rows), total


def analysis_detail(session: Session, user: UserLike, analysis_id: int) -> dict[str, Any]:
    """One analysis with samples, rounds, priority, report and properties."""
    analysis = access.get_analysis(session, user, analysis_id)
    [summary] = analysis_summaries(session, [analysis])
    summary["report"] = analysis.report
    summary["properties"] = analysis.properties
    return summary


def analysis_stats(session: Session, user: UserLike, analysis_id: int) -> dict[str, int]:
    """ELLA's ``workflows/analyses/<id>/stats/``: the number of variants called in the analysis' samples."""
    access.get_analysis(session, user, analysis_id)
    count = session.scalar(
        select(func.count(func.distinct(GenotypeAllele.c.allele_id)))
        .select_from(GenotypeAllele)
        .join(Sample, Sample.id == GenotypeAllele.c.sample_id)
        .where(Sample.analysis_id == analysis_id)
    )
    return {"allele_count": int(count or 0)}
