"""ELLA's rule language for suggested ACMG criteria: parse a rule file, check it, evaluate its tests.

A rule file is a list of ``{"code": C, "rule": R}`` (ELLA's ``mapping_rules.py`` format), or an object
``{"description": …, "rules": [...]}``. A rule body R is one of:

* a **source rule** ``{"<source>": T}``: T is tested on the annotation value at ``<source>`` (a dotted path
  into the allele's data, ``*`` between dots for "any key", e.g. ``refassessment.*.ref_segregation``).
  T is a value (equality), ``{"$in": [values]}`` (the value, or one of the values of a list, is one of them),
  ``{"$gt": n}``, ``{"$lt": n}``, ``{"$range": [low, high]}`` (exclusive) or ``{"$all": [values]}``;
* an **aggregate rule** ``{"$$aggregate": A}``: A is tested on the codes that passed *before* this rule.
  A is a code, ``{"$in": [codes]}``, ``{"$all": [codes]}`` (every one; ``PP*`` matches by prefix),
  ``{"$atleast": [n, codes…]}`` or ``$and``/``$or`` lists and ``$not`` of those.

Order matters as in ELLA: rules are grouped by the first appearance of their code, and an aggregate rule only
sees codes of rules evaluated before it.

As in ELLA, a rule whose top is ``$and``/``$or``/``$not`` without ``$$aggregate`` (or under a source) is
never evaluated: ELLA drops the source of a composite rule and then finds no data for it. Such rules are
accepted (ELLA's own file has two) and listed in :attr:`RuleSet.inert`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.errors import InputError

Scalar = str | int | float | bool | None
_SOURCE = re.compile(r"^[^\s$](.*\S)?$")
_CODE = re.compile(r"^[^\s]+$")
_RULE_KEYS = {"code", "rule", "note"}


class RuleFileError(InputError):
    """A rule file that cannot be used; names the rule (index and code) and the key."""


# ------------------------------------------------------------------------------------------ tests


def _number(value: Any) -> float | None:
    """ELLA's ``float(data)``: numbers and numeric strings; anything else is no match (ELLA would crash)."""
    if isinstance(value, list | dict) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if not math.isnan(number) else None


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _matches_pattern(pattern: Any, item: Any) -> bool:
    """``$all``/``$atleast`` item test: a trailing ``*`` matches by prefix (strings only)."""
    if isinstance(pattern, str) and pattern.endswith("*"):
        return isinstance(item, str) and item.startswith(pattern[:-1])
    return bool(_hashable(item) and pattern == item)


class Values:
    """What a test is evaluated on: distinct items in order (values at a source, or codes passed so far), their
    set, and the raw value (for numeric tests). Unhashable items (objects, lists) are left out: ELLA would fail
    on them."""

    __slots__ = ("items", "present", "raw")

    def __init__(self, items: Sequence[Any] = (), raw: Any = None) -> None:
        self.items: list[Any] = list(dict.fromkeys(i for i in items if not isinstance(i, list | dict)))
        self.present: set[Any] = set(self.items)
        self.raw = raw

    @classmethod
    def of(cls, raw: Any) -> Values:
        """The value at a source: a list is its items, anything else one item."""
        return cls(raw if isinstance(raw, list) else (raw,), raw)

    def add(self, item: Any) -> None:
        if item not in self.present:
            self.items.append(item)
            self.present.add(item)


def _split_patterns(patterns: Iterable[Any]) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """Distinct patterns → (exact values, prefixes of ``*`` patterns)."""
    unique = list(dict.fromkeys(patterns))
    exact = tuple(p for p in unique if not (isinstance(p, str) and p.endswith("*")))
    prefixes = tuple(p[:-1] for p in unique if isinstance(p, str) and p.endswith("*"))
    return exact, prefixes


class Test:
    """A test on :class:`Values`: the values at a source, or the codes passed so far."""

    op: str

    def evaluate(self, values: Values) -> list[Any] | None:
        """The items that satisfied the test (possibly none, for ``$not``), or None when it fails."""
        raise NotImplementedError

    def references(self) -> Iterable[str]:
        return ()

    def describe(self) -> Any:
        """The ``value`` of the rule in the response (ELLA's RuleSchema ``value``)."""
        return None


@dataclass(frozen=True)
class In(Test):
    values: tuple[Scalar, ...]
    op = "$in"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_wanted", frozenset(self.values))

    def evaluate(self, values: Values) -> list[Any] | None:
        wanted: frozenset[Any] = self._wanted  # type: ignore[attr-defined]
        found = [item for item in values.items if item in wanted]
        return found or None

    def references(self) -> Iterable[str]:
        return (v for v in self.values if isinstance(v, str))

    def describe(self) -> Any:
        return list(self.values)


@dataclass(frozen=True)
class Compare(Test):
    op: str  # $gt | $lt
    value: float

    def evaluate(self, values: Values) -> list[Any] | None:
        number = _number(values.raw)
        if number is None:
            return None
        passed = number > self.value if self.op == "$gt" else number < self.value
        return [values.raw] if passed else None

    def describe(self) -> Any:
        return self.value


@dataclass(frozen=True)
class Range(Test):
    low: float
    high: float
    op = "$range"

    def evaluate(self, values: Values) -> list[Any] | None:
        number = _number(values.raw)
        return [values.raw] if number is not None and self.low < number < self.high else None

    def describe(self) -> Any:
        return [self.low, self.high]


def _hits(values: Values, exact: tuple[Any, ...], prefixes: tuple[str, ...]) -> list[list[Any]]:
    """Per distinct pattern, the items it matches."""
    hits = [[p] if p in values.present else [] for p in exact]
    for prefix in prefixes:
        hits.append([i for i in values.items if isinstance(i, str) and i.startswith(prefix)])
    return hits


@dataclass(frozen=True)
class All(Test):
    patterns: tuple[Scalar, ...]
    op = "$all"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_split", _split_patterns(self.patterns))

    def evaluate(self, values: Values) -> list[Any] | None:
        hits = _hits(values, *self._split)  # type: ignore[attr-defined]
        if not all(hits):
            return None
        return list(dict.fromkeys(item for hit in hits for item in hit))

    def references(self) -> Iterable[str]:
        return (v for v in self.patterns if isinstance(v, str))

    def describe(self) -> Any:
        return list(self.patterns)


@dataclass(frozen=True)
class AtLeast(Test):
    count: int
    patterns: tuple[str, ...]
    op = "$at_least"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_split", _split_patterns(self.patterns))

    def evaluate(self, values: Values) -> list[Any] | None:
        # ELLA counts every (distinct pattern, distinct code) pair that matches: "BP1*" may count twice.
        hits = _hits(values, *self._split)  # type: ignore[attr-defined]
        if sum(len(hit) for hit in hits) < self.count:
            return None
        return list(dict.fromkeys(item for hit in hits for item in hit))

    def references(self) -> Iterable[str]:
        return self.patterns

    def describe(self) -> Any:
        return list(self.patterns)


@dataclass(frozen=True)
class And(Test):
    children: tuple[Test, ...]
    op = "$and"

    def evaluate(self, values: Values) -> list[Any] | None:
        found: list[Any] = []
        for child in self.children:
            hit = child.evaluate(values)
            if hit is None:
                return None
            found.extend(hit)
        return list(dict.fromkeys(found))

    def references(self) -> Iterable[str]:
        return (ref for child in self.children for ref in child.references())


@dataclass(frozen=True)
class Or(Test):
    children: tuple[Test, ...]
    op = "$or"

    def evaluate(self, values: Values) -> list[Any] | None:
        hits = [hit for hit in (child.evaluate(values) for child in self.children) if hit is not None]
        return list(dict.fromkeys(h for hit in hits for h in hit)) if hits else None

    def references(self) -> Iterable[str]:
        return (ref for child in self.children for ref in child.references())


@dataclass(frozen=True)
class Not(Test):
    child: Test
    op = "$not"

    def evaluate(self, values: Values) -> list[Any] | None:
        return [] if self.child.evaluate(values) is None else None

    def references(self) -> Iterable[str]:
        return self.child.references()


class _Never(Test):
    """The test of an inert rule (see the module docstring)."""

    op = "$never"

    def evaluate(self, values: Values) -> list[Any] | None:
        return None


NEVER = _Never()

# ------------------------------------------------------------------------------------------ rules


@dataclass(frozen=True)
class Rule:
    index: int  # position in the file
    code: str
    test: Test
    source: str | None = None  # None: aggregate (tested on the codes passed so far)
    inert: bool = False  # never evaluated (see module docstring)

    @property
    def aggregate(self) -> bool:
        return self.source is None

    @property
    def wildcard(self) -> bool:
        return self.source is not None and ".*." in self.source


@dataclass
class RuleSet:
    rules: list[Rule]  # in evaluation order (grouped by the first appearance of their code), inert ones included
    description: str = ""
    inert: list[Rule] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(r.code for r in self.rules))


class _Parser:
    def __init__(self, source: str, index: int, code: str) -> None:
        self.source, self.index, self.code = source, index, code

    def error(self, path: str, problem: str) -> RuleFileError:
        return RuleFileError(f"rule {self.index} ({self.code}): {problem}", source=self.source, key=path)

    def single(self, body: dict[str, Any], path: str) -> tuple[str, Any]:
        if len(body) != 1:
            keys = ", ".join(body) or "nothing"
            raise self.error(path, f"an object of the rule language holds one operator or source, not {keys}")
        return next(iter(body.items()))

    def values(self, value: Any, path: str, *, codes: bool) -> tuple[Any, ...]:
        kind = "codes" if codes else "values (strings, numbers, true/false or null)"
        if not isinstance(value, list) or not all(
            isinstance(v, str) if codes else (_hashable(v) and not isinstance(v, dict)) for v in value
        ):
            raise self.error(path, f"must be a list of {kind}")
        return tuple(value)

    def number(self, value: Any, path: str) -> float:
        number = _number(value)
        if number is None or isinstance(value, bool) or math.isinf(number):
            raise self.error(path, f"must be a number, not {value!r}")
        return number

    def aggregate(self, body: Any, path: str) -> Test:
        """A test on the codes passed so far."""
        if isinstance(body, str):
            return In((body,))
        if not isinstance(body, dict):
            raise self.error(path, "must be a code or an object with $in, $all, $atleast, $and, $or or $not")
        op, value = self.single(body, path)
        where = f"{path}.{op}"
        if op == "$in":
            return In(self.values(value, where, codes=True))
        if op == "$all":
            return All(self.values(value, where, codes=True))
        if op == "$atleast":
            if (
                not isinstance(value, list)
                or len(value) < 2
                or isinstance(value[0], bool)
                or not isinstance(value[0], int)
                or value[0] < 0
            ):
                raise self.error(where, "must be [n, code, code, …] with a whole number n ≥ 0")
            return AtLeast(value[0], self.values(value[1:], where, codes=True))
        if op in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise self.error(where, "must be a non-empty list")
            children = tuple(self.aggregate(item, f"{where}.{i}") for i, item in enumerate(value))
            return And(children) if op == "$and" else Or(children)
        if op == "$not":
            return Not(self.aggregate(value, where))
        if op.startswith("$"):
            raise self.error(where, f"'{op}' cannot be used on codes ($in, $all, $atleast, $and, $or, $not)")
        raise self.error(where, f"a source ('{op}') cannot appear inside $$aggregate")

    def data_test(self, body: Any, path: str) -> tuple[Test, bool]:
        """A test on the value at a source; the flag says the test is inert (a composite, as in ELLA)."""
        if not isinstance(body, dict):
            if isinstance(body, list) or not _hashable(body):
                raise self.error(path, "must be a value or an object with $in, $gt, $lt, $range or $all")
            return In((body,)), False
        op, value = self.single(body, path)
        where = f"{path}.{op}"
        if op == "$in":
            return In(self.values(value, where, codes=False)), False
        if op == "$all":
            return All(self.values(value, where, codes=False)), False
        if op in ("$gt", "$lt"):
            return Compare(op, self.number(value, where)), False
        if op == "$range":
            if not isinstance(value, list) or len(value) != 2:
                raise self.error(where, "must be [low, high]")
            return Range(self.number(value[0], f"{where}.0"), self.number(value[1], f"{where}.1")), False
        if op in ("$and", "$or", "$not", "$atleast"):
            self.inert_body(body, path, under_source=True)
            return NEVER, True
        if op.startswith("$"):
            raise self.error(where, f"unknown operator '{op}'")
        raise self.error(where, "a source cannot be nested under another source")

    def inert_body(self, body: dict[str, Any], path: str, *, under_source: bool) -> None:
        """Check a composite that ELLA never evaluates, so that a typo in it is still reported."""
        op, value = self.single(body, path)
        where = f"{path}.{op}"

        def child(item: Any, at: str) -> None:
            if under_source:
                self.data_test(item, at)
            else:
                self.top(item, at, nested=True)

        if op in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise self.error(where, "must be a non-empty list")
            for i, item in enumerate(value):
                child(item, f"{where}.{i}")
        elif op == "$not":
            child(value, where)
        else:
            self.aggregate({op: value}, path)

    def top(self, body: Any, path: str, *, nested: bool = False) -> tuple[Test, str | None, bool]:
        """(test, source or None for aggregate, inert)."""
        if not isinstance(body, dict):
            raise self.error(path, 'must be an object: {"<source>": test} or {"$$aggregate": test}')
        op, value = self.single(body, path)
        where = f"{path}.{op}"
        if op == "$$aggregate":
            if nested:
                raise self.error(where, "$$aggregate is only allowed at the top of a rule")
            return self.aggregate(value, where), None, False
        if op in ("$and", "$or", "$not"):
            self.inert_body(body, path, under_source=False)
            return NEVER, None, True
        if op.startswith("$"):
            raise self.error(where, f"unknown operator '{op}' at the top of a rule")
        if not _SOURCE.match(op) or op.startswith(".") or op.endswith(".") or ".." in op:
            raise self.error(where, f"'{op}' is not a source (a dotted path such as transcript.consequences)")
        test, inert = self.data_test(value, where)
        return test, op, inert


def parse_rules(
    data: Any,
    *,
    source: str = "rules",
    known_code: Callable[[str], bool] | None = None,
    check_references: bool = False,
) -> RuleSet:
    """A checked :class:`RuleSet`; RuleFileError names the rule and key of the first problem.

    ``known_code``: codes a rule may produce (None: any code). ``check_references``: every code an
    aggregate rule names must be produced by a rule evaluated before it (a wildcard must match one).
    """
    description = ""
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"description", "rules"})
        if unknown:
            raise RuleFileError(f"unknown key(s) {', '.join(unknown)} (expected description, rules)", source=source)
        description = data.get("description", "")
        if not isinstance(description, str):
            raise RuleFileError("must be a string", source=source, key="description")
        data = data.get("rules")
    if not isinstance(data, list):
        raise RuleFileError("a rule file is a list of rules, or an object with a 'rules' list", source=source)
    grouped: dict[str, list[Rule]] = {}
    for index, item in enumerate(data):
        key = f"rules.{index}"
        if not isinstance(item, dict):
            raise RuleFileError(f"rule {index}: must be an object {{code, rule}}", source=source, key=key)
        code = item.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise RuleFileError(f"rule {index}: 'code' must be a code without spaces", source=source, key=f"{key}.code")
        parser = _Parser(source, index, code)
        unknown = sorted(set(item) - _RULE_KEYS)
        if unknown:
            raise parser.error(f"{key}.{unknown[0]}", f"unknown key (a rule has {', '.join(sorted(_RULE_KEYS))})")
        if "note" in item and not isinstance(item["note"], str):
            raise parser.error(f"{key}.note", "must be a string")
        if "rule" not in item:
            raise parser.error(key, "'rule' is required")
        if known_code is not None and not known_code(code):
            raise parser.error(
                f"{key}.code", f"'{code}' is neither an ACMG criterion (or a strength of one) nor a REQ code"
            )
        test, rule_source, inert = parser.top(item["rule"], f"{key}.rule")
        grouped.setdefault(code, []).append(Rule(index, code, test, rule_source, inert))
    ordered = [rule for rules in grouped.values() for rule in rules]
    ruleset = RuleSet(ordered, description, [r for r in ordered if r.inert])
    if check_references:
        _check_references(ruleset, source)
    return ruleset


def _check_references(ruleset: RuleSet, source: str) -> None:
    before: list[str] = []
    for rule in ruleset.rules:
        if rule.aggregate and not rule.inert:
            for ref in rule.test.references():
                seen = any(_matches_pattern(ref, code) for code in before)
                if not seen:
                    later = any(_matches_pattern(ref, r.code) for r in ruleset.rules)
                    where = "only by rules evaluated after it" if later else "by no rule"
                    raise RuleFileError(
                        f"rule {rule.index} ({rule.code}): refers to '{ref}', which is produced {where}",
                        source=source,
                        key=f"rules.{rule.index}.rule",
                    )
        if not rule.inert:
            before.append(rule.code)


def read_rule_file(path: Path, **options: Any) -> RuleSet:
    """Read and check a JSON rule file (see :func:`parse_rules` for the options)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"cannot read the rule file: {exc.strerror}", source=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleFileError(f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno) from None
    return parse_rules(data, source=str(path), **options)
