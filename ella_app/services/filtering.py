"""Filtering the variants of an analysis with a filter configuration (ELLA spec §2.4, feature A05).

* :func:`eligible_filterconfigs` — the active configs of the user's group whose requirements the analysis
  meets (``is_trio``, ``is_single``, ``is_family``, ``name`` and ``genepanel_name`` regular expressions),
  in the group's order: the first is the default.
* :func:`run` — the filters in order, each on what is left; a filter's ``exceptions`` rescue alleles from
  it. The config is validated first (``formats/filterconfigs.py``); every filter ELLA has runs.
* :func:`filter_interpretation` — the above for one interpretation, with the variants the user re-included
  (``state.manuallyAddedAlleles``) shown again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis, FilterConfig, UserGroupFilterConfig
from ella_app.errors import NotFoundError
from ella_app.formats.filterconfigs import filterconfig_problems
from ella_app.services.filters import FILTERS
from ella_app.services.filters.base import FilterConfigError
from ella_app.services.filters.context import FilterContext, SampleData, analysis_context

MANUALLY_ADDED = "manuallyAddedAlleles"


# ------------------------------------------------------------------------------------------ requirements


def is_family(samples: Sequence[SampleData]) -> bool:
    """ELLA's rule: some sample of the analysis has a family id."""
    return any(s.family_id is not None for s in samples)


def is_trio(samples: Sequence[SampleData]) -> bool:
    """ELLA's rule: the first proband with both parents set has both among the analysis' samples."""
    proband = next((s for s in samples if s.proband and s.father_id and s.mother_id), None)
    ids = {s.id for s in samples}
    return proband is not None and proband.father_id in ids and proband.mother_id in ids


def _regex_matches(pattern: Any, value: str) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        return re.match(pattern, value) is not None
    except re.error:
        return False


def requirements_met(requirements: Any, analysis: Analysis, samples: Sequence[SampleData]) -> bool:
    """All requirements hold (an empty list always does). Unknown functions or parameters never hold."""
    if not isinstance(requirements, list):
        return False
    for requirement in requirements:
        if not isinstance(requirement, dict) or requirement.get("function") != "analysis":
            return False
        params = requirement.get("params")
        if not isinstance(params, dict):
            return False
        for key, wanted in params.items():
            if key == "is_trio":
                ok = wanted == is_trio(samples)
            elif key == "is_family":
                ok = wanted == is_family(samples)
            elif key == "is_single":
                ok = wanted != is_family(samples)
            elif key == "name":
                ok = _regex_matches(wanted, analysis.name)
            elif key == "genepanel_name":
                ok = _regex_matches(wanted, analysis.genepanel_name)
            else:
                ok = False
            if not ok:
                return False
    return True


def group_filterconfigs(session: Session, group_id: int) -> list[FilterConfig]:
    query = (
        select(FilterConfig)
        .join(UserGroupFilterConfig, UserGroupFilterConfig.filterconfig_id == FilterConfig.id)
        .where(UserGroupFilterConfig.usergroup_id == group_id, FilterConfig.active.is_(True))
        .order_by(UserGroupFilterConfig.order, FilterConfig.id)
    )
    return list(session.scalars(query))


def eligible_filterconfigs(
    session: Session, group_id: int, analysis: Analysis, samples: Sequence[SampleData]
) -> list[FilterConfig]:
    return [fc for fc in group_filterconfigs(session, group_id) if requirements_met(fc.requirements, analysis, samples)]


def filter_names(filterconfig: dict[str, Any]) -> list[str]:
    filters = filterconfig.get("filters") if isinstance(filterconfig, dict) else None
    return [f["name"] for f in filters or [] if isinstance(f, dict) and isinstance(f.get("name"), str)]


def unsupported_filters(filterconfig: dict[str, Any]) -> list[str]:
    """Filter names of the config (and its exceptions) that we do not run: none, every filter ELLA has runs.

    Kept because the API answers carry ``unsupported_filters`` (always empty now)."""
    found: list[str] = []
    filters = filterconfig.get("filters") if isinstance(filterconfig, dict) else None
    for f in filters or []:
        if not isinstance(f, dict):
            continue
        for name in [f.get("name"), *[e.get("name") for e in f.get("exceptions") or [] if isinstance(e, dict)]]:
            if isinstance(name, str) and name not in FILTERS and name not in found:
                found.append(name)
    return found


def describe(fc: FilterConfig, default: bool = False) -> dict[str, Any]:
    return {
        "id": fc.id,
        "name": fc.name,
        "requirements": fc.requirements,
        "filters": filter_names(fc.filterconfig),
        "unsupported_filters": unsupported_filters(fc.filterconfig),
        "default": default,
    }


# ------------------------------------------------------------------------------------------ running


def removed_by(excluded: Iterable[tuple[str, Iterable[int]]]) -> dict[int, str]:
    """{allele id: the filter that removed it} from (filter name, ids) pairs in the filters' order."""
    return {a: name for name, ids in excluded for a in ids}


@dataclass
class FilterOutcome:
    """Which alleles a config lets through and, per filter, which it removed (in the filters' order)."""

    filterconfig_id: int | None
    filterconfig_name: str | None
    passed: set[int]
    excluded: dict[str, list[int]] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    manually_added: list[int] = field(default_factory=list)

    @property
    def shown(self) -> list[int]:
        return sorted(self.passed | set(self.manually_added))

    def reason(self, allele_id: int) -> str | None:
        """The filter that removed the allele (None when it passed or was re-included)."""
        if allele_id in self.passed or allele_id in self.manually_added:
            return None
        for name, ids in self.excluded.items():
            if allele_id in ids:
                return name
        return None

    def filtered(self) -> list[tuple[int, str]]:
        return [(a, name) for name, ids in self.excluded.items() for a in ids]

    def reasons(self) -> dict[int, str]:
        """The filter that removed each filtered-out allele, as a snapshot records it."""
        return removed_by(self.excluded.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "filterconfig": None
            if self.filterconfig_id is None
            else {"id": self.filterconfig_id, "name": self.filterconfig_name},
            "allele_ids": self.shown,
            "excluded_allele_ids": self.excluded,
            "manually_added_allele_ids": self.manually_added,
            "unsupported_filters": self.unsupported,
        }


def check_filterconfig(filterconfig: Any) -> None:
    """Refuse a config that breaks the rules ``filterconfigs update`` checks (e.g. stored before them)."""
    problems = filterconfig_problems(filterconfig)
    if problems:
        details = "; ".join(f"{key or 'filterconfig'}: {reason}" for key, reason in problems[:5])
        raise FilterConfigError(f"the filter config cannot be applied: {details}")


def run(
    ctx: FilterContext, filterconfig: dict[str, Any], allele_ids: set[int]
) -> tuple[set[int], dict[str, list[int]]]:
    """Apply the filters in order; returns (alleles left, {filter name: alleles it removed}).

    As in ELLA, an allele-scoped exception is asked about the alleles its filter removed, an analysis-scoped
    one (segregation, inheritancemodel, quality) about every allele still in play before the filter ran (a
    compound heterozygous pair needs both alleles). A filter name used twice collects the alleles of both.
    """
    check_filterconfig(filterconfig)
    remaining = set(allele_ids)
    excluded: dict[str, list[int]] = {}
    for spec in filterconfig["filters"]:
        name = spec["name"]
        removed = FILTERS[name].apply(ctx, set(remaining), spec["config"]) & remaining
        for exception in spec.get("exceptions", []):
            if not removed:
                break
            kind = FILTERS[exception["name"]]
            candidates = set(remaining) if kind.scope == "analysis" else set(removed)
            removed -= kind.apply(ctx, candidates, exception["config"])
        excluded[name] = sorted(set(excluded.get(name, [])) | removed)
        remaining -= removed
    return remaining, excluded


def choose_filterconfig(
    eligible: Sequence[FilterConfig], requested_id: int | None, state: dict[str, Any] | None
) -> FilterConfig | None:
    """The requested config (must be eligible), else the one saved in the state if still eligible, else the
    group's first."""
    by_id = {fc.id: fc for fc in eligible}
    if requested_id is not None:
        if requested_id not in by_id:
            raise NotFoundError(f"filter config {requested_id} is not available for this analysis")
        return by_id[requested_id]
    saved = state.get("filterconfig_id") if isinstance(state, dict) else None
    if isinstance(saved, int) and saved in by_id:
        return by_id[saved]
    return eligible[0] if eligible else None


def manually_added(state: dict[str, Any] | None, allele_ids: set[int]) -> list[int]:
    value = state.get(MANUALLY_ADDED) if isinstance(state, dict) else None
    if not isinstance(value, list):
        return []
    return sorted({a for a in value if isinstance(a, int) and a in allele_ids})


def outcome_for(ctx: FilterContext, fc: FilterConfig | None, state: dict[str, Any] | None) -> FilterOutcome:
    allele_ids = set(ctx.alleles)
    if fc is None:
        return FilterOutcome(None, None, allele_ids)
    passed, excluded = run(ctx, fc.filterconfig, allele_ids)
    added = [a for a in manually_added(state, allele_ids) if a not in passed]
    return FilterOutcome(fc.id, fc.name, passed, excluded, unsupported_filters(fc.filterconfig), added)


def filter_interpretation(
    session: Session,
    app_config: dict[str, Any],
    group_id: int,
    analysis: Analysis,
    state: dict[str, Any] | None,
    *,
    filterconfig_id: int | None = None,
    genepanel: tuple[str, str] | None = None,
) -> tuple[FilterContext, FilterOutcome]:
    """Load the analysis and filter it with the chosen config."""
    ctx = analysis_context(
        session, app_config, analysis.id, genepanel or (analysis.genepanel_name, analysis.genepanel_version)
    )
    eligible = eligible_filterconfigs(session, group_id, analysis, ctx.samples)
    return ctx, outcome_for(ctx, choose_filterconfig(eligible, filterconfig_id, state), state)
