"""Apply a rule set to the data of one allele: which codes pass, from which source, on which data.

The data is a nested object (annotation, ``transcript``, ``genepanel``, ``frequencies.commonness``,
``refassessment.<allele>_<reference>.…``); as in ELLA it is flattened to dotted keys whose values are the
leaves (anything but an object: lists included). A source rule passes when its source is a key and its test
holds on the value there; a source with ``.*.`` stands for every matching key (one rule per key, in the
order of the data). An aggregate rule passes when its test holds on the codes passed so far.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import translate
from functools import cache
from typing import Any

from ella_app.services.acmg.language import Rule, RuleSet

MAX_DEPTH = 32  # deeper objects are not flattened further (request bodies are limited well below)


@dataclass(frozen=True)
class Passed:
    """A passed rule, as ELLA's API shows it: ``code``, ``source``, ``op``, ``value`` (what the rule asks
    for) and ``match`` (the data, or for aggregate rules the codes, that satisfied it)."""

    code: str
    source: str | None
    op: str
    value: Any
    match: list[Any]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source, "op": self.op, "value": self.value, "match": self.match}


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a": {"b": 1, "c": [2]}}`` → ``{"a.b": 1, "a.c": [2]}`` (ELLA's ``parseNodeToSourceKeyedDict``),
    keys in the order of the data; objects nested deeper than MAX_DEPTH are left out."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Mapping[str, Any], depth: int) -> None:
        for key, child in node.items():
            if isinstance(child, dict):
                if depth < MAX_DEPTH:
                    walk(f"{prefix}{key}.", child, depth + 1)
            else:
                flat[f"{prefix}{key}"] = child

    walk("", data, 0)
    return flat


@cache
def _pattern(source: str) -> tuple[str, re.Pattern[str]]:
    """A wildcard source's literal prefix (to narrow the keys) and its compiled fnmatch pattern."""
    return source.split("*", 1)[0], re.compile(translate(source))


def _sources(rule: Rule, flat: dict[str, Any]) -> list[str]:
    assert rule.source is not None
    if not rule.wildcard:
        return [rule.source] if rule.source in flat else []
    prefix, pattern = _pattern(rule.source)
    return [key for key in flat if key.startswith(prefix) and pattern.match(key)]


def run_rules(ruleset: RuleSet, data: Mapping[str, Any]) -> tuple[list[Passed], list[tuple[str, str | None]]]:
    """(passed, not passed) in evaluation order; a not passed rule as (code, source). A source rule whose
    source is missing did not pass; a ``.*.`` rule without any matching key is not evaluated at all (ELLA)."""
    flat = flatten(data)
    passed: list[Passed] = []
    failed: list[tuple[str, str | None]] = []
    codes: list[str] = []
    for rule in ruleset.rules:
        if rule.inert:
            failed.append((rule.code, rule.source))
            continue
        if rule.aggregate:
            hit = rule.test.evaluate(codes, codes)
            if hit is None:
                failed.append((rule.code, None))
            else:
                passed.append(Passed(rule.code, None, rule.test.op, rule.test.describe(), hit))
                codes.append(rule.code)
            continue
        sources = _sources(rule, flat)
        if not sources and not rule.wildcard:
            failed.append((rule.code, rule.source))
        for source in sources:
            raw = flat[source]
            hit = rule.test.evaluate(raw if isinstance(raw, list) else [raw], raw)
            if hit is None:
                failed.append((rule.code, source))
            else:
                passed.append(Passed(rule.code, source, rule.test.op, rule.test.describe(), hit))
                codes.append(rule.code)
    return passed, failed


def apply_rules(ruleset: RuleSet, data: Mapping[str, Any]) -> list[Passed]:
    """The rules that pass on ``data``, in evaluation order (a code may pass more than once)."""
    return run_rules(ruleset, data)[0]
