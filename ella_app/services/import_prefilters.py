"""A user group's deposit rule for an analysis, and ELLA's prefilters (variants left out at import).

**Which rule** (ELLA ``DepositAnalysis.get_usergroup_deposit_config``): every ``config.deposit.analysis[]``
entry of every user group that has the analysis's gene panel (name and version), whose ``pattern`` is found
in the analysis name (``re.search``). None matching: no prefilters, no postprocessing. More than one (in one
group or in several): the import is refused, naming each group and pattern.

**Prefilters** (ELLA ``PrefilterBatchGenerator``): ``prefilters`` is a list of lists of criteria. A proband
SNV/indel record is left out when every criterion of at least one inner list holds (inner lists are AND,
the outer list is OR). The criteria:

============================  ===================================================================
``hi_frequency``              INFO ``GNOMAD_GENOMES__AF`` > 0.05 and ``GNOMAD_GENOMES__AN`` > 5000
``low_mapping_quality``       INFO ``MQ`` < 20
``no_classification``         the allele has no classification (any ``alleleassessment``) yet
``position_not_nearby``       no other proband record within 3 bp before it on the chromosome; a
                              record left out only for lack of a neighbour is taken in after all
                              when the next proband record lies within 3 bp of it
``non_multiallelic``          not part of a multiallelic block where the proband's GT holds another
                              ALT (``1/.``, ``./1``)
============================  ===================================================================

CNV records (``INFO/SVTYPE``) are never prefiltered and take no part in the "nearby" chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ella_app.errors import InputError
from ella_app.services.import_blocks import Site, SiteError, is_sample_multiallelic

PREFILTERS = ("hi_frequency", "low_mapping_quality", "no_classification", "position_not_nearby", "non_multiallelic")
POSTPROCESSORS = ("analysis_not_ready_warnings", "analysis_finalize_without_findings", "analysis_tag_all_classified")

HI_FREQUENCY_AF = 0.05  # GNOMAD_GENOMES__AF above this …
HI_FREQUENCY_AN = 5000  # … with GNOMAD_GENOMES__AN above this
LOW_MAPPING_QUALITY = 20  # MQ below this
NEARBY = 3  # bp


@dataclass(frozen=True)
class DepositRule:
    """The ``config.deposit.analysis[index]`` entry of a user group that applies to an analysis."""

    usergroup_id: int
    usergroup: str
    index: int
    pattern: str
    prefilters: tuple[tuple[str, ...], ...]
    postprocess: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"config.deposit.analysis.{self.index}"

    def describe(self) -> str:
        return f"user group '{self.usergroup}' {self.key} (pattern {self.pattern!r})"


def _rule(group_id: int, group: str, index: int, entry: Any) -> DepositRule:
    source = f"user group '{group}'"
    key = f"config.deposit.analysis.{index}"
    if not isinstance(entry, Mapping) or not isinstance(entry.get("pattern"), str):
        raise InputError("a deposit rule needs a 'pattern' (a regular expression)", source=source, key=key)
    prefilters = entry.get("prefilters") or []
    if not isinstance(prefilters, list) or not all(isinstance(p, list) for p in prefilters):
        raise InputError("'prefilters' must be a list of lists of criteria", source=source, key=f"{key}.prefilters")
    for i, criteria in enumerate(prefilters):
        if not criteria:
            raise InputError(
                "an empty list of criteria would leave out every variant", source=source, key=f"{key}.prefilters.{i}"
            )
        for j, name in enumerate(criteria):
            if name not in PREFILTERS:
                raise InputError(
                    f"unknown prefilter {name!r} (known: {', '.join(PREFILTERS)})",
                    source=source,
                    key=f"{key}.prefilters.{i}.{j}",
                )
    postprocess = entry.get("postprocess") or []
    if not isinstance(postprocess, list):
        raise InputError("'postprocess' must be a list", source=source, key=f"{key}.postprocess")
    for i, name in enumerate(postprocess):
        if name not in POSTPROCESSORS:
            raise InputError(
                f"unknown postprocess {name!r} (known: {', '.join(POSTPROCESSORS)})",
                source=source,
                key=f"{key}.postprocess.{i}",
            )
    return DepositRule(
        group_id,
        group,
        index,
        entry["pattern"],
        tuple(tuple(p) for p in prefilters),
        tuple(postprocess),
    )


def deposit_rule(session: Session, analysis_name: str, genepanel: tuple[str, str]) -> DepositRule | None:
    """The one deposit rule that applies to the analysis, None if none does; InputError if several do."""
    rows = session.execute(
        text(
            "SELECT DISTINCT g.id, g.name, g.config FROM usergroup g "
            "JOIN usergroup_genepanel p ON p.usergroup_id = g.id "
            "WHERE p.genepanel_name = :name AND p.genepanel_version = :version ORDER BY g.name"
        ),
        {"name": genepanel[0], "version": genepanel[1]},
    ).all()
    matched: list[DepositRule] = []
    for group_id, group, config in rows:
        deposit = config.get("deposit") if isinstance(config, dict) else None
        entries = deposit.get("analysis") if isinstance(deposit, dict) else None
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            pattern = entry.get("pattern") if isinstance(entry, Mapping) else None
            try:
                found = isinstance(pattern, str) and re.search(pattern, analysis_name) is not None
            except re.error as exc:
                raise InputError(
                    f"invalid regular expression: {exc}",
                    source=f"user group '{group}'",
                    key=f"config.deposit.analysis.{index}.pattern",
                ) from None
            if found:
                matched.append(_rule(group_id, group, index, entry))
    if len(matched) > 1:
        raise InputError(
            f"analysis {analysis_name} (gene panel {genepanel[0]} {genepanel[1]}) matches more than one deposit "
            f"configuration: {'; '.join(r.describe() for r in matched)}. Only one may match: change the patterns "
            "(ella-cli users add_groups) and import again"
        )
    return matched[0] if matched else None


def classified_keys(session: Session) -> set[tuple[str, int, str, str]]:
    """(chromosome, POS, REF, ALT) of every allele with a classification (for ``no_classification``)."""
    rows = session.execute(
        text(
            "SELECT a.chromosome, a.vcf_pos, a.vcf_ref, a.vcf_alt FROM allele a "
            "WHERE EXISTS (SELECT 1 FROM alleleassessment aa WHERE aa.allele_id = a.id)"
        )
    ).all()
    return {(c, int(p), r, a) for c, p, r, a in rows}


def _number(site: Site, key: str, default: float, criterion: str) -> float:
    value = site.info.get(key)
    if value is None or value == ".":
        return default
    if not isinstance(value, str):
        raise SiteError(f"INFO {key} has no value (the {criterion} prefilter reads it)")
    try:
        return float(value)
    except ValueError:
        raise SiteError(f"INFO {key} {value!r} is not a number (the {criterion} prefilter reads it)") from None


def _nearby(a: Site, b: Site) -> bool:
    return a.record.chrom == b.record.chrom and abs(a.record.pos - b.record.pos) <= NEARBY


class Prefilter:
    """Decides, record by record in file order, which proband records are imported."""

    def __init__(
        self,
        criteria: tuple[tuple[str, ...], ...],
        proband_index: int,
        classified: set[tuple[str, int, str, str]] | None = None,
    ) -> None:
        self.criteria = [frozenset(c) for c in criteria]
        self.used = frozenset().union(*self.criteria) if self.criteria else frozenset()
        self.proband_index = proband_index
        self.classified = classified if classified is not None else set()
        if "no_classification" in self.used and classified is None:
            raise ValueError("no_classification needs the classified alleles")
        self.previous: Site | None = None
        self.previous_kept_if_nearby = False

    def checks(self, site: Site) -> dict[str, bool]:
        """Every criterion the rule uses, for one proband SNV/indel record."""
        used, record, result = self.used, site.record, {}
        if "hi_frequency" in used:
            af = _number(site, "GNOMAD_GENOMES__AF", 0.0, "hi_frequency")
            an = _number(site, "GNOMAD_GENOMES__AN", 0.0, "hi_frequency")
            result["hi_frequency"] = af > HI_FREQUENCY_AF and int(an) > HI_FREQUENCY_AN
        if "low_mapping_quality" in used:
            result["low_mapping_quality"] = (
                _number(site, "MQ", float("inf"), "low_mapping_quality") < LOW_MAPPING_QUALITY
            )
        if "no_classification" in used:
            key = (record.chrom, record.pos, record.ref, record.alt)
            result["no_classification"] = key not in self.classified
        if "position_not_nearby" in used:
            result["position_not_nearby"] = self.previous is None or not _nearby(self.previous, site)
        if "non_multiallelic" in used:
            result["non_multiallelic"] = not is_sample_multiallelic(site, self.proband_index)
        return result

    def left_out(self, checks: dict[str, bool]) -> bool:
        return any(all(checks[c] for c in criteria) for criteria in self.criteria)

    def decide(self, site: Site) -> Site | None:
        """Set ``site.keep`` for a proband record; returns the previous record when it is taken in after all
        because this one lies within 3 bp of it."""
        if site.is_cnv:
            site.keep = True
            return None
        taken_in = None
        if self.previous_kept_if_nearby and self.previous is not None and _nearby(self.previous, site):
            taken_in = self.previous
            taken_in.keep = True
        try:
            checks = self.checks(site)
        except SiteError as exc:
            exc.line = site.record.line
            raise
        if not self.left_out(checks):
            site.keep = True
            self.previous_kept_if_nearby = False
        else:
            site.keep = False
            if "position_not_nearby" in checks:
                checks["position_not_nearby"] = False
                self.previous_kept_if_nearby = not self.left_out(checks)
            else:
                self.previous_kept_if_nearby = False
        self.previous = site
        return taken_in


def decided_blocks(blocks: Iterable[list[Site]], prefilter: Prefilter | None) -> Iterator[list[Site]]:
    """The blocks, each once its sites' ``keep`` is final: without prefilters every carried site is kept; with
    them a block waits until the next proband SNV/indel record is decided (it may take in the last one)."""
    pending: list[list[Site]] = []
    for block in blocks:
        decided = False
        for site in block:
            if not site.carried:
                continue
            if prefilter is None:
                site.keep = True
                continue
            prefilter.decide(site)
            decided = decided or not site.is_cnv
        if prefilter is None:
            yield block
        elif decided:
            yield from pending
            pending = [block]
        else:
            pending.append(block)
    yield from pending
