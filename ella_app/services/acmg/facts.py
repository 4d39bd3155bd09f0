"""The data the rules read for one allele, from its annotation, the gene panel and the group's ``acmg`` config.

As ELLA's ``ACMGDataLoader`` builds it:

* the annotation as imported, with the current custom annotation's ``external`` and ``prediction`` laid over;
* ``transcript``: the one annotation transcript that is a panel transcript (version ignored), or null when
  there are none or several; ``in_last_exon`` (yes/no) from VEP's ``EXON`` "i/N" when the importer did not
  write it (ELLA's VEP converter: no EXON → "no");
* ``genepanel``: ``disease_mode``, ``last_exon_important``, ``inheritance`` (AD or AR when every panel
  transcript of the gene says so), ``freq_cutoffs``, then the gene's override (``genes.<hgnc id>``);
* ``frequencies``: only ``commonness`` (common | less_common | low_freq | null_freq | num_threshold);
* ``refassessment.<allele id>_<reference id>``: the evaluations of the reference assessments sent along.

Commonness (ELLA's ``FrequencyFilter.get_commonness_groups``): the thresholds are those of a gene override
when one of the allele's genes has a frequency override, else ``AD`` when one of its genes is AD in the panel,
else ``default``. Over the populations of the frequency groups (a frequency counts only when its allele number
reaches ``num_thresholds``): common if one is ≥ hi_freq_cutoff; else less common if one is in
[lo_freq_cutoff, hi_freq_cutoff); else low if one is < lo_freq_cutoff; else null_freq if none has a
frequency; else num_threshold. Without frequency thresholds in the config there is no commonness.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ella_app.formats.acmg_config import AcmgSettings, Cutoffs, FrequencySettings
from ella_app.services.filters.context import PanelData, PanelTranscript, base_name

COMMONNESS = ("common", "less_common", "low_freq", "null_freq", "num_threshold")
ANNOTATION_KEYS = ("transcripts", "frequencies")  # read here besides what the rules read
_EXON = re.compile(r"^\s*([^/]+)/([^/]+)\s*$")


@dataclass(frozen=True)
class ReferenceEvaluation:
    allele_id: int
    reference_id: int
    evaluation: dict[str, Any]


def in_last_exon(transcript: Mapping[str, Any]) -> str:
    """ "yes"/"no" as ELLA's VEP converter writes it: EXON "27/27" is the last exon; no EXON is "no"."""
    given = transcript.get("in_last_exon")
    if given in ("yes", "no"):
        return str(given)
    match = _EXON.match(transcript["exon"]) if isinstance(transcript.get("exon"), str) else None
    return "yes" if match is not None and match.group(1) == match.group(2) else "no"


def panel_transcripts(annotation: Mapping[str, Any], panel: PanelData) -> list[tuple[dict[str, Any], PanelTranscript]]:
    transcripts = annotation.get("transcripts")
    if not isinstance(transcripts, list):
        return []
    return [
        (t, tx)
        for t in transcripts
        if isinstance(t, dict) and isinstance(t.get("transcript"), str)
        for tx in panel.by_base.get(base_name(t["transcript"]), ())
    ]


_modes: dict[int, tuple[PanelData, dict[int, set[str]]]] = {}


def _panel_modes(panel: PanelData) -> dict[int, set[str]]:
    """Gene → the inheritance strings of its panel transcripts (once per loaded panel: panels can be exomes)."""
    found = _modes.get(id(panel))
    if found is not None and found[0] is panel:
        return found[1]
    modes: dict[int, set[str]] = {}
    for tx in panel.transcripts:
        modes.setdefault(tx.gene_id, set()).add(tx.inheritance)
    if len(_modes) > 64:
        _modes.clear()
    _modes[id(panel)] = (panel, modes)
    return modes


def _gene_mode(panel: PanelData, hgnc_id: int, mode: str) -> bool:
    """ELLA's ``distinct_inheritance_hgnc_ids_for_genepanel``: every panel transcript of the gene has ``mode``."""
    return _panel_modes(panel).get(hgnc_id) == {mode}


def _cutoffs_json(cutoffs: Mapping[str, Cutoffs]) -> dict[str, Any]:
    return {g: {"hi_freq_cutoff": c.hi, "lo_freq_cutoff": c.lo} for g, c in cutoffs.items()}


def genepanel_facts(settings: AcmgSettings, panel: PanelData, hgnc_id: int | None) -> dict[str, Any]:
    """ELLA's ``AcmgConfig.resolve``: the gene's values for the rules (``genepanel.*``)."""
    facts: dict[str, Any] = {
        "disease_mode": settings.disease_mode,
        "last_exon_important": settings.last_exon_important,
    }
    thresholds = settings.frequency.thresholds if settings.frequency else {}
    if hgnc_id is None:
        if "default" in thresholds:
            facts["freq_cutoffs"] = _cutoffs_json(thresholds["default"])
        return facts
    is_ad = _gene_mode(panel, hgnc_id, "AD")
    if is_ad:
        facts["inheritance"] = "AD"
    elif _gene_mode(panel, hgnc_id, "AR"):
        facts["inheritance"] = "AR"
    chosen = thresholds.get("AD") if is_ad and "AD" in thresholds else thresholds.get("default")
    if chosen is not None:
        facts["freq_cutoffs"] = _cutoffs_json(chosen)
    override = settings.genes.get(hgnc_id)
    if override is not None:
        if override.thresholds is not None:
            facts["freq_cutoffs"] = _cutoffs_json(override.thresholds)
        facts.update(override.values)
    return facts


_Key = tuple[str, str, float, float, int | None]  # provider, population, hi, lo, minimum allele number
_key_lists: dict[tuple[int, int, int], tuple[Any, list[_Key]]] = {}


def _keys(settings: FrequencySettings, cutoffs: dict[str, Cutoffs], nums: dict[str, dict[str, int]]) -> list[_Key]:
    """The frequencies to look at with their cut-offs, in ELLA's order (once per config and threshold set)."""
    cache_key = (id(settings), id(cutoffs), id(nums))
    found = _key_lists.get(cache_key)
    if found is not None and all(a is b for a, b in zip(found[0], (settings, cutoffs, nums), strict=True)):
        return found[1]
    keys = [
        (provider, population, cut.hi, cut.lo, nums.get(provider, {}).get(population))
        for group, cut in cutoffs.items()
        for provider, populations in settings.groups.get(group, {}).items()
        for population in populations
    ]
    if len(_key_lists) > 256:
        _key_lists.clear()
    _key_lists[cache_key] = ((settings, cutoffs, nums), keys)
    return keys


def commonness(annotation: Mapping[str, Any], genes: set[int], acmg: AcmgSettings, panel: PanelData) -> str | None:
    """common | less_common | low_freq | null_freq | num_threshold (see the module docstring); None without
    frequency thresholds in the config."""
    settings = acmg.frequency
    if settings is None or not settings.thresholds:
        return None
    frequencies = annotation.get("frequencies")
    frequencies = frequencies if isinstance(frequencies, dict) else {}
    rule_sets: list[tuple[dict[str, Cutoffs], dict[str, dict[str, int]]]] = []
    for gene in sorted(genes):
        override = acmg.genes.get(gene)
        if override is not None and override.thresholds is not None:
            nums = override.num_thresholds if override.num_thresholds is not None else settings.num_thresholds
            rule_sets.append((override.thresholds, nums))
    if not rule_sets:
        is_ad = "AD" in settings.thresholds and any(_gene_mode(panel, g, "AD") for g in genes)
        chosen = settings.thresholds["AD"] if is_ad else settings.thresholds.get("default", {})
        rule_sets = [(chosen, settings.num_thresholds)]
    found: set[str] = set()
    any_frequency = False
    for cutoffs, nums in rule_sets:
        for provider, population, hi, lo, minimum in _keys(settings, cutoffs, nums):
            data = frequencies.get(provider)
            freqs = data.get("freq") if type(data) is dict else None
            freq = freqs.get(population) if type(freqs) is dict else None
            if type(freq) is not float and type(freq) is not int:
                continue
            any_frequency = True
            if minimum is not None:
                counts = data.get("num")  # type: ignore[union-attr]
                num = counts.get(population) if type(counts) is dict else None
                if (type(num) is not float and type(num) is not int) or num < minimum:
                    continue
            if freq >= hi:
                found.add("common")
            elif freq >= lo:
                found.add("less_common")
            if freq < lo:
                found.add("low_freq")
    for group in ("common", "less_common", "low_freq"):
        if group in found:
            return group
    return "num_threshold" if any_frequency else "null_freq"


def allele_data(
    allele_id: int,
    annotation: Mapping[str, Any],
    custom: Mapping[str, Any] | None,
    settings: AcmgSettings,
    panel: PanelData,
    references: Sequence[ReferenceEvaluation] = (),
    gene_facts: dict[int | None, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The data the rules of one allele read (see the module docstring). ``gene_facts``: the ``genepanel``
    values already worked out in this request, by HGNC id (shared: not to be changed)."""
    data = dict(annotation)
    if custom:
        for key in ("external", "prediction"):
            ours, theirs = data.get(key), custom.get(key)
            if isinstance(theirs, dict):
                data[key] = {**(ours if isinstance(ours, dict) else {}), **theirs}
    matches = panel_transcripts(annotation, panel)
    transcript: dict[str, Any] | None = None
    hgnc_id: int | None = None
    if len(matches) == 1:
        found, tx = matches[0]
        transcript = {**found, "in_last_exon": in_last_exon(found)}
        hgnc_id = tx.gene_id
        transcript.setdefault("hgnc_id", hgnc_id)
    data["transcript"] = transcript
    if gene_facts is None:
        data["genepanel"] = genepanel_facts(settings, panel, hgnc_id)
    else:
        found = gene_facts.get(hgnc_id)
        if found is None:
            found = gene_facts[hgnc_id] = genepanel_facts(settings, panel, hgnc_id)
        data["genepanel"] = found
    genes = {tx.gene_id for _, tx in matches}
    transcripts = annotation.get("transcripts")
    for t in transcripts if isinstance(transcripts, list) else []:
        gene = t.get("hgnc_id") if isinstance(t, dict) else None
        if isinstance(gene, int) and not isinstance(gene, bool):
            genes.add(gene)
    found = commonness(annotation, genes, settings, panel)
    data["frequencies"] = {"commonness": found} if found is not None else {}
    if references:
        data["refassessment"] = {f"{r.allele_id}_{r.reference_id}": r.evaluation for r in references}
    return data
