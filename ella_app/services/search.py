"""Search (feature A08): variants and analyses by genomic position, HGVS name, gene, user or analysis name.

A query is ELLA's JSON object ``{"type": "alleles"|"analyses", "freetext": str, "gene": {"hgnc_id": int},
"user": {"username": str}}`` (other keys, e.g. the gene's ``symbol``, are ignored). ELLA's rules:

* Variants (``type: alleles``). The free text counts when it is longer than 2 characters and is either

  - a position: ``13:32890607``, ``chr13:32890607``, ``13:32890600-32890700`` (a range needs the chromosome
    and its end not before its start), ``32890607`` (any chromosome) or ``g.32890607``. A position finds the
    variants whose changed bases start there (1-based: ``start_position + 1``); a range the variants lying
    wholly inside it;
  - an HGVS name: with ``p.`` a protein name, else with ``c.`` a cDNA name, each optionally after a
    transcript (``NM_000059.3:c.10G>T``; the version is ignored). The name is matched as a prefix, case
    insensitively, against the transcripts of the current annotation (``transcripts.inclusion_regex`` applied).
    It needs a transcript or a gene (``gene``), which then restricts the matching transcripts to that gene.

  ``user`` finds the variants the user has a variant-workflow round on or has classified. Free text and user
  together must both hold. Anything else (e.g. an HGVS name without transcript or gene: the user may still be
  typing) finds nothing.
* Analyses (``type: analyses``): the free text, case insensitive, anywhere in the analysis name; ``user``: the
  analyses the user has an interpretation round of.

Our additions, where ELLA finds nothing or cannot:

* ``gene`` without free text finds the variants annotated with a transcript of the gene (with ``user``: both);
* a position also finds an indel by its VCF position (the padding base before the change);
* chromosomes 10 and 20-22 (ELLA's pattern only takes 1-9, 11-19);
* a protein name after its protein id (``NP_000050.2:p.Gly4Ter``) as well as after its transcript;
* annotations without an HGNC id match the gene by its symbol.

Everything is limited to what the caller may see (``services/access``): variants in an analysis on one of
their group's gene panels or with a variant-workflow round on one, analyses on those panels. Results come a
page at a time, variants ordered by chromosome and position, analyses newest first. ``limit`` (ELLA's client
asks ``limit=100``) caps the matches counted and shown: ELLA takes any that many, we take the first by id (so
that pages agree), which spares looking at every match of a broad query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    Allele,
    AlleleAssessment,
    AlleleInterpretation,
    Analysis,
    AnalysisInterpretation,
    AnnotationShadowTranscript,
    Gene,
    GenePanel,
    GenePanelTranscript,
    Transcript,
    User,
)
from ella_app.errors import InputError
from ella_app.services import access, overview
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import AlleleData, int_ids, load_alleles

MAX_TEXT = 200
MAX_POSITION = 2**31 - 1
MAX_LIMIT = 10_000
OPTIONS_LIMIT = 20
TYPES = ("alleles", "analyses")

_CHROMOSOME = r"(?P<chr>[1-9]|1[0-9]|2[0-2]|X|Y|MT)"
_POSITION_WITH_CHR = re.compile(rf"^(?:chr)?{_CHROMOSOME}:(?P<pos1>[0-9]+)(?:-(?P<pos2>[0-9]+))?$", re.IGNORECASE)
_POSITION_WITHOUT_CHR = re.compile(r"^(?P<pos1>[0-9]+)(?:-(?P<pos2>[0-9]+))?$")
_G_POSITION = re.compile(r"g\.(?P<pos1>[0-9]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: Any, key: str, *, required: bool = False) -> str | None:
    """A string of at most MAX_TEXT characters without control characters (None/"" for absent)."""
    if value is None or value == "":
        if required:
            raise InputError("is required", key=key)
        return None
    if not isinstance(value, str):
        raise InputError("must be a string", key=key)
    if len(value) > MAX_TEXT:
        raise InputError(f"must be at most {MAX_TEXT} characters", key=key)
    if _CONTROL.search(value):
        raise InputError("must not contain control characters", key=key)
    return value


def _position(digits: str | None) -> int | None:
    if digits is None:
        return None
    if len(digits) > 10 or int(digits) > MAX_POSITION:
        raise InputError(f"a position must be at most {MAX_POSITION}", key="q.freetext")
    return int(digits)


@dataclass(frozen=True)
class SearchQuery:
    type: str
    freetext: str | None = None
    username: str | None = None
    hgnc_id: int | None = None
    chromosome: str | None = None
    pos1: int | None = None
    pos2: int | None = None
    transcript: str | None = None
    hgvsc: str | None = None
    hgvsp: str | None = None

    @property
    def is_hgvs(self) -> bool:
        return bool(self.hgvsc or self.hgvsp)

    @property
    def is_position(self) -> bool:
        return self.pos1 is not None

    @property
    def gene_only(self) -> bool:
        """Our addition: a gene without free text finds the gene's variants."""
        return self.type == "alleles" and self.hgnc_id is not None and not self.freetext

    def check(self) -> bool:
        """False when the query finds nothing (ELLA: the user may not be done typing)."""
        if self.type == "analyses":
            return bool(self.freetext or self.username)
        if self.gene_only:
            return True
        if not (self.is_hgvs or self.is_position or self.username):
            return False
        if self.is_hgvs:
            return bool(self.transcript or self.hgnc_id)
        if self.pos2 is not None:
            return self.chromosome is not None and self.pos1 is not None and self.pos2 >= self.pos1
        return True

    @property
    def freetext_counts(self) -> bool:
        return self.freetext is not None and len(self.freetext) > 2


def parse_query(raw: Any) -> SearchQuery:
    """ELLA's search object (the decoded ``q``) → :class:`SearchQuery`; InputError naming the key."""
    if not isinstance(raw, dict):
        raise InputError('must be a JSON object such as {"type": "alleles", "freetext": "13:32890607"}', key="q")
    kind = raw.get("type")
    if kind not in TYPES:
        raise InputError(f"must be one of {', '.join(TYPES)}", key="q.type")
    freetext = _text(raw.get("freetext"), "q.freetext")
    if freetext is not None:
        freetext = freetext.strip() or None
    username = None
    if raw.get("user") is not None:
        user = raw["user"]
        if not isinstance(user, dict):
            raise InputError("must be an object with a username", key="q.user")
        username = _text(user.get("username"), "q.user.username", required=True)
    hgnc_id = None
    if raw.get("gene") is not None:
        gene = raw["gene"]
        value = gene.get("hgnc_id") if isinstance(gene, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or not access.valid_id(value):
            raise InputError("must be an HGNC id (a positive integer)", key="q.gene.hgnc_id")
        hgnc_id = value
    fields: dict[str, Any] = {"type": kind, "freetext": freetext, "username": username, "hgnc_id": hgnc_id}
    if freetext is not None and kind == "alleles":
        fields.update(_interpret_freetext(freetext))
    return SearchQuery(**fields)


def _interpret_freetext(freetext: str) -> dict[str, Any]:
    matches: dict[str, str | None] = {}
    for pattern in (_POSITION_WITH_CHR, _POSITION_WITHOUT_CHR, _G_POSITION):
        match = pattern.search(freetext)
        if match:
            matches.update(match.groupdict())
    if matches:
        chromosome = matches.get("chr")
        return {
            "chromosome": chromosome.upper() if chromosome else None,
            "pos1": _position(matches.get("pos1")),
            "pos2": _position(matches.get("pos2")),
        }
    transcript, hgvs = freetext.split(":", 1) if ":" in freetext else (None, freetext)
    lowered = hgvs.lower()
    if "p." in lowered:  # first: a protein name may hold a c. (``c.198A>G(p.=)``)
        return {"transcript": transcript or None, "hgvsp": hgvs.strip()}
    if "c." in lowered:
        return {"transcript": transcript or None, "hgvsc": hgvs.strip()}
    return {}


# ------------------------------------------------------------------------------------------ SQL


def escape_like(value: str) -> str:
    """``value`` with LIKE's wildcards (and its escape character, the backslash) escaped."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_prefix(value: str) -> str:
    """A LIKE pattern matching lower-cased strings that start with ``value``."""
    return escape_like(value.lower()) + "%"


def _base(name: str) -> str:
    return name.split(".", 1)[0]


def _gene_condition(hgnc_id: int) -> ColumnElement[bool]:
    """SQL condition on the shadow table: a transcript of the gene (by HGNC id, else by the gene's symbol)."""
    shadow = AnnotationShadowTranscript
    symbol = select(Gene.hgnc_symbol).where(Gene.hgnc_id == hgnc_id).scalar_subquery()
    return or_(shadow.hgnc_id == hgnc_id, and_(shadow.hgnc_id.is_(None), shadow.symbol == symbol))


def _hgvs_allele_ids(app_config: Mapping[str, Any], query: SearchQuery) -> Select[tuple[int]]:
    shadow = AnnotationShadowTranscript
    conditions: list[ColumnElement[bool]] = []
    if query.hgvsp:
        conditions.append(func.lower(shadow.hgvsp).like(like_prefix(query.hgvsp)))
    else:
        assert query.hgvsc is not None
        conditions.append(func.lower(shadow.hgvsc).like(like_prefix(query.hgvsc)))
    regex = app_config.get("transcripts", {}).get("inclusion_regex")
    if isinstance(regex, str) and regex:
        conditions.append(shadow.transcript.regexp_match(regex))
    if query.transcript:
        base = _base(query.transcript)
        conditions.append(
            or_(func.split_part(shadow.transcript, ".", 1) == base, func.split_part(shadow.protein, ".", 1) == base)
        )
    if query.hgnc_id is not None:
        conditions.append(_gene_condition(query.hgnc_id))
    return select(shadow.allele_id).where(*conditions)


def _position_condition(query: SearchQuery) -> ColumnElement[bool]:
    assert query.pos1 is not None
    conditions: list[ColumnElement[bool]] = []
    if query.chromosome is not None:
        conditions.append(Allele.chromosome == query.chromosome)
    if query.pos2 is None:
        # ELLA: the changed bases start at pos1 (0-based start pos1 - 1); ours too: an indel at its VCF position
        conditions += [
            Allele.start_position.between(query.pos1 - 1, query.pos1),
            or_(Allele.start_position == query.pos1 - 1, Allele.vcf_pos == query.pos1),
        ]
    elif query.chromosome is None:
        return false()  # a range on every chromosome: too heavy (ELLA)
    else:
        conditions += [Allele.start_position >= query.pos1 - 1, Allele.open_end_position <= query.pos2]
    return and_(*conditions)


def _user_id(username: str) -> Any:
    return select(User.id).where(User.username == username).scalar_subquery()


HGVS_IDS = 20_000  # up to this many variants with a matching name are looked up first, by the name's index


def _hgvs_matching_ids(session: Session, app_config: Mapping[str, Any], query: SearchQuery) -> list[int] | None:
    """The variants whose names match, when there are at most HGVS_IDS of them (None: more).

    Looked up first, the ids let PostgreSQL take the first matches in id order straight from the allele index;
    as a subquery it may instead walk the search table in allele order testing each name, which is slow when
    the names that match are few and lie far apart."""
    found = session.scalars(_hgvs_allele_ids(app_config, query).limit(HGVS_IDS + 1)).all()
    return sorted(set(found)) if len(found) <= HGVS_IDS else None


def _allele_conditions(
    app_config: Mapping[str, Any], query: SearchQuery, hgvs_ids: list[int] | None = None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.freetext_counts:
        if query.is_hgvs and hgvs_ids is not None:
            conditions.append(Allele.id == int_ids(hgvs_ids))
        elif query.is_hgvs:
            conditions.append(Allele.id.in_(_hgvs_allele_ids(app_config, query)))
        elif query.is_position:
            conditions.append(_position_condition(query))
    if query.gene_only:
        assert query.hgnc_id is not None
        shadow = AnnotationShadowTranscript
        conditions.append(Allele.id.in_(select(shadow.allele_id).where(_gene_condition(query.hgnc_id))))
    if query.username:
        user_id = _user_id(query.username)
        conditions.append(
            or_(
                Allele.id.in_(select(AlleleInterpretation.allele_id).where(AlleleInterpretation.user_id == user_id)),
                Allele.id.in_(select(AlleleAssessment.allele_id).where(AlleleAssessment.user_id == user_id)),
            )
        )
    return conditions


def _page(
    session: Session,
    matching: Select[Any],
    order: list[str],
    page: int,
    per_page: int,
    limit: int | None,
    limit_order: Any,
) -> tuple[list[int], int]:
    """The ids of one page and the number of matches, in one query: ``matching`` selects ``id`` and the
    ``order`` columns. With ``limit`` only that many matches are counted and shown (ELLA: any of them; here the
    first by ``limit_order``, so that pages agree), which spares looking at every match."""
    found = (matching.order_by(limit_order).limit(limit) if limit is not None else matching).subquery()
    query = (
        select(found.c.id, func.count().over())
        .order_by(*(found.c[name] for name in order))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = session.execute(query).all()
    if rows:
        return [r[0] for r in rows], int(rows[0][1])
    if page == 1:
        return [], 0
    return [], int(session.scalar(select(func.count()).select_from(found)) or 0)  # a page past the end


# ------------------------------------------------------------------------------------------ search


def search(
    session: Session,
    user: UserLike,
    app_config: Mapping[str, Any],
    query: SearchQuery,
    *,
    page: int = 1,
    per_page: int = 20,
    limit: int | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """``({"alleles": [...], "analyses": [...]}, total matches)`` for one page."""
    result: dict[str, list[dict[str, Any]]] = {"alleles": [], "analyses": []}
    if not query.check():
        return result, 0
    if query.type == "analyses":
        result["analyses"], total = _search_analyses(session, user, query, page, per_page, limit)
    else:
        result["alleles"], total = _search_alleles(session, user, app_config, query, page, per_page, limit)
    return result, total


def _search_alleles(
    session: Session,
    user: UserLike,
    app_config: Mapping[str, Any],
    query: SearchQuery,
    page: int,
    per_page: int,
    limit: int | None,
) -> tuple[list[dict[str, Any]], int]:
    hgvs_ids = _hgvs_matching_ids(session, app_config, query) if query.freetext_counts and query.is_hgvs else None
    if hgvs_ids == []:
        return [], 0
    conditions = _allele_conditions(app_config, query, hgvs_ids)
    if not conditions:
        return [], 0
    first = _first_visible(session, user, conditions, limit) if limit is not None else None
    if first is not None:
        ids, total = _page_of(session, first, page, per_page), len(first)
    else:
        matching = select(Allele.id, Allele.chromosome, Allele.start_position).where(
            *conditions, access.allele_allowed(user, Allele.id)
        )
        ids, total = _page(session, matching, ["chromosome", "start_position", "id"], page, per_page, limit, Allele.id)
    return allele_results(session, user, app_config, ids, query), total


CANDIDATES = 200  # matching variants checked for visibility at a time
ROUNDS = 4  # batches tried before the query of all matches takes over


def _first_visible(
    session: Session, user: UserLike, conditions: list[ColumnElement[bool]], limit: int
) -> list[int] | None:
    """The first ``limit`` matches by id that the user may see, looking at the matches a batch at a time; None
    when a few batches did not suffice (most matches are out of the user's reach: one query over every match
    is then cheaper).

    Why: asked for every match at once, PostgreSQL checks visibility by hashing every allele the user may see
    (hundreds of milliseconds with a million alleles) although the first hundred matches are all it needs; for
    a batch of a few hundred it checks each row through the indexes instead."""
    found: list[int] = []
    after = 0
    for _ in range(ROUNDS):
        batch = select(Allele.id).where(*conditions, Allele.id > after).order_by(Allele.id).limit(CANDIDATES).subquery()
        rows = session.execute(select(batch.c.id, access.allele_allowed(user, batch.c.id)).order_by(batch.c.id)).all()
        found += [allele_id for allele_id, visible in rows if visible]
        if len(found) >= limit or len(rows) < CANDIDATES:
            return found[:limit]
        after = rows[-1][0]
    return None


def _page_of(session: Session, allele_ids: list[int], page: int, per_page: int) -> list[int]:
    """One page of these alleles in genomic order."""
    if not allele_ids:
        return []
    query = (
        select(Allele.id)
        .where(Allele.id == int_ids(allele_ids))
        .order_by(Allele.chromosome, Allele.start_position, Allele.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(session.scalars(query))


def _search_analyses(
    session: Session, user: UserLike, query: SearchQuery, page: int, per_page: int, limit: int | None
) -> tuple[list[dict[str, Any]], int]:
    conditions: list[ColumnElement[bool]] = [access.analysis_allowed(user)]
    if query.freetext:
        conditions.append(Analysis.name.ilike("%" + escape_like(query.freetext) + "%"))
    if query.username:
        conditions.append(
            exists(
                select(AnalysisInterpretation.id).where(
                    AnalysisInterpretation.analysis_id == Analysis.id,
                    AnalysisInterpretation.user_id == _user_id(query.username),
                )
            )
        )
    matching = select(Analysis.id, (-Analysis.id).label("newest")).where(*conditions)
    ids, total = _page(session, matching, ["newest"], page, per_page, limit, Analysis.id.desc())
    if not ids:
        return [], total
    rows = list(session.execute(select(*overview.ANALYSIS_COLUMNS).where(Analysis.id == int_ids(ids))))
    rows.sort(key=lambda r: ids.index(r.id))
    return overview.analysis_summaries(session, rows), total


# ------------------------------------------------------------------------------------------ results

_TRANSCRIPT_KEYS = (
    "transcript",
    "symbol",
    "hgnc_id",
    "HGVSc",
    "HGVSc_short",
    "HGVSp",
    "protein",
    "consequences",
    "is_canonical",
    "exon",
    "intron",
)


def panel_transcripts(session: Session, user: UserLike, allele_ids: Sequence[int]) -> dict[int, set[str]]:
    """Per allele, the annotated transcripts that are in one of the group's official gene panels (ELLA's
    ``filtered_transcripts``; names compared without version)."""
    if not allele_ids:
        return {}
    shadow = AnnotationShadowTranscript
    query = (
        select(shadow.allele_id, shadow.transcript)
        .join(
            Transcript,
            func.split_part(Transcript.transcript_name, ".", 1) == func.split_part(shadow.transcript, ".", 1),
        )
        .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
        .join(
            GenePanel,
            (GenePanel.name == GenePanelTranscript.genepanel_name)
            & (GenePanel.version == GenePanelTranscript.genepanel_version),
        )
        .where(
            shadow.allele_id == int_ids(allele_ids),
            GenePanel.official.is_(True),
            access.panel_allowed(
                GenePanelTranscript.genepanel_name, GenePanelTranscript.genepanel_version, user.group_id
            ),
        )
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for allele_id, transcript in session.execute(query).tuples():
        if transcript is not None:
            found.setdefault(allele_id, set()).add(transcript)
    return found


def _hgvs_matches(transcript: dict[str, Any], query: SearchQuery) -> bool:
    def stripped(value: Any) -> str:
        return value.split(":", 1)[-1].lower() if isinstance(value, str) else ""

    if query.hgvsp:
        return stripped(transcript.get("HGVSp")).startswith(query.hgvsp.lower())
    if query.hgvsc:
        return stripped(transcript.get("HGVSc")).startswith(query.hgvsc.lower())
    return False


def allele_json(allele: AlleleData, in_panel: Iterable[str], query: SearchQuery | None = None) -> dict[str, Any]:
    """An allele as search results show it: position, annotated transcripts (``filtered_transcripts``: those
    in the group's panels, or for an HGVS search the matching ones when no panel transcript matches) and the
    current classification."""
    transcripts = [{k: t[k] for k in _TRANSCRIPT_KEYS if k in t} for t in allele.transcripts()]
    filtered = set(in_panel)
    if query is not None and query.is_hgvs:
        shown = [t for t in transcripts if t["transcript"] in filtered]
        if not any(_hgvs_matches(t, query) for t in shown):
            filtered |= {t["transcript"] for t in transcripts if _hgvs_matches(t, query)}
    assessment = allele.assessment
    return {
        "id": allele.id,
        "genome_reference": allele.genome_reference,
        "chromosome": allele.chromosome,
        "start_position": allele.start_position,
        "open_end_position": allele.open_end_position,
        "vcf_pos": allele.vcf_pos,
        "vcf_ref": allele.vcf_ref,
        "vcf_alt": allele.vcf_alt,
        "change_type": allele.change_type,
        "change_from": allele.change_from,
        "change_to": allele.change_to,
        "length": allele.length,
        "caller_type": allele.caller_type,
        "annotation": {
            "annotation_id": allele.annotation_id,
            "transcripts": transcripts,
            "filtered_transcripts": sorted(filtered),
        },
        "allele_assessment": None
        if assessment is None
        else {
            "id": assessment.id,
            "classification": assessment.classification,
            "date_created": assessment.date_created.isoformat(),
            "outdated": assessment.outdated,
        },
        "allelereport_id": allele.report_id,
    }


def allele_interpretations(session: Session, allele_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The variant-workflow rounds of each allele, oldest update first (ELLA's order)."""
    if not allele_ids:
        return {}
    rows = list(
        session.scalars(
            select(AlleleInterpretation)
            .where(AlleleInterpretation.allele_id == int_ids(allele_ids))
            .order_by(AlleleInterpretation.date_last_update, AlleleInterpretation.id)
        )
    )
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id == int_ids(user_ids)))} if user_ids else {}
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row.allele_id, []).append(overview.interpretation_json(row, users))
    return result


def allele_results(
    session: Session,
    user: UserLike,
    app_config: Mapping[str, Any],
    allele_ids: Sequence[int],
    query: SearchQuery | None,
) -> list[dict[str, Any]]:
    alleles = load_alleles(session, allele_ids, app_config)
    in_panel = panel_transcripts(session, user, allele_ids)
    rounds = allele_interpretations(session, allele_ids)
    return [
        {
            "allele": allele_json(alleles[allele_id], in_panel.get(allele_id, ()), query),
            "interpretations": rounds.get(allele_id, []),
        }
        for allele_id in allele_ids
        if allele_id in alleles
    ]


# ------------------------------------------------------------------------------------------ options


def options(session: Session, user: UserLike, raw: Any) -> dict[str, list[dict[str, Any]]]:
    """Suggestions while typing (``search/options/``): ``{"gene": "BRC"}`` → genes of the group's panels whose
    symbol starts so; ``{"user": "Ad"}`` → users of the caller's group whose first or last name starts so. Up to
    20 each; only the keys asked for are answered."""
    if not isinstance(raw, dict):
        raise InputError('must be a JSON object such as {"gene": "BRCA"}', key="q")
    result: dict[str, list[dict[str, Any]]] = {}
    gene = _text(raw.get("gene"), "q.gene")
    if gene:
        has_panel_transcript = exists(
            select(Transcript.id)
            .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
            .where(
                Transcript.gene_id == Gene.hgnc_id,
                access.panel_allowed(
                    GenePanelTranscript.genepanel_name, GenePanelTranscript.genepanel_version, user.group_id
                ),
            )
        )
        rows = session.execute(
            select(Gene.hgnc_symbol, Gene.hgnc_id)
            .where(func.lower(Gene.hgnc_symbol).like(like_prefix(gene)), has_panel_transcript)
            .order_by(Gene.hgnc_symbol, Gene.hgnc_id)
            .limit(OPTIONS_LIMIT)
        ).tuples()
        result["gene"] = [{"symbol": symbol, "hgnc_id": hgnc_id} for symbol, hgnc_id in rows]
    name = _text(raw.get("user"), "q.user")
    if name:
        pattern = like_prefix(name)
        rows2 = session.execute(
            select(User.username, User.first_name, User.last_name)
            .where(
                User.group_id == user.group_id,
                or_(func.lower(User.first_name).like(pattern), func.lower(User.last_name).like(pattern)),
            )
            .order_by(User.last_name, User.first_name, User.username)
            .limit(OPTIONS_LIMIT)
        ).tuples()
        result["user"] = [{"username": u, "first_name": f, "last_name": last} for u, f, last in rows2]
    return result
