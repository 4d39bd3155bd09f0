"""The suggested class from a set of ACMG criteria (Richards et al. 2015, Table 5, as ELLA counts them).

Counting, as in ELLA's classifier:

* a criterion counts at its strength: ``PMxPS3`` is a moderate (PM), ``PS3`` a strong (PS);
* one base criterion counts once, at its strongest: ``PS3`` and ``PMxPS3`` together are one PS; a code given
  twice counts once;
* pathogenic: ≥2 PVS; 1 PVS with ≥1 PS, ≥2 PM, 1 PM + 1 PP or ≥2 PP; ≥2 PS; 1 PS with ≥3 PM, 2 PM + ≥2 PP
  or 1 PM + ≥4 PP;
* likely pathogenic: 1 PVS with 1 PM or 1 PP (the PVS + PP case is ELLA's, not the guideline's); 1 PS with
  ≥1 PM or ≥2 PP; ≥3 PM; 2 PM + ≥2 PP; 1 PM + ≥4 PP;
* benign: ≥1 BA or ≥2 BS; likely benign: 1 BS + 1 BP or ≥2 BP;
* any pathogenic together with any benign criterion is a contradiction: class 3;
* precedence: contradiction, benign, pathogenic, likely pathogenic, likely benign, else 3.

The contributors are the criteria of the rule that decided, as given (duplicates of a rule reached in more
than one way included, as ELLA lists them). Criteria marked not weighted (``PNWx…``, ``BNWx…``) and ``OTHER``
do not count (ELLA's web client leaves them out of the request).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ella_app.errors import InputError
from ella_app.services.acmg.criteria import Criterion, parse_criterion, req_codes

NAMES = {
    1: "Benign",
    2: "Likely benign",
    3: "Uncertain significance",
    4: "Likely pathogenic",
    5: "Pathogenic",
}
PRECEDENCE = ("PVS", "PS", "PM", "PP", "BA", "BS", "BP")
MAX_CODES = 100


@dataclass(frozen=True)
class Classification:
    clazz: int
    classification: str
    contributors: list[str]
    message: str
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """ELLA's response: ``class``, ``classification``, ``message``, ``contributors``, ``meta``."""
        return {
            "class": self.clazz,
            "classification": self.classification,
            "message": self.message,
            "contributors": self.contributors,
            "meta": self.meta,
        }


def strength(code: str) -> str:
    """``PMxPS3`` → ``PM``; ``PVS1`` → ``PVS``."""
    return "".join(ch for ch in code.split("x", 1)[0] if not ch.isdigit())


def base(code: str) -> str:
    """``PMxPS3`` → ``PS3``."""
    return code.split("x", 1)[1] if "x" in code else code


def occurrences(prefix: str, codes: Sequence[str]) -> list[str]:
    """Distinct codes counting at ``prefix`` strength, sorted."""
    return sorted({c for c in codes if c.startswith(prefix)})


def _count(prefix: str, codes: Sequence[str], condition: Callable[[int], bool]) -> list[str]:
    found = occurrences(prefix, codes)
    return found if condition(len(found)) else []


def _or(*lists: list[str]) -> list[str]:
    return [c for lst in lists for c in lst]


def _and(*lists: list[str]) -> list[str]:
    return [c for lst in lists for c in lst] if all(lists) else []


def _n(k: int) -> Callable[[int], bool]:
    return lambda n: n == k


def _min(k: int) -> Callable[[int], bool]:
    return lambda n: n >= k


def pathogenic(c: Sequence[str]) -> list[str]:
    return _or(
        _count("PVS", c, _min(2)),
        _and(
            _count("PVS", c, _n(1)),
            _or(
                _count("PS", c, _min(1)),
                _count("PM", c, _min(2)),
                _and(_count("PM", c, _n(1)), _count("PP", c, _n(1))),
                _count("PP", c, _min(2)),
            ),
        ),
        _count("PS", c, _min(2)),
        _and(
            _count("PS", c, _n(1)),
            _or(
                _count("PM", c, _min(3)),
                _and(_count("PM", c, _n(2)), _count("PP", c, _min(2))),
                _and(_count("PM", c, _n(1)), _count("PP", c, _min(4))),
            ),
        ),
    )


def likely_pathogenic(c: Sequence[str]) -> list[str]:
    return _or(
        _and(_count("PVS", c, _n(1)), _or(_count("PM", c, _n(1)), _count("PP", c, _n(1)))),
        _and(_count("PS", c, _n(1)), _count("PM", c, _min(1))),
        _and(_count("PS", c, _n(1)), _count("PP", c, _min(2))),
        _count("PM", c, _min(3)),
        _and(_count("PM", c, _n(2)), _count("PP", c, _min(2))),
        _and(_count("PM", c, _n(1)), _count("PP", c, _min(4))),
    )


def benign(c: Sequence[str]) -> list[str]:
    return _or(_count("BA", c, _min(1)), _count("BS", c, _min(2)))


def likely_benign(c: Sequence[str]) -> list[str]:
    return _or(_and(_count("BS", c, _n(1)), _count("BP", c, _n(1))), _count("BP", c, _min(2)))


def contradiction(c: Sequence[str]) -> list[str]:
    return _and(
        _or(*(_count(p, c, _min(1)) for p in ("PVS", "PS", "PM", "PP"))),
        _or(*(_count(p, c, _min(1)) for p in ("BA", "BS", "BP"))),
    )


def has_higher_precedence(code: str, other: str) -> bool:
    """True when ``code`` counts stronger than ``other`` (PVS > PS > PM > PP > BA > BS > BP)."""
    return PRECEDENCE.index(strength(code)) < PRECEDENCE.index(strength(other))


def normalize(codes: Sequence[str]) -> list[str]:
    """One code per base criterion, the strongest (the first given among equals), in ELLA's order."""
    kept: list[str] = []
    for code in codes:
        same = [k for k in kept if base(k) == base(code)]
        if not same:
            kept.append(code)
            continue
        others = [k for k in kept if base(k) != base(code)]
        existing = same[0]
        kept = [*others, code if has_higher_precedence(code, existing) else existing]
    return kept


def classify(codes: Sequence[str]) -> Classification:
    """The suggested class of weighted criteria (validated: see :func:`parse_codes`)."""
    counted = normalize(codes)
    if contradiction(counted):
        return Classification(3, NAMES[3], contradiction(codes), "Contradiction")
    if benign(counted):
        return Classification(1, NAMES[1], benign(codes), "Benign")
    if pathogenic(counted):
        return Classification(5, NAMES[5], pathogenic(codes), "Pathogenic")
    if likely_pathogenic(counted):
        return Classification(4, NAMES[4], likely_pathogenic(codes), "Likely pathogenic")
    if likely_benign(counted):
        return Classification(2, NAMES[2], likely_benign(codes), "Likely benign")
    return Classification(3, NAMES[3], [], "None")


def parse_codes(values: Sequence[str], *, key: str = "codes") -> list[Criterion]:
    """Comma-separated codes (one or more strings) → criteria; InputError naming the first bad one."""
    codes = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not codes:
        raise InputError("is required: comma-separated ACMG criteria, e.g. PVS1,PM2", key=key)
    if len(codes) > MAX_CODES:
        raise InputError(f"at most {MAX_CODES} codes", key=key)
    criteria = []
    for code in codes:
        criterion = parse_criterion(code)
        if criterion is None:
            shown = code if len(code) <= 30 else code[:27] + "..."
            if code in req_codes():
                raise InputError(f"'{shown}' is a requirement (REQ) of the rule engine, not a criterion", key=key)
            raise InputError(
                f"'{shown}' is not an ACMG criterion (PVS1, PS1-4, PM1-6, PP1-5, BA1, BS1-4, BP1-7, a strength of "
                "one such as PMxPS3, PNWx/BNWx for not weighted, or OTHER)",
                key=key,
            )
        criteria.append(criterion)
    return criteria


def suggested_class(values: Sequence[str]) -> Classification:
    """The suggested class of comma-separated codes; not weighted ones and OTHER are left out (in ``meta``)."""
    criteria = parse_codes(values)
    weighted = [c.code for c in criteria if c.weighted]
    result = classify(weighted)
    ignored = [c.code for c in criteria if not c.weighted]
    if ignored:
        return Classification(
            result.clazz, result.classification, result.contributors, result.message, {"not_counted": ignored}
        )
    return result
