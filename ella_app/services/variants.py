"""The variant read model: what the variant screens show, one set-based query per screen (issue 11).

* :func:`filter_view` — which variants of an analysis' round are shown and which each filter removed (ids
  only, in genomic order): the stored filter result of the chosen config (``services/filter_results.py``)
  plus the variants the user re-included; a finished round shows what its snapshot recorded.
* :func:`list_rows` — a page of the side list: position, panel genes and HGVS, worst consequence, current
  (or recorded) classification, the proband's call; for the ids asked only.
* :func:`details` — one variant (or a few): annotation, genotypes per sample, classification history,
  reports, reference assessments and references.
* :func:`classifications` — the current classification of many variants (the side list's sections).

Rows are read as plain tuples (no ORM objects), the JSON of annotations as text parsed with orjson.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from ella_app.db.models import FilterConfig
from ella_app.db.prepared import Prepared
from ella_app.errors import NotFoundError
from ella_app.services import filter_results, filtering
from ella_app.services.filters import external as external_filter
from ella_app.services.filters.context import (
    PanelData,
    SampleData,
    base_name,
    consequence_rank,
    is_outdated,
    load_panel,
)
from ella_app.services.process_cache import ProcessCache, database_key

# Genomic order in SQL, the same as filter_results' (1-22, X, Y, MT, then others by name).
GENOMIC_ORDER = """
    CASE WHEN {a}.chromosome ~ '^(chr)?[0-9]+$' AND length({a}.chromosome) < 6
              THEN regexp_replace({a}.chromosome, '^chr', '')::int
         WHEN regexp_replace({a}.chromosome, '^chr', '') = 'X' THEN 23
         WHEN regexp_replace({a}.chromosome, '^chr', '') = 'Y' THEN 24
         WHEN regexp_replace({a}.chromosome, '^chr', '') IN ('MT', 'M') THEN 25
         ELSE 99 END,
    regexp_replace({a}.chromosome, '^chr', ''), {a}.vcf_pos, {a}.id
"""


# the sample table's columns SampleData holds, in its fields' order (the names are the same)
_SAMPLE_COLUMNS = tuple(f.name for f in fields(SampleData))
_SAMPLES = Prepared(
    "variants_samples",
    text(f"SELECT {', '.join(_SAMPLE_COLUMNS)} FROM sample WHERE analysis_id = :analysis ORDER BY id"),
)


def load_samples(session: Session, analysis_id: int) -> list[SampleData]:
    """The analysis' samples (plain rows; the same as ``filters.context.load_samples``)."""
    return [SampleData(*row) for row in _SAMPLES.rows(session, {"analysis": analysis_id})]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(value: str | None) -> Any:
    return orjson.loads(value) if value is not None else None


# ------------------------------------------------------------------------------------------ ids per filter


@dataclass
class FilterView:
    """The variants of a round with a filter config applied, as ids in genomic order."""

    filterconfig: FilterConfig | ConfigRow | None
    passed: list[int]
    excluded: list[tuple[str, list[int]]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    manually_added: list[int] = field(default_factory=list)
    cnv: set[int] = field(default_factory=set)
    snapshot: bool = False
    shown: list[int] = field(default_factory=list)
    stored: filter_results.StoredResult | None = None

    def reasons(self) -> dict[int, str]:
        """The filter that removed each filtered-out variant (re-included ones too)."""
        if self.stored is not None:
            return self.stored.reasons()
        found = self.__dict__.get("_reasons")
        if found is None:
            found = filtering.removed_by(self.excluded)
            self.__dict__["_reasons"] = found
        return found

    def is_shown(self, allele_id: int) -> bool:
        if self.stored is not None:
            return allele_id in self.stored.passed_set() or allele_id in self.manually_added
        found = self.__dict__.get("_shown")
        if found is None:
            found = set(self.shown)
            self.__dict__["_shown"] = found
        return allele_id in found

    def recorded_reasons(self) -> dict[int, str]:
        """As recorded in a snapshot: re-included variants count as shown."""
        added = set(self.manually_added)
        return {a: name for a, name in self.reasons().items() if a not in added}

    def by_caller_type(self) -> dict[str, dict[str, list[int]]]:
        """ELLA's ``excluded_alleles_by_caller_type``: {snv|cnv: {filter: ids}}."""
        if not self.cnv:  # the usual case: no CNV calls, the lists as they are
            return {"snv": dict(self.excluded), "cnv": {name: [] for name, _ in self.excluded}}
        return {
            kind: {name: [a for a in ids if (a in self.cnv) == (kind == "cnv")] for name, ids in self.excluded}
            for kind in ("snv", "cnv")
        }

    def as_dict(self) -> dict[str, Any]:
        fc = self.filterconfig
        return {
            "filterconfig": None if fc is None else {"id": fc.id, "name": fc.name},
            "allele_ids": self.shown,
            "excluded_allele_ids": dict(self.excluded),
            "excluded_filters": [name for name, _ in self.excluded],
            "excluded_alleles_by_caller_type": self.by_caller_type(),
            "manually_added_allele_ids": self.manually_added,
            "unsupported_filters": self.unsupported,
            "snapshot": self.snapshot,
        }


def _genomic_sort(session: Session, allele_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(allele_ids))
    if len(ids) < 2:
        return ids
    query = text(f"SELECT a.id FROM allele a WHERE a.id = ANY(:ids) ORDER BY {GENOMIC_ORDER.format(a='a')}")
    return list(session.scalars(query, {"ids": ids}))


def _manually_added(state: Any, excluded: Mapping[int, str]) -> list[int]:
    value = state.get(filtering.MANUALLY_ADDED) if isinstance(state, dict) else None
    if not isinstance(value, list):
        return []
    return sorted({a for a in value if isinstance(a, int) and not isinstance(a, bool) and a in excluded})


def _with_shown(session: Session, view: FilterView) -> FilterView:
    if view.manually_added:
        view.shown = _genomic_sort(session, [*view.passed, *view.manually_added])
        added = set(view.manually_added)
        view.manually_added = [a for a in view.shown if a in added]
    else:
        view.shown = view.passed
    return view


_SNAPSHOT = text(
    f"""
    SELECT s.filtered, array_agg(s.allele_id ORDER BY {GENOMIC_ORDER.format(a="a")})
    FROM analysisinterpretationsnapshot s JOIN allele a ON a.id = s.allele_id
    WHERE s.analysisinterpretation_id = :interpretation
    GROUP BY s.filtered
    """
)


def _snapshot_view(session: Session, interpretation: Any) -> FilterView | None:
    groups = {
        filtered: list(ids) for filtered, ids in session.execute(_SNAPSHOT, {"interpretation": interpretation.id})
    }
    if not groups:
        return None
    saved = interpretation.state.get("filterconfig_id") if isinstance(interpretation.state, dict) else None
    fc = session.get(FilterConfig, saved) if isinstance(saved, int) and 0 < saved < 2**31 else None
    order = filtering.filter_names(fc.filterconfig) if fc is not None else []
    names = sorted((n for n in groups if n is not None), key=lambda n: (order.index(n) if n in order else 99, n))
    passed = groups.get(None, [])
    cnv = set(
        session.scalars(
            text("SELECT a.id FROM allele a WHERE a.id = ANY(:ids) AND a.caller_type = 'cnv'"),
            {"ids": [a for ids in groups.values() for a in ids]},
        )
    )
    view = FilterView(
        fc,
        passed,
        [(n, groups[n]) for n in names],
        filtering.unsupported_filters(fc.filterconfig) if fc is not None else [],
        cnv=cnv,
        snapshot=True,
    )
    view.shown = passed
    return view


@dataclass(frozen=True)
class AnalysisRow:
    id: int
    name: str
    genepanel_name: str
    genepanel_version: str


@dataclass(frozen=True)
class RoundRow:
    id: int
    analysis_id: int
    status: str
    genepanel_name: str
    genepanel_version: str
    state: dict[str, Any]


@dataclass(frozen=True)
class ConfigRow:
    id: int
    name: str
    filterconfig: dict[str, Any]
    requirements: Any


@dataclass(frozen=True)
class RoundContext:
    """What the variant lists of one round need, read in one query: the analysis (access checked), the round,
    the samples and the active filter configs of the caller's group (in the group's order)."""

    analysis: AnalysisRow
    interpretation: RoundRow
    samples: list[SampleData]
    configs: list[ConfigRow]
    counts: filter_results.InputCounts
    stored: dict[int, filter_results.ResultMeta]  # by filter config id, for the round's gene panel

    def eligible(self) -> list[ConfigRow]:
        return [fc for fc in self.configs if filtering.requirements_met(fc.requirements, self.analysis, self.samples)]  # type: ignore[arg-type]


_ROUND_CONTEXT = Prepared(
    "variants_round_context",
    text(
        f"""
    SELECT a.id, a.name, a.genepanel_name, a.genepanel_version,
           ai.id, ai.status, ai.genepanel_name, ai.genepanel_version, ai.state::text,
           (SELECT json_agg(json_build_array(s.id, s.identifier, s.proband, s.affected, s.sex, s.family_id,
                                             s.father_id, s.mother_id, s.sibling_id, s.sample_type) ORDER BY s.id)
            FROM sample s WHERE s.analysis_id = a.id)::text,
           (SELECT json_agg(json_build_array(f.id, f.name, f.filterconfig, f.requirements)
                            ORDER BY l."order", f.id)
            FROM filterconfig f JOIN usergroupfilterconfig l ON l.filterconfig_id = f.id
            WHERE l.usergroup_id = :group AND f.active)::text,
           (SELECT json_agg({filter_results.META_JSON}) FROM filterresult r
            WHERE r.analysis_id = a.id AND r.genepanel_name = ai.genepanel_name
              AND r.genepanel_version = ai.genepanel_version)::text,
           {
            filter_results.INPUT_COUNTS_SQL.format(
                analysis="a.id", gp_name="ai.genepanel_name", gp_version="ai.genepanel_version"
            )
        }
    FROM analysis a
    LEFT JOIN analysisinterpretation ai ON ai.id = :interpretation AND ai.analysis_id = a.id
    WHERE a.id = :analysis
      AND (a.genepanel_name, a.genepanel_version) IN
          (SELECT genepanel_name, genepanel_version FROM usergroup_genepanel WHERE usergroup_id = :group)
    """
    ),
)


def round_context(session: Session, group_id: int, analysis_id: int, interpretation_id: int) -> RoundContext:
    """The analysis (404 unless the group has its panel), the round (404 unless of this analysis), samples and
    the group's filter configs: one query."""
    row = None
    if 0 < analysis_id < 2**31:
        params = {
            "group": group_id,
            "analysis": analysis_id,
            "interpretation": interpretation_id if 0 < interpretation_id < 2**31 else None,
        }
        row = _ROUND_CONTEXT.first(session, params)
    if row is None:
        raise NotFoundError(f"no analysis {analysis_id}")
    aid, name, gp_name, gp_version, iid, status, igp_name, igp_version, state, samples, configs, results = row[:12]
    if iid is None:
        raise NotFoundError(f"no interpretation {interpretation_id} of this analysis")
    metas = [filter_results.ResultMeta(*r) for r in _json(results) or []]
    return RoundContext(
        AnalysisRow(aid, name, gp_name, gp_version),
        RoundRow(iid, aid, status, igp_name, igp_version, _json(state) or {}),
        [SampleData(*s) for s in _json(samples) or []],
        [ConfigRow(*c) for c in _json(configs) or []],
        filter_results.InputCounts(*row[12:15]),
        {m.filterconfig_id: m for m in metas},
    )


def filter_view(
    session: Session, app_config: dict[str, Any], ctx: RoundContext, filterconfig_id: int | None = None
) -> FilterView:
    """The variants of a round with a filter config applied (ids only).

    A finished round shows what its snapshot recorded unless another filter config is asked for. Otherwise
    the config is the one asked for (it must be available to the caller's group for this analysis), else the
    one saved in the round's state if still available, else the group's first; its stored result is read (or
    computed once). Variants the user re-included (``state.manuallyAddedAlleles``) are shown again.
    """
    interpretation = ctx.interpretation
    if interpretation.status == "Done" and filterconfig_id is None:
        recorded = _snapshot_view(session, interpretation)
        if recorded is not None:
            return recorded
    fc = filtering.choose_filterconfig(ctx.eligible(), filterconfig_id, interpretation.state)  # type: ignore[arg-type]
    panel = (interpretation.genepanel_name, interpretation.genepanel_version)
    if fc is None:
        ids = analysis_allele_ids(session, ctx.analysis.id)
        cnv = set(
            session.scalars(
                text("SELECT a.id FROM allele a WHERE a.id = ANY(:ids) AND a.caller_type = 'cnv'"), {"ids": ids}
            )
        )
        view = FilterView(None, ids, cnv=cnv)
        view.shown = ids
        return view
    known = (ctx.stored.get(fc.id), ctx.counts)
    result = filter_results.result_for(session, app_config, ctx.analysis.id, fc, panel, known)
    kept = _classified_in_round(session, ctx, result.reasons()) if interpretation.status != "Done" else set()
    if kept:  # rare: the round's own classifications moved variants out of the engine's list; shown as passed
        passed = _genomic_sort(session, [*result.passed, *kept])
        excluded = [(name, [a for a in ids if a not in kept]) for name, ids in result.excluded]
        view = FilterView(fc, passed, excluded, result.unsupported, cnv=result.cnv)  # type: ignore[arg-type]
        view.manually_added = _manually_added(interpretation.state, view.reasons())
        return _with_shown(session, view)
    view = FilterView(
        fc,  # type: ignore[arg-type]
        result.passed,
        result.excluded,
        result.unsupported,
        _manually_added(interpretation.state, result.reasons()),
        result.cnv,
        stored=result,
    )
    return _with_shown(session, view)


_CLASSIFIED_IN_ROUND = text(
    """
    SELECT aa.allele_id FROM alleleassessment aa
    WHERE aa.analysis_id = :analysis AND aa.date_superceeded IS NULL
      AND aa.date_created >= (SELECT ai.date_created FROM analysisinterpretation ai WHERE ai.id = :interpretation)
    """
)


def _classified_in_round(session: Session, ctx: RoundContext, reasons: Mapping[int, str]) -> set[int]:
    """Variants the filters removed whose current classification was saved in this round (in this analysis,
    after the round was created): they stay in the list, with their new class, until the round ends.

    ELLA's client keeps the list it loaded when the round opened and only reloads the rows after a variant is
    classified (``finalizeAlleleClicked`` -> ``loadAlleles`` with the same ids), so a variant classified class 1
    stays in view; the next round filters it afresh. Doing it here keeps the rule over page reloads and makes the
    finish check and the snapshot agree with what the user saw. The stored filter result stays the engine's
    (its classification input invalidates it as before); this is laid over it per round."""
    if not reasons or not ctx.counts.classification:  # no classification change was ever logged for the analysis
        return set()
    params = {"analysis": ctx.analysis.id, "interpretation": ctx.interpretation.id}
    return {a for a in session.scalars(_CLASSIFIED_IN_ROUND, params) if a in reasons}


_ANALYSIS_ALLELES = text(
    f"""
    SELECT a.id FROM allele a
    WHERE a.id IN (SELECT g.allele_id FROM genotypeallele g JOIN sample s ON s.id = g.sample_id
                   WHERE s.analysis_id = :analysis)
    ORDER BY {GENOMIC_ORDER.format(a="a")}
    """
)


def analysis_allele_ids(session: Session, analysis_id: int) -> list[int]:
    """The analysis' variants in genomic order."""
    return list(session.scalars(_ANALYSIS_ALLELES, {"analysis": analysis_id}))


def not_in_analysis(session: Session, analysis_id: int, allele_ids: Iterable[int]) -> list[int]:
    """Those of ``allele_ids`` that are not variants of the analysis, sorted."""
    wanted = sorted(set(allele_ids))
    if not wanted:
        return []
    found = set(
        session.scalars(
            text(
                "SELECT DISTINCT g.allele_id FROM genotypeallele g JOIN sample s ON s.id = g.sample_id "
                "WHERE s.analysis_id = :analysis AND g.allele_id = ANY(:ids)"
            ),
            {"analysis": analysis_id, "ids": wanted},
        )
    )
    return [a for a in wanted if a not in found]


# ------------------------------------------------------------------------------------------ classifications


@dataclass(frozen=True)
class Current:
    """A variant's classification as the lists show it."""

    id: int
    classification: str
    date_created: dt.datetime
    outdated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "classification": self.classification,
            "date_created": _iso(self.date_created),
            "outdated": self.outdated,
        }


_ANALYSIS_CLASSIFICATIONS = text(
    """
    SELECT aa.id, aa.allele_id, aa.classification, aa.date_created FROM alleleassessment aa
    WHERE aa.date_superceeded IS NULL
      AND aa.allele_id IN (SELECT g.allele_id FROM genotypeallele g JOIN sample s ON s.id = g.sample_id
                           WHERE s.analysis_id = :analysis)
    """
)


_CLASSIFICATION_CHANGES = text(
    "SELECT count(*) FROM filterinvalidation WHERE analysis_id = :analysis AND kind = 'classification'"
)
# The current classifications of an analysis' variants, per process, by the number of classification changes the
# triggers logged for the analysis (read before the classifications: a change committed in between is seen next
# time). Joining an exome's 50,000 variants with the assessments on every list request costs more than the rest.
KEPT_ANALYSES = 64
_classified: ProcessCache[tuple[str, int], tuple[int, dict[int, tuple[int, str, dt.datetime]]]] = ProcessCache(
    KEPT_ANALYSES
)


def _analysis_classifications(
    session: Session, analysis_id: int, changes: int | None = None
) -> dict[int, tuple[int, str, dt.datetime]]:
    key = (database_key(session), analysis_id)
    if changes is None:
        changes = int(session.scalar(_CLASSIFICATION_CHANGES, {"analysis": analysis_id}) or 0)
    found = _classified.get(key)
    if found is not None and found[0] == changes:
        return found[1]
    rows = session.execute(_ANALYSIS_CLASSIFICATIONS, {"analysis": analysis_id}).tuples()
    current = {allele_id: (row_id, cls, created) for row_id, allele_id, cls, created in rows}
    _classified.put(key, (changes, current))
    return current


def classifications(
    session: Session,
    app_config: Mapping[str, Any],
    allele_ids: Sequence[int],
    *,
    interpretation_id: int | None = None,
    analysis_id: int | None = None,
    changes: int | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Current]:
    """Current classifications of the alleles (with ``interpretation_id``: those its snapshot recorded). With
    ``analysis_id`` the alleles are (a part of) the analysis' variants: one join instead of a list of ids, kept per
    process until the ``changes`` count of the analysis' classifications (read when not given) moves."""
    if not allele_ids:
        return {}
    now = now or dt.datetime.now(dt.UTC)
    if analysis_id is not None and interpretation_id is None:
        wanted = allele_ids if isinstance(allele_ids, set | frozenset | dict) else set(allele_ids)
        return {
            allele_id: Current(row_id, cls, created, is_outdated(app_config, cls, created, now))
            for allele_id, (row_id, cls, created) in _analysis_classifications(session, analysis_id, changes).items()
            if allele_id in wanted
        }
    if interpretation_id is not None:
        query = text(
            "SELECT aa.id, aa.allele_id, aa.classification, aa.date_created FROM analysisinterpretationsnapshot s "
            "JOIN alleleassessment aa ON aa.id = s.alleleassessment_id "
            "WHERE s.analysisinterpretation_id = :interpretation AND s.allele_id = ANY(:ids)"
        )
    else:
        query = text(
            "SELECT aa.id, aa.allele_id, aa.classification, aa.date_created FROM alleleassessment aa "
            "WHERE aa.date_superceeded IS NULL AND aa.allele_id = ANY(:ids)"
        )
    rows = session.execute(query, {"ids": list(allele_ids), "interpretation": interpretation_id})
    return {
        allele_id: Current(row_id, cls, created, is_outdated(app_config, cls, created, now))
        for row_id, allele_id, cls, created in rows.tuples()
    }


# ------------------------------------------------------------------------------------------ list rows


def _transcripts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [t for t in value if isinstance(t, dict) and isinstance(t.get("transcript"), str)]


def summary(
    allele: Mapping[str, Any],
    transcripts: list[dict[str, Any]],
    panel: PanelData | None,
    current: Current | None,
    report_id: int | None,
    annotation_id: int | None,
) -> dict[str, Any]:
    """A variant as lists show it: position, panel genes, HGVS on the panel transcripts, classification."""
    matches = (
        [(t, tx) for t in transcripts for tx in panel.by_base.get(base_name(t["transcript"]), ())]
        if panel is not None
        else []
    )
    if matches:
        shown = [(t, True) for t, _ in matches]
    else:
        canonical = [t for t in transcripts if t.get("is_canonical") is True]
        shown = [(t, False) for t in (canonical or transcripts[:1])]
    genes: dict[int, dict[str, Any]] = {}
    for _, tx in matches:
        genes[tx.gene_id] = {
            "hgnc_id": tx.gene_id,
            "symbol": tx.symbol,
            "inheritance": panel.inheritance_text(tx.gene_id) if panel else "",
        }
    consequences = [c for t, _ in shown for c in (t.get("consequences") or []) if isinstance(c, str)]
    return {
        **allele,
        "annotation_id": annotation_id,
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
            for t, in_panel in shown
        ],
        "worst_consequence": min(consequences, key=consequence_rank) if consequences else None,
        "classification": current.as_dict() if current is not None else None,
        "allelereport_id": report_id,
    }


_ALLELE_COLUMNS = (
    "id",
    "genome_reference",
    "chromosome",
    "vcf_pos",
    "vcf_ref",
    "vcf_alt",
    "start_position",
    "open_end_position",
    "change_type",
    "length",
    "caller_type",
)
_GENOTYPE_COLUMNS = (
    "type",
    "genotype_quality",
    "sequencing_depth",
    "allele_depth",
    "allele_ratio",
    "genotype_likelihood",
    "copy_number",
    "multiallelic",
)


def _rows_sql(pinned: bool) -> Any:
    if pinned:
        annotation = (
            "(sn.annotation_id IS NOT NULL AND an.id = sn.annotation_id) OR "
            "(sn.annotation_id IS NULL AND an.allele_id = a.id AND an.date_superceeded IS NULL)"
        )
        assessment = "aa.id = sn.alleleassessment_id"
        snapshot = (
            "LEFT JOIN analysisinterpretationsnapshot sn "
            "ON sn.analysisinterpretation_id = :interpretation AND sn.allele_id = a.id"
        )
    else:
        annotation = "an.allele_id = a.id AND an.date_superceeded IS NULL"
        assessment = "aa.allele_id = a.id AND aa.date_superceeded IS NULL"
        snapshot = ""
    allele = ", ".join(f"a.{c}" for c in _ALLELE_COLUMNS)
    genotype = ", ".join(f"gd.{c}" for c in _GENOTYPE_COLUMNS)
    return text(
        f"""
        SELECT {allele}, an.id, (an.annotation -> 'transcripts')::text,
               aa.id, aa.classification, aa.date_created, ar.id,
               gt.filter_status, gt.variant_quality, gd.id, {genotype}
        FROM unnest(CAST(:ids AS int[])) WITH ORDINALITY AS x(id, n)
        JOIN allele a ON a.id = x.id
        {snapshot}
        LEFT JOIN annotation an ON {annotation}
        LEFT JOIN alleleassessment aa ON {assessment}
        LEFT JOIN allelereport ar ON ar.allele_id = a.id AND ar.date_superceeded IS NULL
        LEFT JOIN LATERAL (
            SELECT g.genotype_id AS id, g.filter_status, g.variant_quality FROM genotypeallele g
            WHERE g.allele_id = a.id AND g.sample_id = ANY(CAST(:samples AS int[]))
            ORDER BY g.genotype_id DESC LIMIT 1
        ) gt ON true
        LEFT JOIN LATERAL (
            SELECT d.* FROM genotypeallele g
            JOIN genotypesampledata d ON d.genotype_id = g.genotype_id AND d.secondallele = g.secondallele
            WHERE g.allele_id = a.id AND g.sample_id = ANY(CAST(:samples AS int[]))
              AND d.sample_id = :proband
            ORDER BY d.id LIMIT 1
        ) gd ON true
        ORDER BY x.n
        """
    )


def list_rows(
    session: Session,
    app_config: Mapping[str, Any],
    allele_ids: Sequence[int],
    *,
    analysis_id: int | None,
    genepanel: tuple[str, str] | None,
    reasons: Mapping[int, str] | None = None,
    manually_added: Iterable[int] = (),
    interpretation_id: int | None = None,
    samples: list[SampleData] | None = None,
) -> list[dict[str, Any]]:
    """Side-list rows of the alleles, in the order given: one query. ``interpretation_id``: the annotation and
    classification that round's snapshot recorded; ``reasons``: the filter that removed each one."""
    if not allele_ids:
        return []
    if samples is None:
        samples = load_samples(session, analysis_id) if analysis_id is not None else []
    proband = next((s.id for s in samples if s.proband), None)
    panel = load_panel(session, *genepanel) if genepanel is not None else None
    now = dt.datetime.now(dt.UTC)
    reasons = reasons or {}
    added = set(manually_added)
    result = session.execute(
        _rows_sql(interpretation_id is not None),
        {
            "ids": list(allele_ids),
            "samples": [s.id for s in samples],
            "proband": proband,
            "interpretation": interpretation_id,
        },
    )
    width = len(_ALLELE_COLUMNS)
    rows = []
    for row in result.tuples():
        allele = dict(zip(_ALLELE_COLUMNS, row[:width], strict=True))
        annotation_id, transcripts, aa_id, cls, created, report_id, status, qual, gd_id = row[width : width + 9]
        current = Current(aa_id, cls, created, is_outdated(app_config, cls, created, now)) if aa_id else None
        item = summary(allele, _transcripts(_json(transcripts)), panel, current, report_id, annotation_id)
        genotype = dict(zip(_GENOTYPE_COLUMNS, row[width + 9 :], strict=True)) if gd_id is not None else {}
        item["genotype"] = {**genotype, "filter_status": status, "variant_quality": qual}
        item["filtered"] = reasons.get(allele["id"])
        item["reincluded"] = allele["id"] in added
        rows.append(item)
    return rows


# ------------------------------------------------------------------------------------------ detail


def _clinvar(external: dict[str, Any]) -> dict[str, Any] | None:
    """A summary of ClinVar (the JSON of the clinvarjson converter, or the VCF fields), tolerant of gaps."""
    data = external.get("CLINVAR")
    vcf = external.get("CLINVAR_VCF")
    if not isinstance(data, dict) and not isinstance(vcf, dict):
        return None
    found: dict[str, Any] = {"variant_id": None, "significance": [], "review_status": [], "submissions": []}
    if isinstance(data, dict):
        found["variant_id"] = data.get("variant_id")
        items = data.get("items")
        if not isinstance(items, list):
            items = _clinvar_items(data.get("rcvs"))
        for item in items:
            if isinstance(item, dict):
                found["submissions"].append(
                    {
                        "significance": item.get("clinical_significance_descr"),
                        "status": item.get("clinical_significance_status"),
                        "submitter": item.get("submitter"),
                        "last_evaluated": item.get("last_evaluated"),
                        "traitnames": item.get("traitnames"),
                        "rcv": item.get("rcv"),
                    }
                )
        found["significance"] = sorted({s["significance"] for s in found["submissions"] if s["significance"]})
        status = data.get("variant_description")
        if isinstance(status, str):  # the review status, as the external filter counts its stars
            found["review_status"] = [status]
            if status in external_filter.REVIEW_STATUS_STARS:
                found["num_stars"] = external_filter.REVIEW_STATUS_STARS[status]
        if isinstance(data.get("num_stars"), int):
            found["num_stars"] = data["num_stars"]
    if isinstance(vcf, dict):
        for key, target in (("clnsig", "significance"), ("revstat", "review_status")):
            value = vcf.get(key)
            if isinstance(value, list):
                found[target] = sorted({*found[target], *[v for v in value if isinstance(v, str)]})
        if found["variant_id"] is None and isinstance(vcf.get("accessions"), list):
            found["accessions"] = vcf["accessions"]
    return found


def _clinvar_items(rcvs: Any) -> list[dict[str, Any]]:
    """The incoming ``rcvs`` form of the clinvarjson converter as ELLA's ``items`` (lists joined with ", ")."""
    if not isinstance(rcvs, dict):
        return []
    items = []
    for accession, entry in rcvs.items():
        if isinstance(entry, dict):
            item = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in entry.items()}
            items.append({**item, "rcv": str(accession)})
    return items


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def annotation_json(annotation_id: int | None, annotation: dict[str, Any], panel: PanelData | None) -> dict[str, Any]:
    transcripts = _transcripts(annotation.get("transcripts"))
    in_panel = (
        {t["transcript"] for t in transcripts if panel.by_base.get(base_name(t["transcript"]))}
        if panel is not None
        else set()
    )
    references = annotation.get("references")
    external = _dict(annotation.get("external"))
    return {
        "annotation_id": annotation_id,
        "transcripts": [{**t, "in_genepanel": t["transcript"] in in_panel} for t in transcripts],
        "frequencies": _dict(annotation.get("frequencies")),
        "external": external,
        "clinvar": _clinvar(external),
        "references": [r for r in references if isinstance(r, dict)] if isinstance(references, list) else [],
        "raw": annotation,
    }


_USER = (
    "CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'username', u.username, "
    "'first_name', u.first_name, 'last_name', u.last_name) END"
)


@dataclass(frozen=True)
class Pin:
    """What a finished round's snapshot recorded for a variant (None: nothing then; the annotation: the current)."""

    annotation_id: int | None
    alleleassessment_id: int | None
    allelereport_id: int | None


def _detail_sql(pinned: bool, *, one: bool = False) -> Any:
    """The detail query; ``pinned``: annotation, report and reference assessments as a finished round's snapshot
    recorded them (arrays :pin_ids, :pin_annotations, :pin_reports, :pin_assessments; a null annotation id there
    means the current one; the reference assessments are those the snapshot's classification was made with, as
    ELLA loads a finished round).

    ``one``: the alleles are one, :id, instead of the array :ids. PostgreSQL never keeps a generic plan for the
    array form (costed for an array of unknown length, it never beats a plan for the array at hand), so each
    execution is planned again: 0.75 of the 1.0 ms the statement costs PostgreSQL on a 50k trio. The one-allele
    form, a variant's detail, keeps its plan."""
    source = "(VALUES (CAST(:id AS int), CAST(1 AS bigint)))" if one else "unnest(CAST(:ids AS int[])) WITH ORDINALITY"
    if pinned:
        pins = (
            "LEFT JOIN unnest(CAST(:pin_ids AS int[]), CAST(:pin_annotations AS int[]), CAST(:pin_reports AS int[]), "
            "CAST(:pin_assessments AS int[])) AS p(allele_id, annotation_id, report_id, assessment_id) "
            "ON p.allele_id = a.id"
        )
        annotation = (
            "(p.annotation_id IS NOT NULL AND an.id = p.annotation_id) OR "
            "(p.annotation_id IS NULL AND an.allele_id = a.id AND an.date_superceeded IS NULL)"
        )
        report = "x.id = p.report_id"
        references = (
            "((p.allele_id IS NULL AND x.date_superceeded IS NULL) OR x.id IN (SELECT l.referenceassessment_id "
            "FROM alleleassessmentreferenceassessment l WHERE l.alleleassessment_id = p.assessment_id))"
        )
    else:
        pins = ""
        annotation = "an.allele_id = a.id AND an.date_superceeded IS NULL"
        report = "x.date_superceeded IS NULL"
        references = "x.date_superceeded IS NULL"
    return text(
        f"""
    SELECT a.id, a.genome_reference, a.chromosome, a.vcf_pos, a.vcf_ref, a.vcf_alt, a.start_position,
           a.open_end_position, a.change_type, a.length, a.caller_type, an.id, an.annotation::text,
      (SELECT json_agg(json_build_object(
                'id', x.id, 'allele_id', x.allele_id, 'classification', x.classification,
                'evaluation', x.evaluation, 'user', {_USER}, 'usergroup_id', x.usergroup_id,
                'analysis_id', x.analysis_id,
                'genepanel', json_build_object('name', x.genepanel_name, 'version', x.genepanel_version),
                'annotation_id', x.annotation_id, 'previous_assessment_id', x.previous_assessment_id,
                'date_created', x.date_created, 'date_superceeded', x.date_superceeded) ORDER BY x.id DESC)
       FROM alleleassessment x LEFT JOIN "user" u ON u.id = x.user_id WHERE x.allele_id = a.id)::text,
      (SELECT json_build_object(
                'id', x.id, 'allele_id', x.allele_id, 'evaluation', x.evaluation, 'user', {_USER},
                'usergroup_id', x.usergroup_id, 'analysis_id', x.analysis_id,
                'alleleassessment_id', x.alleleassessment_id, 'previous_report_id', x.previous_report_id,
                'date_created', x.date_created, 'date_superceeded', x.date_superceeded)
       FROM allelereport x LEFT JOIN "user" u ON u.id = x.user_id
       WHERE x.allele_id = a.id AND {report} ORDER BY x.id DESC LIMIT 1)::text,
      (SELECT json_agg(json_build_object(
                'id', x.id, 'allele_id', x.allele_id, 'reference_id', x.reference_id, 'evaluation', x.evaluation,
                'user', {_USER}, 'usergroup_id', x.usergroup_id, 'analysis_id', x.analysis_id,
                'genepanel', json_build_object('name', x.genepanel_name, 'version', x.genepanel_version),
                'previous_assessment_id', x.previous_assessment_id, 'date_created', x.date_created,
                'date_superceeded', x.date_superceeded) ORDER BY x.id DESC)
       FROM referenceassessment x LEFT JOIN "user" u ON u.id = x.user_id
       WHERE x.allele_id = a.id AND {references})::text,
      (SELECT json_agg(json_build_object(
                'sample_id', d.sample_id, 'filter_status', g.filter_status, 'variant_quality', g.variant_quality,
                'type', d.type, 'genotype_quality', d.genotype_quality, 'sequencing_depth', d.sequencing_depth,
                'allele_depth', d.allele_depth, 'allele_ratio', d.allele_ratio,
                'genotype_likelihood', d.genotype_likelihood, 'copy_number', d.copy_number,
                'multiallelic', d.multiallelic) ORDER BY g.genotype_id, d.id)
       FROM genotypeallele g
       JOIN genotypesampledata d ON d.genotype_id = g.genotype_id AND d.secondallele = g.secondallele
       WHERE g.allele_id = a.id AND g.sample_id IN (SELECT s.id FROM sample s WHERE s.analysis_id = :analysis))::text,
      CASE WHEN x.n = 1 THEN
        (SELECT json_agg(json_build_array({", ".join("s." + c for c in _SAMPLE_COLUMNS)}) ORDER BY s.id)
         FROM sample s WHERE s.analysis_id = :analysis)::text
      END
    FROM {source} AS x(id, n)
    JOIN allele a ON a.id = x.id
    {pins}
    LEFT JOIN annotation an ON {annotation}
    ORDER BY x.n
    """
    )


_DETAIL = Prepared("variants_detail", _detail_sql(False))
_DETAIL_ONE = Prepared("variants_detail_one", _detail_sql(False, one=True))
_DETAIL_PINNED = Prepared("variants_detail_pinned", _detail_sql(True))
_REFERENCES = Prepared(
    "variants_references",
    text(
        "SELECT id, pubmed_id, title, authors, journal, year, abstract, published FROM reference "
        "WHERE pubmed_id = ANY(:pubmed) OR id = ANY(:ids) ORDER BY id"
    ),
)
_REFERENCE_KEYS = ("id", "pubmed_id", "title", "authors", "journal", "year", "abstract", "published")
_SAMPLE_KEYS = (
    "id",
    "identifier",
    "proband",
    "affected",
    "sex",
    "sample_type",
    "family_id",
    "father_id",
    "mother_id",
)
_GENOTYPE_KEYS = (
    "type",
    "genotype_quality",
    "sequencing_depth",
    "allele_depth",
    "allele_ratio",
    "genotype_likelihood",
    "copy_number",
    "multiallelic",
)


def _assessment(item: dict[str, Any], app_config: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    created = dt.datetime.fromisoformat(item["date_created"])
    item["date_created"] = created.isoformat()
    if item["date_superceeded"] is not None:
        item["date_superceeded"] = dt.datetime.fromisoformat(item["date_superceeded"]).isoformat()
    item["outdated"] = item["date_superceeded"] is None and is_outdated(
        app_config, item["classification"], created, now
    )
    return item


def _dates(item: dict[str, Any]) -> dict[str, Any]:
    for key in ("date_created", "date_superceeded"):
        if item.get(key) is not None:
            item[key] = dt.datetime.fromisoformat(item[key]).isoformat()
    return item


def details(
    session: Session,
    app_config: Mapping[str, Any],
    allele_ids: Sequence[int],
    *,
    analysis_id: int | None,
    genepanel: tuple[str, str] | None,
    pins: Mapping[int, Pin] | None = None,
) -> list[dict[str, Any]]:
    """Variant details in the order given: one query for the alleles with everything (and, on the first row, the
    analysis' samples), one for the references.

    ``pins``: per allele, the annotation, classification and report a finished round's snapshot recorded; they
    are shown instead of the current ones, and the reference assessments that classification was made with
    (the history stays complete and current)."""
    panel = load_panel(session, *genepanel) if genepanel is not None else None
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {"analysis": analysis_id}
    if pins is not None:
        pinned = list(pins)
        statement = _DETAIL_PINNED
        values.update(
            ids=list(allele_ids),
            pin_ids=pinned,
            pin_annotations=[pins[a].annotation_id for a in pinned],
            pin_reports=[pins[a].allelereport_id for a in pinned],
            pin_assessments=[pins[a].alleleassessment_id for a in pinned],
        )
    elif len(allele_ids) == 1:
        statement, values["id"] = _DETAIL_ONE, allele_ids[0]
    else:
        statement, values["ids"] = _DETAIL, list(allele_ids)
    rows = statement.rows(session, values)
    if len(rows) != len(allele_ids):
        missing = sorted(set(allele_ids) - {r[0] for r in rows})
        raise NotFoundError(f"no allele(s) {', '.join(map(str, missing[:20]))}")
    samples = [SampleData(*sample) for sample in (_json(rows[0][-1]) or [])] if rows else []
    pubmed: set[int] = set()
    assessed: set[int] = set()
    built = []
    for row in rows:
        allele = dict(zip(_ALLELE_COLUMNS, row[:11], strict=True))
        annotation_id, annotation_text, history_text, report_text, refs_text, genotypes_text = row[11:17]
        annotation = _json(annotation_text)
        annotation = annotation if isinstance(annotation, dict) else {}
        history = [_assessment(h, app_config, now) for h in _json(history_text) or []]
        if pins is not None and allele["id"] in pins:
            wanted = pins[allele["id"]].alleleassessment_id
            current_json = next((h for h in history if wanted is not None and h["id"] == wanted), None)
        else:
            current_json = next((h for h in history if h["date_superceeded"] is None), None)
        current = (
            Current(
                current_json["id"],
                current_json["classification"],
                dt.datetime.fromisoformat(current_json["date_created"]),
                current_json["outdated"],
            )
            if current_json
            else None
        )
        report = _dates(_json(report_text)) if report_text else None
        ref_assessments = [_dates(r) for r in _json(refs_text) or []]
        genotypes: dict[int, dict[str, Any]] = {}
        filter_status = variant_quality = None
        for g in _json(genotypes_text) or []:
            filter_status, variant_quality = g["filter_status"], g["variant_quality"]
            genotypes[g["sample_id"]] = {k: g[k] for k in _GENOTYPE_KEYS}
        annotation_out = annotation_json(annotation_id, annotation, panel)
        pubmed |= {r["pubmed_id"] for r in annotation_out["references"] if isinstance(r.get("pubmed_id"), int)}
        assessed |= {r["reference_id"] for r in ref_assessments}
        built.append(
            (
                annotation_out,
                ref_assessments,
                {
                    **summary(
                        allele,
                        annotation_out["transcripts"],
                        panel,
                        current,
                        report["id"] if report else None,
                        annotation_id,
                    ),
                    "genepanel": {"name": panel.name, "version": panel.version} if panel else None,
                    "annotation": annotation_out,
                    "filter_status": filter_status,
                    "variant_quality": variant_quality,
                    "samples": [
                        {**{k: getattr(s, k) for k in _SAMPLE_KEYS}, "genotype": genotypes.get(s.id)} for s in samples
                    ],
                    "allele_assessment": current_json,
                    "allele_report": report,
                    "reference_assessments": ref_assessments,
                    "history": history,
                },
            )
        )
    references = []
    if pubmed or assessed:
        references = [
            dict(zip(_REFERENCE_KEYS, r, strict=True))
            for r in _REFERENCES.rows(session, {"pubmed": sorted(pubmed), "ids": sorted(assessed)})
        ]
    result = []
    for annotation_out, ref_assessments, item in built:
        mine_pubmed = {r["pubmed_id"] for r in annotation_out["references"] if isinstance(r.get("pubmed_id"), int)}
        mine_ids = {r["reference_id"] for r in ref_assessments}
        item["references"] = [r for r in references if r["pubmed_id"] in mine_pubmed or r["id"] in mine_ids]
        # the summary's transcripts are the annotation's (with in_genepanel); keep the list's shape
        result.append(item)
    return result
