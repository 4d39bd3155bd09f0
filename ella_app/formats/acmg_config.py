"""The ``acmg`` part of a user config (ELLA's ``config.acmg`` of usergroups.json, users.json or ella_config.yml
``user.user_config``): the input of the ACMG rule engine.

Shape, as ELLA reads it (docs/technical/acmg.md, ``datalayer/acmgconfig.py``)::

    frequency:
      groups: {external: {PROVIDER: [population, ...]}, internal: {...}}   # optional, a subset of
                                                                           # frequencies.groups (the default)
      thresholds:                                                          # BA1/BS1 cut-offs per inheritance
        AD:      {external: {hi_freq_cutoff: 0.005, lo_freq_cutoff: 0.001}, internal: {...}}
        default: {external: {hi_freq_cutoff: 0.01, lo_freq_cutoff: 1.0}, internal: {...}}
      num_thresholds: {PROVIDER: {population: 5000}}                       # minimum allele number
    disease_mode: ANY | MISS | LOF                                         # default ANY
    last_exon_important: LEI | LENI                                        # default LEI
    genes:
      "<hgnc id>": {frequency: {thresholds: {external: {...}}, num_thresholds: {...}},
                    disease_mode, last_exon_important, inheritance, comment}   # all optional

:func:`parse_acmg_config` checks all of it and lists every problem with its key; ELLA would fail with a
``KeyError`` in the middle of a request on most of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ella_app.errors import InputError, InputErrors

DISEASE_MODES = ("ANY", "MISS", "LOF")
LAST_EXON = ("LEI", "LENI")
INHERITANCE_GROUPS = ("AD", "default")  # the only keys of frequency.thresholds ELLA uses
DEFAULT_DISEASE_MODE = "ANY"
DEFAULT_LAST_EXON_IMPORTANT = "LEI"
_KEYS = ("frequency", "disease_mode", "last_exon_important", "genes")
_FREQUENCY_KEYS = ("groups", "thresholds", "num_thresholds")
_GENE_KEYS = ("frequency", "disease_mode", "last_exon_important", "inheritance", "comment")
_CUTOFFS = ("hi_freq_cutoff", "lo_freq_cutoff")

FrequencyGroups = dict[str, dict[str, tuple[str, ...]]]  # group → provider → populations


@dataclass(frozen=True)
class Cutoffs:
    hi: float  # hi_freq_cutoff: at or above → common (BA1)
    lo: float  # lo_freq_cutoff: at or above, below hi → less common (BS1)


@dataclass(frozen=True)
class FrequencySettings:
    groups: FrequencyGroups
    thresholds: dict[str, dict[str, Cutoffs]]  # "AD" | "default" → group → cut-offs
    num_thresholds: dict[str, dict[str, int]]  # provider → population → minimum allele number


@dataclass(frozen=True)
class GeneOverride:
    thresholds: dict[str, Cutoffs] | None  # group → cut-offs
    num_thresholds: dict[str, dict[str, int]] | None
    values: dict[str, str]  # disease_mode, last_exon_important, inheritance, comment (those given)


@dataclass(frozen=True)
class AcmgSettings:
    frequency: FrequencySettings | None
    disease_mode: str = DEFAULT_DISEASE_MODE
    last_exon_important: str = DEFAULT_LAST_EXON_IMPORTANT
    genes: dict[int, GeneOverride] = field(default_factory=dict)


def app_frequency_groups(app_config: Mapping[str, Any]) -> FrequencyGroups:
    """``frequencies.groups`` of ella_config.yml (validated by the config schema)."""
    groups = app_config.get("frequencies", {}).get("groups", {})
    return {
        group: {provider: tuple(pops) for provider, pops in providers.items() if isinstance(pops, list)}
        for group, providers in (groups.items() if isinstance(groups, dict) else [])
        if isinstance(providers, dict)
    }


class _Checker:
    def __init__(self, key: str, source: str | None, line: int | None) -> None:
        self.key, self.source, self.line = key, source, line
        self.errors: list[InputError] = []

    def fail(self, path: str, problem: str) -> None:
        key = f"{self.key}.{path}" if path else self.key
        self.errors.append(InputError(problem, source=self.source, line=self.line, key=key))

    def obj(self, value: Any, path: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        if allowed is not None:
            unknown = sorted(set(value) - set(allowed))
            for name in unknown:
                self.fail(f"{path}.{name}" if path else name, f"unknown key (known: {', '.join(allowed)})")
        return value

    def choice(self, value: Any, path: str, options: tuple[str, ...]) -> str | None:
        if value not in options:
            self.fail(path, f"{value!r} is not one of {', '.join(options)}")
            return None
        return str(value)

    def text(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return None
        return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _groups(c: _Checker, value: Any, path: str, known: FrequencyGroups) -> FrequencyGroups:
    """``frequency.groups``: must be a subset of the application's ``frequencies.groups``."""
    groups: FrequencyGroups = {}
    data = c.obj(value, path)
    for group, providers in (data or {}).items():
        if group not in known:
            c.fail(f"{path}.{group}", f"group '{group}' is not in frequencies.groups ({', '.join(known) or 'none'})")
            continue
        items = c.obj(providers, f"{path}.{group}") or {}
        groups[group] = {}
        for provider, pops in items.items():
            where = f"{path}.{group}.{provider}"
            if provider not in known[group]:
                c.fail(where, f"frequency provider '{provider}' is not in frequencies.groups.{group}")
                continue
            if not isinstance(pops, list) or not all(isinstance(p, str) for p in pops):
                c.fail(where, "must be a list of populations")
                continue
            for pop in pops:
                if pop not in known[group][provider]:
                    c.fail(where, f"population '{pop}' is not in frequencies.groups.{group}.{provider}")
            groups[group][provider] = tuple(p for p in pops if p in known[group][provider])
    return groups


def _cutoffs(c: _Checker, value: Any, path: str, groups: FrequencyGroups) -> dict[str, Cutoffs]:
    """``{group: {hi_freq_cutoff, lo_freq_cutoff}}`` with groups of the frequency groups."""
    out: dict[str, Cutoffs] = {}
    data = c.obj(value, path)
    for group, pair in (data or {}).items():
        where = f"{path}.{group}"
        if group not in groups:
            hint = " (cut-offs are given per group, as in ELLA: {external: {hi_freq_cutoff, lo_freq_cutoff}})"
            c.fail(
                where,
                f"'{group}' is not a frequency group ({', '.join(groups) or 'none configured'})"
                + (hint if group in _CUTOFFS else ""),
            )
            continue
        items = c.obj(pair, where, _CUTOFFS)
        if items is None:
            continue
        numbers = {}
        for name in _CUTOFFS:
            if name not in items:
                c.fail(where, f"'{name}' is required")
                continue
            number = _number(items[name])
            if number is None or not 0 <= number <= 1:
                c.fail(f"{where}.{name}", f"must be a frequency between 0 and 1, not {items[name]!r}")
                continue
            numbers[name] = number
        if len(numbers) == 2:
            out[group] = Cutoffs(numbers["hi_freq_cutoff"], numbers["lo_freq_cutoff"])
    return out


def _num_thresholds(c: _Checker, value: Any, path: str, groups: FrequencyGroups) -> dict[str, dict[str, int]]:
    providers = {p: pops for members in groups.values() for p, pops in members.items()}
    out: dict[str, dict[str, int]] = {}
    data = c.obj(value, path)
    for provider, per_pop in (data or {}).items():
        where = f"{path}.{provider}"
        if provider not in providers:
            c.fail(
                where,
                f"frequency provider '{provider}' is not in frequencies.groups of the application config "
                f"({', '.join(sorted(providers)) or 'none configured'})",
            )
            continue
        if not isinstance(per_pop, dict):
            c.fail(where, "must be an object {population: minimum allele number}, as in ELLA")
            continue
        out[provider] = {}
        for pop, minimum in per_pop.items():
            if pop not in providers[provider]:
                c.fail(f"{where}.{pop}", f"population '{pop}' is not one of {provider}'s in frequencies.groups")
            elif isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
                c.fail(f"{where}.{pop}", f"must be a whole number of alleles, not {minimum!r}")
            else:
                out[provider][pop] = minimum
    return out


def _frequency(c: _Checker, value: Any, known: FrequencyGroups) -> FrequencySettings | None:
    data = c.obj(value, "frequency", _FREQUENCY_KEYS)
    if data is None:
        return None
    groups = _groups(c, data["groups"], "frequency.groups", known) if "groups" in data else known
    thresholds: dict[str, dict[str, Cutoffs]] = {}
    raw = c.obj(data.get("thresholds"), "frequency.thresholds") if "thresholds" in data else None
    if "thresholds" not in data:
        c.fail("frequency", "'thresholds' is required (with a 'default' entry)")
    elif raw is not None:
        if "default" not in raw:
            c.fail("frequency.thresholds", "a 'default' entry is required")
        for mode, cutoffs in raw.items():
            if mode not in INHERITANCE_GROUPS:
                c.fail(
                    f"frequency.thresholds.{mode}",
                    f"unknown key (the rule engine uses {' and '.join(INHERITANCE_GROUPS)})",
                )
                continue
            thresholds[mode] = _cutoffs(c, cutoffs, f"frequency.thresholds.{mode}", groups)
    nums = (
        _num_thresholds(c, data["num_thresholds"], "frequency.num_thresholds", groups)
        if "num_thresholds" in data
        else {}
    )
    return FrequencySettings(groups, thresholds, nums)


def _gene(c: _Checker, hgnc: str, value: Any, groups: FrequencyGroups) -> GeneOverride | None:
    path = f"genes.{hgnc}"
    data = c.obj(value, path, _GENE_KEYS)
    if data is None:
        return None
    thresholds = nums = None
    if "frequency" in data:
        frequency = c.obj(data["frequency"], f"{path}.frequency", ("thresholds", "num_thresholds"))
        if frequency is not None:
            if "thresholds" not in frequency:
                c.fail(f"{path}.frequency", "'thresholds' is required when a gene overrides the frequency")
            else:
                thresholds = _cutoffs(c, frequency["thresholds"], f"{path}.frequency.thresholds", groups)
            if "num_thresholds" in frequency:
                nums = _num_thresholds(c, frequency["num_thresholds"], f"{path}.frequency.num_thresholds", groups)
    values: dict[str, str] = {}
    for name, options in (("disease_mode", DISEASE_MODES), ("last_exon_important", LAST_EXON)):
        if name in data and (chosen := c.choice(data[name], f"{path}.{name}", options)) is not None:
            values[name] = chosen
    for name in ("inheritance", "comment"):
        if name in data and (text := c.text(data[name], f"{path}.{name}")) is not None:
            values[name] = text
    return GeneOverride(thresholds, nums, values)


def check_acmg_config(
    value: Any,
    frequency_groups: FrequencyGroups,
    *,
    key: str = "acmg",
    source: str | None = None,
    line: int | None = None,
) -> tuple[AcmgSettings | None, list[InputError]]:
    """The settings and every problem found (each naming its key under ``key``); settings are None on errors."""
    c = _Checker(key, source, line)
    data = c.obj(value, "", _KEYS)
    if data is None:
        return None, c.errors
    frequency = _frequency(c, data["frequency"], frequency_groups) if "frequency" in data else None
    groups = frequency.groups if frequency is not None else frequency_groups
    disease_mode = c.choice(data.get("disease_mode", DEFAULT_DISEASE_MODE), "disease_mode", DISEASE_MODES)
    last_exon = c.choice(data.get("last_exon_important", DEFAULT_LAST_EXON_IMPORTANT), "last_exon_important", LAST_EXON)
    genes: dict[int, GeneOverride] = {}
    for hgnc, override in (c.obj(data.get("genes", {}), "genes") or {}).items():
        if not hgnc.isdigit() or int(hgnc) == 0:
            c.fail(f"genes.{hgnc}", "gene overrides are keyed by HGNC id (a number)")
            continue
        gene = _gene(c, hgnc, override, groups)
        if gene is not None:
            genes[int(hgnc)] = gene
    if c.errors:
        return None, c.errors
    assert disease_mode is not None and last_exon is not None
    return AcmgSettings(frequency, disease_mode, last_exon, genes), []


def parse_acmg_config(
    value: Any, frequency_groups: FrequencyGroups, *, key: str = "acmg", source: str | None = None
) -> AcmgSettings:
    """The settings, or InputError naming the first bad key (all of them when several)."""
    settings, errors = check_acmg_config(value, frequency_groups, key=key, source=source)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    assert settings is not None
    return settings
