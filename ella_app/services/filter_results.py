"""Filter results computed once and read by every request (issue 11).

What a filter config lets through and removes for an analysis (interpreted in one gene panel) is stored in
``filterresult``: the ids that pass, the ids each filter removed (both in genomic order), the filter types
skipped as not supported, and the analysis' CNV-called alleles. It is computed

* right after an analysis is imported (:func:`after_import`, called by the watcher, ``deposit analysis`` and
  the poller), for every filter config any user group may apply to it;
* lazily, by the first request that finds it missing or stale (:func:`result_for`).

A stored result is stale when one of its inputs changed since it was computed:

* the filter code or ``ella_config.yml`` (``fingerprint``: a digest of the filter modules' source and the
  config);
* a classification of one of the analysis' variants, a new annotation version of one of them, or a change of
  the gene panel (database triggers log each such change in ``filterinvalidation``; a result records how many
  it had seen of each kind its filter config depends on — e.g. only the ``classification`` filter reads
  classifications);
* time: a classification the ``classification`` filter keeps because it is not outdated becomes outdated
  (``exclude_outdated``), at ``valid_until``.

A new filter config version is a new row with a new id, so an updated config simply has no result yet.
Concurrent requests for the same missing result wait for one computation (an advisory lock), which runs in its
own short transaction. The filters are run by ``services/filtering.py`` on the usual ``FilterContext``: the
cache changes where results come from, never what they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis, FilterConfig, UserGroupGenePanel
from ella_app.db.session import writable
from ella_app.services import filtering
from ella_app.services.filters import base as filter_base
from ella_app.services.filters import context as filter_context
from ella_app.services.process_cache import ProcessCache, database_key

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x46524553  # "FRES": advisory lock of one result's computation
ALL_INPUTS = frozenset(("annotation", "classification", "genepanel"))
# What each filter type reads besides the analysis' own calls (genotypes never change after the import).
# A filter type not listed depends on everything.
FILTER_INPUTS: dict[str, frozenset[str]] = {
    "frequency": frozenset(("annotation", "genepanel")),
    "consequence": frozenset(("annotation", "genepanel")),
    "region": frozenset(("annotation", "genepanel")),
    "gene": frozenset(("annotation", "genepanel")),
    "inheritancemodel": frozenset(("annotation", "genepanel")),
    "external": frozenset(("annotation",)),
    "ppy": frozenset(("annotation", "genepanel")),
    "segregation": frozenset(("annotation", "genepanel")),
    "classification": frozenset(("classification",)),
    "quality": frozenset(),
    "size": frozenset(),
    "callertype": frozenset(),
}


class ConfigLike(Protocol):
    """A filter config: the ORM row, or the same columns read as a plain row."""

    id: int
    name: str
    filterconfig: dict[str, Any]


# ------------------------------------------------------------------------------------------ what a config reads


def _entries(filterconfig: Any) -> list[dict[str, Any]]:
    """Every filter and exception entry of a config (malformed ones included, as given)."""
    filters = filterconfig.get("filters") if isinstance(filterconfig, dict) else None
    found: list[dict[str, Any]] = []
    for entry in filters if isinstance(filters, list) else []:
        if isinstance(entry, dict):
            found.append(entry)
            exceptions = entry.get("exceptions")
            found.extend(e for e in exceptions if isinstance(e, dict)) if isinstance(exceptions, list) else None
    return found


def inputs_of(filterconfig: Any) -> frozenset[str]:
    """The kinds of input the config's filters (and exceptions) read."""
    kinds: set[str] = set()
    for entry in _entries(filterconfig):
        kinds |= FILTER_INPUTS.get(entry.get("name"), ALL_INPUTS)  # type: ignore[arg-type]
    return frozenset(kinds)


def _uses_outdated(filterconfig: Any) -> bool:
    return any(
        e.get("name") == "classification" and isinstance(e.get("config"), dict) and e["config"].get("exclude_outdated")
        for e in _entries(filterconfig)
    )


@cache
def _code_digest() -> str:
    """A digest of the filter code: results of older code are recomputed."""
    digest = hashlib.sha256()
    package = Path(filter_context.__file__).parent
    for path in sorted([*package.glob("*.py"), Path(filtering.__file__), Path(__file__)]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# The sections of ella_config.yml the filters read (transcripts.inclusion_regex, classification.options with their
# outdated_after_days, the frequency groups). Other sections (paths, the UI's) may differ between processes.
CONFIG_SECTIONS = ("transcripts", "classification", "frequencies")


def fingerprint(app_config: dict[str, Any]) -> str:
    """The filter code and the parts of the application config the filters read."""
    relevant = {key: app_config.get(key) for key in CONFIG_SECTIONS}
    config = orjson.dumps(relevant, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.sha256(_code_digest().encode() + config).hexdigest()[:32]


# ------------------------------------------------------------------------------------------ stored results


class FilterResultError(filter_base.FilterConfigError):
    """The filter config cannot be applied to this analysis (a stored error is answered again as 422)."""


@dataclass
class StoredResult:
    """A filter config's result for an analysis: ids in genomic order."""

    filterconfig_id: int
    filterconfig_name: str
    passed: list[int]
    excluded: list[tuple[str, list[int]]]  # in the order of the filters
    unsupported: list[str]
    cnv: set[int] = field(default_factory=set)
    allele_count: int = 0
    computed_at: dt.datetime | None = None
    seconds: float = 0.0
    recomputed: bool = False

    def excluded_by_filter(self) -> dict[str, list[int]]:
        return dict(self.excluded)

    def reasons(self) -> dict[int, str]:
        """The filter that removed each filtered-out allele (computed once per result)."""
        found = self.__dict__.get("_reasons")
        if found is None:
            found = filtering.removed_by(self.excluded)
            self.__dict__["_reasons"] = found
        return found

    def passed_set(self) -> set[int]:
        found = self.__dict__.get("_passed")
        if found is None:
            found = set(self.passed)
            self.__dict__["_passed"] = found
        return found


# Columns of a stored result without its ids (computed_at as text: a key, compared as given).
_META = """r.id, r.filterconfig_id, r.fingerprint, r.annotation_input, r.classification_input, r.genepanel_input,
           r.valid_until IS NOT NULL AND r.valid_until <= now() AS expired, r.computed_at::text AS computed_at,
           r.allele_count, r.seconds, r.error"""
_INPUT_COUNTS = """
    (SELECT count(*) FROM filterinvalidation i WHERE i.analysis_id = {analysis} AND i.kind = 'annotation'),
    (SELECT count(*) FROM filterinvalidation i WHERE i.analysis_id = {analysis} AND i.kind = 'classification'),
    (SELECT count(*) FROM filterinvalidation i
      WHERE i.genepanel_name = {gp_name} AND i.genepanel_version = {gp_version})"""
_OWN_COUNTS = _INPUT_COUNTS.format(
    analysis="r.analysis_id", gp_name="r.genepanel_name", gp_version="r.genepanel_version"
)
_READ = text(
    f"""
    SELECT {_META},
           {_OWN_COUNTS}
    FROM filterresult r
    WHERE r.analysis_id = :analysis AND r.filterconfig_id = :fc
      AND r.genepanel_name = :gp_name AND r.genepanel_version = :gp_version
    """
)
# The same, as SQL other queries embed (``variants.round_context``): one JSON array per stored result.
META_JSON = """json_build_array(r.id, r.filterconfig_id, r.fingerprint, r.annotation_input, r.classification_input,
                 r.genepanel_input, r.valid_until IS NOT NULL AND r.valid_until <= now(), r.computed_at::text,
                 r.allele_count, r.seconds, r.error)"""
INPUT_COUNTS_SQL = _INPUT_COUNTS


@dataclass(frozen=True)
class ResultMeta:
    """A stored result without its ids."""

    id: int
    filterconfig_id: int
    fingerprint: str
    annotation_input: int | None
    classification_input: int | None
    genepanel_input: int | None
    expired: bool
    computed_at: str
    allele_count: int
    seconds: float
    error: str | None


@dataclass(frozen=True)
class InputCounts:
    """How many input changes the triggers logged for an analysis (and its gene panel), per kind."""

    annotation: int
    classification: int
    genepanel: int


_ARRAYS = text("SELECT passed, excluded::text, unsupported::text, cnv FROM filterresult WHERE id = :id")
_COUNTS = text(f"SELECT {_INPUT_COUNTS.format(analysis=':analysis', gp_name=':gp_name', gp_version=':gp_version')}")
_UPSERT = text(
    """
    INSERT INTO filterresult (analysis_id, filterconfig_id, genepanel_name, genepanel_version, fingerprint,
                              annotation_input, classification_input, genepanel_input, valid_until, computed_at,
                              seconds, allele_count, passed, excluded, unsupported, cnv, error)
    VALUES (:analysis, :fc, :gp_name, :gp_version, :fingerprint, :annotation, :classification, :genepanel,
            :valid_until, now(), :seconds, :allele_count, :passed, CAST(:excluded AS jsonb),
            CAST(:unsupported AS jsonb), :cnv, :error)
    ON CONFLICT ON CONSTRAINT uq_filterresult_key DO UPDATE SET
        fingerprint = excluded.fingerprint, annotation_input = excluded.annotation_input,
        classification_input = excluded.classification_input, genepanel_input = excluded.genepanel_input,
        valid_until = excluded.valid_until, computed_at = excluded.computed_at, seconds = excluded.seconds,
        allele_count = excluded.allele_count, passed = excluded.passed, excluded = excluded.excluded,
        unsupported = excluded.unsupported, cnv = excluded.cnv, error = excluded.error
    """
)


def fresh(meta: ResultMeta, counts: InputCounts, kinds: frozenset[str], print_: str) -> bool:
    """The stored result still holds: same code and config, not expired, no change of an input it reads."""
    if meta.fingerprint != print_ or meta.expired:
        return False
    for kind in ALL_INPUTS:
        seen = getattr(meta, f"{kind}_input")
        if kind in kinds and (seen is None or seen != getattr(counts, kind)):
            return False
    return True


def _split(row: Any) -> tuple[ResultMeta, InputCounts]:
    return ResultMeta(*row[:11]), InputCounts(*row[11:14])


# Results read by this process, by (database, result row id, computed_at): parsing 50,000 ids costs more than the
# rest of a request, and a result row only changes by being recomputed (a new computed_at).
KEPT_IDS = 200_000  # ids of parsed results kept per process (about 40 MB with their lookup tables)
_parsed: ProcessCache[tuple[str, int, str], StoredResult] = ProcessCache(
    KEPT_IDS, weight=lambda result: max(1, result.allele_count)
)


def read(session: Session, meta: ResultMeta, fc: ConfigLike) -> StoredResult:
    """The ids of a stored result (parsed once per process)."""
    if meta.error is not None:
        raise FilterResultError(meta.error)
    key = (database_key(session), meta.id, meta.computed_at)
    found = _parsed.get(key)
    if found is not None:
        return found
    passed, excluded, unsupported, cnv = session.execute(_ARRAYS, {"id": meta.id}).one()
    result = StoredResult(
        fc.id,
        fc.name,
        list(passed),
        [(name, ids) for name, ids in orjson.loads(excluded)],
        orjson.loads(unsupported),
        set(cnv),
        meta.allele_count,
        None,
        meta.seconds,
    )
    _parsed.put(key, result)
    return result


def stored(
    session: Session, app_config: dict[str, Any], analysis_id: int, fc: ConfigLike, genepanel: tuple[str, str]
) -> StoredResult | None:
    """The stored result if it is fresh, else None."""
    params = {"analysis": analysis_id, "fc": fc.id, "gp_name": genepanel[0], "gp_version": genepanel[1]}
    row = session.execute(_READ, params).first()
    if row is None:
        return None
    meta, counts = _split(row)
    if not fresh(meta, counts, inputs_of(fc.filterconfig), fingerprint(app_config)):
        return None
    return read(session, meta, fc)


def result_for(
    session: Session,
    app_config: dict[str, Any],
    analysis_id: int,
    fc: ConfigLike,
    genepanel: tuple[str, str],
    known: tuple[ResultMeta | None, InputCounts] | None = None,
) -> StoredResult:
    """The result of ``fc`` for the analysis: stored, or computed now (and stored) when missing or stale.
    ``known``: the stored result's columns and the input counts when the caller read them already.

    Raises :class:`FilterResultError` (422) when the config cannot be applied.
    """
    if known is None:
        found = stored(session, app_config, analysis_id, fc, genepanel)
    else:
        meta, counts = known
        found = (
            read(session, meta, fc)
            if meta is not None and fresh(meta, counts, inputs_of(fc.filterconfig), fingerprint(app_config))
            else None
        )
    if found is not None:
        return found
    return compute(session, app_config, analysis_id, fc, genepanel)


def _genomic_key(chromosomes: dict[str, int]) -> Any:
    def key(allele: Any) -> tuple[int, str, int, int]:
        chrom = allele.chromosome.removeprefix("chr")
        return (chromosomes.get(chrom, 99), chrom, allele.vcf_pos, allele.id)

    return key


CHROMOSOME_ORDER = {str(n): n for n in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25, "M": 25}


def _valid_until(ctx: filtering.FilterContext, app_config: dict[str, Any]) -> dt.datetime | None:
    """When the first classification that is not outdated yet becomes outdated."""
    days = filter_context.outdated_after_days(app_config)
    moments = []
    for allele in ctx.alleles.values():
        assessment = allele.assessment
        if assessment is not None and not assessment.outdated and assessment.classification in days:
            moments.append(assessment.date_created + dt.timedelta(days=days[assessment.classification]))
    return min(moments) if moments else None


def _forget_panel(genepanel: tuple[str, str]) -> None:
    """Drop this process' cached copy of the panel: a result must be computed from the stored panel (the
    cache of ``filters/context.py`` keeps panels for a minute)."""
    cached = getattr(filter_context, "_panels", None)
    if isinstance(cached, dict):
        for key in [k for k in cached if tuple(k[1:]) == genepanel]:
            cached.pop(key, None)


def compute(
    session: Session, app_config: dict[str, Any], analysis_id: int, fc: ConfigLike, genepanel: tuple[str, str]
) -> StoredResult:
    """Compute and store the result, in a transaction of its own (one computation at a time per result)."""
    [found] = compute_many(session, app_config, analysis_id, [fc], genepanel)
    if isinstance(found, FilterResultError):
        raise found
    return found


OUT_OF_PROCESS_ALLELES = 5_000  # larger analyses are filtered in a child process (its memory is returned)
_ALLELE_COUNT = text(
    "SELECT count(DISTINCT g.allele_id) FROM genotypeallele g JOIN sample s ON s.id = g.sample_id "
    "WHERE s.analysis_id = :analysis"
)


def compute_many(
    session: Session,
    app_config: dict[str, Any],
    analysis_id: int,
    fcs: Sequence[ConfigLike],
    genepanel: tuple[str, str],
    *,
    locked: bool = False,
) -> list[StoredResult | FilterResultError]:
    """Compute and store the results of several configs on one load of the analysis (those still missing or
    stale once their locks are held), in a transaction of their own.

    Loading an exome into Python objects takes hundreds of megabytes that a long-running process (a gunicorn
    worker, the watcher) would keep: above ``OUT_OF_PROCESS_ALLELES`` variants the filters run in a child
    process (``python -m ella_app.services.filter_results``), while this process holds the locks. ``locked``:
    the caller (that child) runs under a parent's locks.
    """
    print_ = fingerprint(app_config)
    base = {"analysis": analysis_id, "gp_name": genepanel[0], "gp_version": genepanel[1]}
    found: dict[int, StoredResult | FilterResultError] = {}
    # a session of its own on a write connection (the caller's may be a read-only request's: db.session)
    with Session(bind=writable(session.get_bind().engine), expire_on_commit=False) as own:
        todo = []
        for fc in sorted(fcs, key=lambda f: f.id):
            if not locked:
                own.execute(
                    text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"),
                    {"ns": LOCK_NAMESPACE, "key": f"{analysis_id}:{fc.id}:{genepanel[0]}:{genepanel[1]}"},
                )
            row = own.execute(_READ, {**base, "fc": fc.id}).first()  # computed by another request meanwhile?
            meta, counts = _split(row) if row is not None else (None, None)
            if meta is not None and counts is not None and fresh(meta, counts, inputs_of(fc.filterconfig), print_):
                try:
                    found[fc.id] = read(own, meta, fc)
                except FilterResultError as exc:
                    found[fc.id] = exc
            else:
                todo.append(fc)
        if (
            todo
            and not locked
            and int(own.scalar(_ALLELE_COUNT, {"analysis": analysis_id}) or 0) > OUT_OF_PROCESS_ALLELES
        ) and _in_child(own, app_config, analysis_id, todo, genepanel):
            for fc in todo:
                row = own.execute(_READ, {**base, "fc": fc.id}).first()
                assert row is not None, "the child process stored no result"
                try:
                    found[fc.id] = replace(read(own, _split(row)[0], fc), recomputed=True)
                except FilterResultError as exc:
                    found[fc.id] = exc
            todo = []
        if todo:
            # The counts are read before the data: a change committed after this point makes the result stale.
            counts = dict(
                zip(("annotation", "classification", "genepanel"), own.execute(_COUNTS, base).one(), strict=True)
            )
            started = time.perf_counter()
            _forget_panel(genepanel)
            ctx = filter_context.analysis_context(own, app_config, analysis_id, genepanel)
            loaded = time.perf_counter() - started
            order = {a.id: i for i, a in enumerate(sorted(ctx.alleles.values(), key=_genomic_key(CHROMOSOME_ORDER)))}
            cnv = sorted(a.id for a in ctx.alleles.values() if a.caller_type == "cnv")
            for fc in todo:
                found[fc.id] = _compute_one(own, app_config, ctx, order, cnv, fc, base, counts, print_, loaded)
            del ctx, order
        own.commit()
    return [found[fc.id] for fc in fcs]


def _compute_one(
    own: Session,
    app_config: dict[str, Any],
    ctx: filtering.FilterContext,
    order: dict[int, int],
    cnv: list[int],
    fc: ConfigLike,
    base: dict[str, Any],
    counts: dict[str, int],
    print_: str,
    loaded: float,
) -> StoredResult | FilterResultError:
    started = time.perf_counter()
    kinds = inputs_of(fc.filterconfig)
    error = None
    passed: list[int] = []
    excluded: list[tuple[str, list[int]]] = []
    unsupported = filtering.unsupported_filters(fc.filterconfig)
    try:
        outcome = filtering.outcome_for(ctx, fc, None)  # type: ignore[arg-type]
    except filter_base.FilterConfigError as exc:
        error = exc.message
    else:
        passed = sorted(outcome.passed, key=order.__getitem__)
        excluded = [(name, sorted(ids, key=order.__getitem__)) for name, ids in outcome.excluded.items()]
        unsupported = outcome.unsupported
    valid_until = _valid_until(ctx, app_config) if _uses_outdated(fc.filterconfig) else None
    seconds = round(loaded + time.perf_counter() - started, 3)
    own.execute(
        _UPSERT,
        {
            **base,
            "fc": fc.id,
            "fingerprint": print_,
            **{kind: counts[kind] if kind in kinds else None for kind in counts},
            "valid_until": valid_until,
            "seconds": seconds,
            "allele_count": len(ctx.alleles),
            "passed": passed,
            "excluded": orjson.dumps(excluded).decode(),
            "unsupported": orjson.dumps(unsupported).decode(),
            "cnv": cnv,
            "error": error,
        },
    )
    log.info(
        "filter result of analysis %s, filter config %s (%s %s) computed in %.2f s: %s of %s alleles pass",
        base["analysis"],
        fc.id,
        base["gp_name"],
        base["gp_version"],
        seconds,
        len(passed),
        len(ctx.alleles),
    )
    if error is not None:
        return FilterResultError(error)
    return StoredResult(
        fc.id,
        fc.name,
        passed,
        excluded,
        unsupported,
        set(cnv),
        len(ctx.alleles),
        dt.datetime.now(dt.UTC),
        seconds,
        recomputed=True,
    )


def _in_child(
    own: Session, app_config: dict[str, Any], analysis_id: int, fcs: Sequence[ConfigLike], genepanel: tuple[str, str]
) -> bool:
    """Run the computation in a child process (the caller holds the locks); False when that failed (the caller
    then computes in-process). The database URL, with its password, goes through stdin, never argv."""
    payload = {
        "db_url": own.get_bind().engine.url.render_as_string(hide_password=False),
        "app_config": {key: app_config.get(key) for key in CONFIG_SECTIONS},
        "analysis_id": analysis_id,
        "filterconfig_ids": [fc.id for fc in fcs],
        "genepanel": list(genepanel),
    }
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ella_app.services.filter_results"],
            input=orjson.dumps(payload),
            capture_output=True,
            timeout=3600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("filtering analysis %s in a child process failed (%s); filtering here", analysis_id, exc)
        return False
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        log.warning("filtering analysis %s in a child process failed: %s; filtering here", analysis_id, tail)
        return False
    log.info("analysis %s filtered in a child process in %.1f s", analysis_id, time.perf_counter() - started)
    return True


def _child_main() -> int:
    """``python -m ella_app.services.filter_results``: compute the results named on stdin (see ``_in_child``)."""
    from sqlalchemy import create_engine

    job = orjson.loads(sys.stdin.buffer.read())
    engine = create_engine(job["db_url"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            fcs = [session.get(FilterConfig, fc_id) for fc_id in job["filterconfig_ids"]]
            results = compute_many(
                session,
                job["app_config"],
                job["analysis_id"],
                [fc for fc in fcs if fc is not None],
                tuple(job["genepanel"]),  # type: ignore[arg-type]
                locked=True,
            )
        for result in results:
            if isinstance(result, StoredResult):
                print(f"filter config {result.filterconfig_id}: {len(result.passed)} of {result.allele_count} pass")
    finally:
        engine.dispose()
    return 0


# ------------------------------------------------------------------------------------------ after an import


def configs_for_analysis(session: Session, analysis: Analysis) -> list[FilterConfig]:
    """Every active filter config some user group may apply to the analysis (group has the analysis' panel,
    requirements met), once each."""
    samples = filter_context.load_samples(session, analysis.id)
    groups = session.scalars(
        select(UserGroupGenePanel.usergroup_id).where(
            UserGroupGenePanel.genepanel_name == analysis.genepanel_name,
            UserGroupGenePanel.genepanel_version == analysis.genepanel_version,
        )
    ).all()
    found: dict[int, FilterConfig] = {}
    for group_id in sorted(set(groups)):
        for fc in filtering.eligible_filterconfigs(session, group_id, analysis, samples):
            found.setdefault(fc.id, fc)
    return list(found.values())


def precompute(session: Session, app_config: dict[str, Any], analysis_id: int) -> list[dict[str, Any]]:
    """Compute (and store) the results of every filter config applicable to the analysis; what was done."""
    analysis = session.get(Analysis, analysis_id)
    if analysis is None:
        return []
    panel = (analysis.genepanel_name, analysis.genepanel_version)
    configs = configs_for_analysis(session, analysis)
    missing = [fc for fc in configs if _stored_or_error(session, app_config, analysis_id, fc, panel) is None]
    computed = compute_many(session, app_config, analysis_id, missing, panel) if missing else []
    done = []
    for fc, result in zip(missing, computed, strict=True):
        if isinstance(result, FilterResultError):
            done.append({"filterconfig_id": fc.id, "error": result.message})
        else:
            done.append(
                {
                    "filterconfig_id": fc.id,
                    "passed": len(result.passed),
                    "alleles": result.allele_count,
                    "seconds": result.seconds,
                }
            )
    return done


def _stored_or_error(
    session: Session, app_config: dict[str, Any], analysis_id: int, fc: ConfigLike, panel: tuple[str, str]
) -> StoredResult | FilterResultError | None:
    try:
        return stored(session, app_config, analysis_id, fc, panel)
    except FilterResultError as exc:
        return exc


def after_import(db_url: str, analysis_id: int | None, app_config: dict[str, Any] | None = None) -> None:
    """The importers' hook, called once the import is committed: compute the analysis' filter results now,
    so that the first user to open it does not wait. Never fails the import: a problem is logged (the results
    are then computed by the first request)."""
    if analysis_id is None:
        return
    from ella_app.config import load_settings
    from ella_app.db.session import transaction
    from ella_app.errors import ConfigError

    try:
        config = app_config if app_config is not None else load_settings().config
    except ConfigError as exc:
        log.info("filter results of analysis %s left to the first request: %s", analysis_id, exc.message)
        return
    try:
        with transaction(db_url) as session:
            done = precompute(session, config, analysis_id)
        log.info("filter results of analysis %s: %s", analysis_id, done)
    except Exception:
        log.exception("computing the filter results of analysis %s failed (left to the first request)", analysis_id)


def forget(session: Session, analysis_ids: Iterable[int] | None = None, filterconfig_ids: Sequence[int] = ()) -> int:
    """Delete stored results (of some analyses or filter configs, else all); they are computed again when
    asked for. Returns how many were deleted."""
    conditions = []
    params: dict[str, Any] = {}
    if analysis_ids is not None:
        conditions.append("analysis_id = ANY(:analyses)")
        params["analyses"] = sorted(set(analysis_ids))
    if filterconfig_ids:
        conditions.append("filterconfig_id = ANY(:fcs)")
        params["fcs"] = sorted(set(filterconfig_ids))
    where = " AND ".join(conditions) or "true"
    return int(session.execute(text(f"DELETE FROM filterresult WHERE {where}"), params).rowcount or 0)


if __name__ == "__main__":
    sys.exit(_child_main())
