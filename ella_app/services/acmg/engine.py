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

from ella_app.services.acmg.language import All, And, In, Or, Rule, RuleSet, Test, Values

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


def flatten(data: Mapping[str, Any], roots: frozenset[str] | None = None) -> dict[str, Any]:
    """``{"a": {"b": 1, "c": [2]}}`` → ``{"a.b": 1, "a.c": [2]}`` (ELLA's ``parseNodeToSourceKeyedDict``),
    keys in the order of the data; objects nested deeper than MAX_DEPTH are left out. ``roots``: only these
    top-level keys (the first parts of the rules' sources: nothing else can match)."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Mapping[str, Any], depth: int) -> None:
        for key, child in node.items():
            if isinstance(child, dict):
                if depth < MAX_DEPTH:
                    walk(f"{prefix}{key}.", child, depth + 1)
            else:
                flat[f"{prefix}{key}"] = child

    if roots is None:
        walk("", data, 0)
    else:
        walk("", {k: v for k, v in data.items() if k.split(".", 1)[0] in roots}, 0)
    return flat


@cache
def _pattern(source: str) -> tuple[str, re.Pattern[str]]:
    """A wildcard source's literal prefix (to narrow the keys) and its compiled fnmatch pattern."""
    return source.split("*", 1)[0], re.compile(translate(source))


def _necessary(test: Test) -> frozenset[str]:
    """Codes without which an aggregate test cannot pass (checked first: one set operation)."""
    if isinstance(test, In) and len(test.values) == 1 and isinstance(test.values[0], str):
        return frozenset({test.values[0]})
    if isinstance(test, All):
        return frozenset(p for p in test.patterns if isinstance(p, str) and not p.endswith("*"))
    if isinstance(test, And):
        return frozenset().union(*(_necessary(c) for c in test.children))
    if isinstance(test, Or) and test.children:
        return frozenset.intersection(*(_necessary(c) for c in test.children))
    return frozenset()


_INERT, _AGGREGATE, _SOURCE, _WILDCARD = range(4)
_MISSING = object()
# one evaluation step: (kind, code, source, test, op, value shown, necessary codes, wildcard prefix, pattern)
_Step = tuple[int, str, str | None, Test, str, Any, frozenset[str], str, re.Pattern[str] | None]


@dataclass(frozen=True)
class _Plan:
    steps: list[_Step]
    roots: frozenset[str]
    sources: tuple[tuple[str, tuple[str, ...]], ...]  # exact sources and their parts
    prefixes: tuple[tuple[str, tuple[str, ...]], ...]  # literal prefixes of the wildcard sources and their parts


_plans: dict[int, tuple[RuleSet, _Plan]] = {}


def _step(rule: Rule) -> _Step:
    test, shown = rule.test, rule.test.describe()
    if rule.inert:
        return (_INERT, rule.code, rule.source, test, test.op, shown, frozenset(), "", None)
    if rule.source is None:
        return (_AGGREGATE, rule.code, None, test, test.op, shown, _necessary(test), "", None)
    if rule.wildcard:
        prefix, pattern = _pattern(rule.source)
        return (_WILDCARD, rule.code, rule.source, test, test.op, shown, frozenset(), prefix, pattern)
    return (_SOURCE, rule.code, rule.source, test, test.op, shown, frozenset(), "", None)


def _plan(ruleset: RuleSet) -> _Plan:
    """The rule set compiled for evaluation (once per rule set)."""
    found = _plans.get(id(ruleset))
    if found is not None and found[0] is ruleset:
        return found[1]
    plan = _Plan(
        [_step(rule) for rule in ruleset.rules],
        frozenset(r.source.split(".", 1)[0] for r in ruleset.rules if r.source),
        tuple(
            (source, tuple(source.split(".")))
            for source in dict.fromkeys(r.source for r in ruleset.rules if r.source and not r.wildcard and not r.inert)
        ),
        tuple(
            (prefix, tuple(prefix[:-1].split(".")))
            for prefix in dict.fromkeys(_pattern(r.source)[0] for r in ruleset.rules if r.source and r.wildcard)
        ),
    )
    if len(_plans) > 64:
        _plans.clear()
    _plans[id(ruleset)] = (ruleset, plan)
    return plan


def _lookup(node: Mapping[str, Any], parts: tuple[str, ...], start: int, *, leaf: bool = True) -> Any:
    """The value at a dotted path, as the flattened data has it: a leaf (not an object) when ``leaf``, else an
    object; keys that hold dots themselves are found too. _MISSING when there is none."""
    end = len(parts)
    for stop in range(start + 1, end + 1):
        key = parts[start] if stop == start + 1 else ".".join(parts[start:stop])
        if key not in node:
            continue
        child = node[key]
        if stop == end:
            if isinstance(child, dict) != leaf:
                return child
            continue
        if isinstance(child, dict):
            found = _lookup(child, parts, stop, leaf=leaf)
            if found is not _MISSING:
                return found
    return _MISSING


def _gather(plan: _Plan, data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the flattened data the rules can read: the exact sources, and every key under a wildcard
    prefix (in the order of the data)."""
    flat: dict[str, Any] = {}
    dotted = any("." in key for key in data)  # a top-level key with a dot: look everything up the long way
    for source, parts in plan.sources:
        if not dotted and parts[0] not in data:
            continue
        value = _lookup(data, parts, 0)
        if value is not _MISSING:
            flat[source] = value
    for prefix, parts in plan.prefixes:
        if not dotted and parts[0] not in data:
            continue
        node = _lookup(data, parts, 0, leaf=False)
        if node is not _MISSING:
            for key, value in flatten(node).items():
                flat[prefix + key] = value
    return flat


def _evaluate(
    ruleset: RuleSet, data: Mapping[str, Any], failed: list[tuple[str, str | None]] | None
) -> list[dict[str, Any]]:
    plan = _plan(ruleset)
    return _evaluate_flat(plan, flatten(data, plan.roots), failed)


def _evaluate_flat(
    plan: _Plan, flat: dict[str, Any], failed: list[tuple[str, str | None]] | None
) -> list[dict[str, Any]]:
    under: dict[str, list[str]] = {}
    values: dict[str, Values] = {}
    passed: list[dict[str, Any]] = []
    codes = Values()
    present = codes.present
    for kind, code, source, test, op, shown, necessary, prefix, pattern in plan.steps:
        if kind == _AGGREGATE:  # on the codes passed so far
            hit = test.evaluate(codes) if not necessary or necessary <= present else None
            if hit is not None:
                passed.append({"code": code, "source": None, "op": op, "value": shown, "match": hit})
                codes.add(code)
            elif failed is not None:
                failed.append((code, None))
            continue
        if kind == _SOURCE:
            if source not in flat:
                if failed is not None:
                    failed.append((code, source))
                continue
            sources = [source]
        elif kind == _WILDCARD:
            keys = under.get(prefix)
            if keys is None:
                keys = under[prefix] = [k for k in flat if k.startswith(prefix)]
            if not keys:
                continue
            assert pattern is not None
            sources = [k for k in keys if pattern.match(k)]
        else:  # inert
            if failed is not None:
                failed.append((code, source))
            continue
        for key in sources:
            given = values.get(key)
            if given is None:
                given = values[key] = Values.of(flat[key])
            hit = test.evaluate(given)
            if hit is not None:
                passed.append({"code": code, "source": key, "op": op, "value": shown, "match": hit})
                codes.add(code)
            elif failed is not None:
                failed.append((code, key))
    return passed


def rule_roots(ruleset: RuleSet) -> frozenset[str]:
    """The top-level keys of the data the rules can read (first parts of their sources)."""
    return _plan(ruleset).roots


def run_rules(ruleset: RuleSet, data: Mapping[str, Any]) -> tuple[list[Passed], list[tuple[str, str | None]]]:
    """(passed, not passed) in evaluation order; a not passed rule as (code, source). A source rule whose
    source is missing did not pass; a ``.*.`` rule without any matching key is not evaluated at all (ELLA)."""
    failed: list[tuple[str, str | None]] = []
    passed = [Passed(**p) for p in _evaluate(ruleset, data, failed)]
    return passed, failed


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def apply_rules(
    ruleset: RuleSet, data: Mapping[str, Any], memo: dict[Any, list[dict[str, Any]]] | None = None
) -> list[dict[str, Any]]:
    """The rules that pass on ``data``, in evaluation order (a code may pass more than once), as the API shows
    them: ``{code, source, op, value, match}``.

    ``memo``: results by what the rules can see (the value at every exact source, and the keys and values under
    every wildcard prefix); alleles that look alike to the rules (same consequence, gene values, commonness …)
    are evaluated once. The results are shared between them: do not change them.
    """
    plan = _plan(ruleset)
    flat = _gather(plan, data)
    if memo is None:
        return _evaluate_flat(plan, flat, None)
    key: Any = tuple((k, tuple(v) if type(v) is list else v) for k, v in flat.items())
    try:
        found = memo.get(key)
    except TypeError:  # something unhashable inside a list
        key = tuple((k, _freeze(v)) for k, v in flat.items())
        found = memo.get(key)
    if found is None:
        found = memo[key] = _evaluate_flat(plan, flat, None)
    return found
