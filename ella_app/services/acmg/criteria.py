"""ACMG criteria codes: the 28 criteria of Richards et al. 2015, their strength variants, ELLA's REQ codes.

A criterion can be applied at another strength of its side: ``PMxPS3`` is PS3 counted as moderate,
``BSxBP4`` is BP4 counted as strong (ELLA's ``<strength>x<criterion>``). ``PNWx…``/``BNWx…`` mark a
criterion kept but "not weighted" and ``OTHER`` a non-ACMG criterion; neither counts for the class. REQ
codes are the requirements the rule engine derives criteria from; they are never criteria themselves.

The texts (a short and a full description in our words; for a REQ the criteria it feeds) are in
``criteria.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

PATHOGENIC = ("PVS", "PS", "PM", "PP")  # strongest first: ELLA's precedence
BENIGN = ("BA", "BS", "BP")
NOT_WEIGHTED = {"PNW": PATHOGENIC, "BNW": BENIGN}
OTHER = "OTHER"
_BASE = re.compile(r"^(PVS|PS|PM|PP|BA|BS|BP)(\d+)$")
_VARIANT = re.compile(r"^([A-Z]+)x([A-Z]+\d+)$")


@cache
def texts() -> dict[str, dict[str, Any]]:
    """Code → ``{short_criteria, criteria, sources?}`` for every criterion, REQ code and OTHER."""
    raw = resources.files("ella_app.services.acmg").joinpath("criteria.json").read_text(encoding="utf-8")
    codes: dict[str, dict[str, Any]] = json.loads(raw)["codes"]
    return codes


@cache
def base_criteria() -> frozenset[str]:
    return frozenset(code for code in texts() if _BASE.match(code))


def req_codes() -> frozenset[str]:
    return frozenset(code for code in texts() if code.startswith("REQ_"))


def strength_of(base: str) -> str:
    """``PM2`` → ``PM``."""
    match = _BASE.match(base)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Criterion:
    code: str  # as written, e.g. PMxPS3
    base: str  # PS3
    strength: str  # PM; PNW/BNW when not weighted; OTHER for OTHER

    @property
    def weighted(self) -> bool:
        return self.strength in PATHOGENIC or self.strength in BENIGN


def parse_criterion(code: str) -> Criterion | None:
    """The criterion ``code`` names, or None when it is not one (REQ codes included)."""
    if code == OTHER:
        return Criterion(code, code, OTHER)
    if code in base_criteria():
        return Criterion(code, code, strength_of(code))
    match = _VARIANT.match(code)
    if match is None or match.group(2) not in base_criteria():
        return None
    strength, base = match.groups()
    side = PATHOGENIC if strength_of(base) in PATHOGENIC else BENIGN
    if strength in side and strength != strength_of(base):
        return Criterion(code, base, strength)
    if NOT_WEIGHTED.get(strength) == side:
        return Criterion(code, base, strength)
    return None


def is_rule_code(code: str) -> bool:
    """Codes a rule of the packaged rule file may produce: REQ codes and criteria (any weighted strength)."""
    if code in req_codes():
        return True
    criterion = parse_criterion(code)
    return criterion is not None and criterion.weighted
