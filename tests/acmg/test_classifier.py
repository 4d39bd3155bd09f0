"""The suggested class from ACMG criteria, scenario by scenario as ELLA's classifier tests have them.

Mirrors ELLA src/rule_engine/tests/grc_test.py (ACMGClassifier2015) and
src/rule_engine/tests/test_suggested_classification.py (a property test over generated code sets against
the guideline's table). ELLA's tests use some codes that are not criteria (PVSX1, BA3, PP6): the counting
functions take any code string, as ELLA's do; only the API refuses unknown codes.
"""

from __future__ import annotations

import re

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from ella_app.errors import InputError
from ella_app.services.acmg import classifier
from ella_app.services.acmg.classifier import Classification, classify, normalize, occurrences, suggested_class
from ella_app.services.acmg.criteria import texts
from ella_app.services.classification import normalize_criterion


def result(clazz: int, contributors: list[str], message: str) -> Classification:
    return Classification(clazz, classifier.NAMES[clazz], contributors, message)


def test_count_occurences():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_count_occurences."""
    assert occurrences("PVS1", ["PVS1"]) == ["PVS1"]
    assert occurrences("PVS1", ["PVS2", "BP1"]) == []
    assert occurrences("PS1", []) == []
    assert occurrences("PVS", ["PVS1"]) == ["PVS1"]
    assert occurrences("PVS", ["PVS1", "PVS3"]) == ["PVS1", "PVS3"]
    assert occurrences("PVS", ["PVS1", "PVS3", "PP1"]) == ["PVS1", "PVS3"]
    assert occurrences("PM", ["BS2", "BS4", "PVS1", "PVS3", "PM3", "PP2"]) == ["PM3"]
    assert occurrences("PM", ["BS2", "PM3", "BS4", "PVS1", "PVS3", "PM3", "PP2", "PM1"]) == ["PM1", "PM3"]


def test_count_occurences_special_cases():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_count_occurences_special_cases."""
    assert occurrences("PP", ["BS2", "PP3", "BS4", "PVS1", "PVS3", "PM3", "PP3", "PP1", "PP2"]) == ["PP1", "PP2", "PP3"]
    assert occurrences("PP", ["BS2", "PP3", "BS4", "PVS1", "PVS3", "PM3", "PP3", "PP1", "PP1"]) == ["PP1", "PP3"]
    codes = ["BP4", "PP3", "BP4", "PVS3", "PVS3", "PM3", "BP3", "PP1", "PP1", "BP4", "BP4"]
    assert occurrences("BP", codes) == ["BP3", "BP4"]
    codes = ["BS1", "BS1", "BP4", "PVS3", "PVS3", "PM3", "BP3", "PP1", "PP1", "BP4", "BP4"]
    assert occurrences("BS", codes) == ["BS1"]


def test_classify_pathogenic():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_classify_pathogenic."""
    p = classifier.pathogenic
    assert p(["BS2", "BS4", "PVS1", "BP7", "PS3", "PP1"]) == ["PVS1", "PS3"]
    assert p(["BS2", "PVS1", "BS4", "PVSX1"]) == ["PVS1", "PVSX1"]
    assert p(["BS2", "BS4", "PVS1", "PS3", "PS3", "PS3", "PP1"]) == ["PVS1", "PS3"]
    assert p(["BS2", "PS4", "PM2", "PM1", "BA3", "PP3", "PP1"]) == ["PS4", "PM1", "PM2", "PP1", "PP3"]
    codes = ["BS2", "PS4", "PP4", "PP6", "PP1", "BA3", "PP3", "PP3", "PM1"]
    assert p(codes) == ["PS4", "PM1", "PP1", "PP3", "PP4", "PP6"]
    assert not p(["BS2", "PS4", "PP4", "PP6", "BA3", "PP3", "PP3", "PM1"])
    assert not p(["BS2", "PP4", "PP1", "PP6", "BA3", "PP3", "PP3", "PM1"])


def test_classify_likely_pathogenic():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_classify_likely_pathogenic."""
    lp = classifier.likely_pathogenic
    assert lp(["BS2", "PS4", "PP4", "PP6", "BA3", "PP3", "PP3", "PM1"]) == ["PS4", "PM1", "PS4", "PP3", "PP4", "PP6"]
    assert lp(["BS2", "PS4", "PP4", "PP6", "PP1", "BA3", "PP3", "PP3", "PM1"]) == [
        "PS4",
        "PM1",
        "PS4",
        "PP1",
        "PP3",
        "PP4",
        "PP6",
        "PM1",
        "PP1",
        "PP3",
        "PP4",
        "PP6",
    ]
    assert lp(["BS2", "PP4", "PP6", "PP1", "BA3", "PP3", "PP3", "PM1"]) == ["PM1", "PP1", "PP3", "PP4", "PP6"]
    assert lp(["BS2", "BP4", "BP6", "BP1", "PVS3", "BP3", "PM3", "BM1"]) == ["PVS3", "PM3"]
    assert lp(["PVSX1", "PP6", "BS2"])


def test_classify_benign():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_classify_benign."""
    assert classifier.benign(["BS2", "PS4", "BAX1", "PP6", "BA3", "BS1", "BS2", "PM1"]) == ["BA3", "BAX1", "BS1", "BS2"]
    assert not classifier.benign(["PP7", "PP6", "BS2"])


def test_classify_likely_benign():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_classify_likely_benign."""
    assert classifier.likely_benign(["PP2", "PS4", "BS2", "PP6", "BA3", "BP3"]) == ["BS2", "BP3"]
    assert classifier.likely_benign(["BP2", "PS4", "PP6", "BA3", "BP3"]) == ["BP2", "BP3"]
    assert not classifier.likely_benign(["PP7", "PP6", "BS2"])


def test_contradict():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_contradict."""
    c = classifier.contradiction
    assert c(["PVS1", "PS3"]) == []
    assert c(["PS4", "PM1", "PS4", "PP4", "PP6", "PP3"]) == []
    assert c(["BA3", "BS2", "BS1", "BS2"]) == []
    assert c(["BS2", "BP3"]) == []
    assert c(["BS2", "PVS1", "PM3"]) == ["PVS1", "PM3", "BS2"]
    assert c(["BS2", "PVS1", "PS3", "PS3", "PS3", "PP1"]) == ["PVS1", "PS3", "PP1", "BS2"]


def test_classify():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_classify."""
    assert classify(["PVS1", "PS2", "BA1"]) == result(3, ["PVS1", "PS2", "BA1"], "Contradiction")
    assert classify(["BS2", "PVS1", "PS3", "PS3", "PS3", "PP1"]) == result(
        3, ["PVS1", "PS3", "PP1", "BS2"], "Contradiction"
    )
    assert classify(["BS2", "PVS1", "PM3"]).message == "Contradiction"
    assert classify(["BS2", "PP4", "PP6", "BA3", "BS1", "BS2", "PM1"]).contributors == [
        "PM1",
        "PP4",
        "PP6",
        "BA3",
        "BS1",
        "BS2",
    ]
    assert classify(["BP4", "BP6", "PM1"]) == result(3, ["PM1", "BP4", "BP6"], "Contradiction")
    assert classify(["PM1", "BP6", "PP6", "BP7"]) == result(3, ["PM1", "PP6", "BP6", "BP7"], "Contradiction")
    assert classify(["BS1", "BP6", "PP6", "BP7"]) == result(3, ["PP6", "BS1", "BP6", "BP7"], "Contradiction")
    assert classify(["BP6", "PM1"]) == result(3, ["PM1", "BP6"], "Contradiction")


def test_presedence():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_presedence."""
    higher = classifier.has_higher_precedence
    assert higher("PVS1", "PS1") is True
    assert higher("PS1", "PVS1") is False
    assert higher("PS3", "PMxPS3") is True
    assert higher("PMxPS3", "PS3") is False
    assert higher("PMxPS3", "PVSxPS3") is False
    assert higher("PVSxPS3", "PMxPS3") is True
    assert higher("PVSxPS3", "PVS1") is False
    assert higher("PVS1", "PVSxPS3") is False


def test_find_base_code():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_find_base_code."""
    assert classifier.base("PMxPS1") == "PS1"
    assert classifier.base("PS1") == "PS1"


def test_normalize_codes():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::test_normalize_codes."""
    assert normalize(["PM1", "PVSxPM1", "PS3", "PMxPS3"]) == ["PVSxPM1", "PS3"]
    assert normalize(["PM1", "PP1", "PP1", "PP2", "PP3"]) == ["PM1", "PP1", "PP2", "PP3"]
    assert normalize(["PM1", "PP1", "PP2", "PP3", "PPxPM1"]) == ["PP1", "PP2", "PP3", "PM1"]
    assert normalize(["PMxPP1", "PM1", "PP1", "PP2", "PPxPS1"]) == ["PM1", "PMxPP1", "PP2", "PPxPS1"]
    assert normalize(["PSxPM1", "PS1", "PM1"]) == ["PS1", "PSxPM1"]
    assert normalize(["BSxBP1", "BP1", "BS1"]) == ["BSxBP1", "BS1"]
    assert normalize(["BS1", "BS2"]) == ["BS1", "BS2"]
    assert normalize(["PVS1", "BA1"]) == ["PVS1", "BA1"]


def test_classification_codes_with_precedence():
    """Mirrors ELLA src/rule_engine/tests/grc_test.py::ACMGClassifier2015Test::
    test_classification_codes_with_precedence."""
    cases = [
        (["PM1", "PP1", "PP1", "PP2", "PP3"], 3, []),
        (["PM1", "PP1", "PP2", "PP3", "PPxPM1"], 3, []),
        (["PMxPP1", "PM1", "PP1", "PP2", "PPxPS1"], 4, ["PM1", "PMxPP1", "PP1", "PP2", "PPxPS1"]),
        (["PSxPM1", "PS1", "PM1"], 5, ["PS1", "PSxPM1"]),
        (["BSxBP1", "BP1", "BS1"], 1, ["BS1", "BSxBP1"]),
        (["BS1", "BS2"], 1, ["BS1", "BS2"]),
        (["PVS1", "BA1"], 3, ["PVS1", "BA1"]),
    ]
    for codes, clazz, contributors in cases:
        found = classify(codes)
        assert (found.clazz, found.contributors) == (clazz, contributors), codes


# ---------------------------------------------------------------------------- test_suggested_classification.py

CLASSIFIER_RULES = {
    5: [
        ["PVS", "PVS"],
        ["PVS", "PS"],
        ["PVS", "PM", "PM"],
        ["PVS", "PM", "PP"],
        ["PVS", "PP", "PP"],
        ["PS", "PS"],
        ["PS", "PM", "PM", "PM"],
        ["PS", "PM", "PM", "PP", "PP"],
        ["PS", "PM", "PP", "PP", "PP", "PP"],
    ],
    4: [
        ["PVS", "PM"],
        ["PVS", "PP"],
        ["PS", "PM"],
        ["PS", "PP", "PP"],
        ["PM", "PM", "PM"],
        ["PM", "PM", "PP", "PP"],
        ["PM", "PP", "PP", "PP", "PP"],
    ],
    2: [["BS", "BP"], ["BP", "BP"]],
    1: [["BA"], ["BS", "BS"]],
}
BASE_CODES = [c for c in texts() if re.match(r"^[BP]", c)]
STRENGTHS = {"B": ["BA", "BS", "BP"], "P": ["PVS", "PS", "PM", "PP"]}


@st.composite
def code(draw: st.DrawFn) -> str:
    base_code = draw(st.sampled_from(BASE_CODES))
    strength = draw(st.sampled_from(STRENGTHS[base_code[0]]))
    return base_code if strength in base_code else f"{strength}x{base_code}"


def _subset(rule: list[str], strengths: list[str]) -> bool:
    remaining = list(strengths)
    for item in rule:
        if item not in remaining:
            return False
        remaining.remove(item)
    return True


def _strongest_per_base(codes: list[str]) -> list[str]:
    order = STRENGTHS["P"] + STRENGTHS["B"]
    seen: set[str] = set()
    out = []
    for c in sorted(codes, key=lambda c: order.index(classifier.strength(c))):
        if classifier.base(c) not in seen:
            out.append(c)
            seen.add(classifier.base(c))
    return out


@given(st.lists(code(), unique=True))
@settings(max_examples=300, deadline=None)
def test_suggested_classification(acmg_codes):
    """Mirrors ELLA src/rule_engine/tests/test_suggested_classification.py::test_suggested_classification:
    the class of any set of criteria equals the class of its strongest-per-criterion subset and the class the
    guideline's table gives for their strengths."""
    relevant = _strongest_per_base(acmg_codes)
    found = classify(acmg_codes).clazz
    assert found == classify(relevant).clazz
    strengths = [classifier.strength(c) for c in relevant]
    if any(c.startswith("P") for c in acmg_codes) and any(c.startswith("B") for c in acmg_codes):
        possible: list[int] = []
    elif all(c.startswith("P") for c in relevant):
        possible = [5, 4]
    else:
        possible = [1, 2]
    expected = 3
    for clazz in possible:
        if any(_subset(rule, strengths) for rule in CLASSIFIER_RULES[clazz]):
            expected = clazz
            break
    assert found == expected


# ------------------------------------------------------------------------------------------ the request


def test_not_weighted_and_other_do_not_count():
    found = suggested_class(["PVS1,PM2", "PNWxPP3,OTHER"])
    assert found.as_dict() == {
        "class": 4,
        "classification": "Likely pathogenic",
        "message": "Likely pathogenic",
        "contributors": ["PVS1", "PM2"],
        "meta": {"not_counted": ["PNWxPP3", "OTHER"]},
    }


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ([], "is required"),
        ([" , "], "is required"),
        (["PVS1,XX9"], "'XX9' is not an ACMG criterion"),
        (["REQ_null_variant"], "is a requirement (REQ)"),
        (["PSxBP1"], "'PSxBP1' is not an ACMG criterion"),  # pathogenic strength on a benign criterion
        (["PSxPS1"], "'PSxPS1' is not an ACMG criterion"),  # its own strength: write PS1
        (["BNWxPM2"], "'BNWxPM2' is not an ACMG criterion"),
        ([",".join(["PM2"] * 101)], "at most 100 codes"),
        (["pvs1"], "'pvs1' is not an ACMG criterion"),
    ],
)
def test_bad_codes(values, words):
    with pytest.raises(InputError) as caught:
        suggested_class(values)
    assert caught.value.key == "codes" and words in caught.value.message


@pytest.mark.parametrize(
    ("item", "code", "strength"),
    [
        ({"code": "PM2"}, "PM2", "PM"),
        ({"code": "PM2", "strength": "PNW"}, "PNWxPM2", "PNW"),
        ({"code": "BS1", "strength": "BNW"}, "BNWxBS1", "BNW"),
        ({"code": "PSxPM1"}, "PSxPM1", "PS"),
        ({"code": "OTHER"}, "OTHER", "OTHER"),
    ],
)
def test_a_classification_keeps_not_weighted_and_other_criteria(item, code, strength):
    """What the classification panel saves: a criterion marked not weighted (ELLA's lowest step of the strength
    buttons) and OTHER are stored as ELLA stores them (finalizeallele refused them before: 422)."""
    saved = normalize_criterion(item, 0)
    assert (saved["code"], saved["strength"]) == (code, strength)
    assert classifier.parse_codes([saved["code"]])  # and the suggested class reads them back


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"code": "REQ_null_variant"}, "is not an ACMG criterion"),
        ({"code": "PM2", "strength": "BNW"}, "PM2 can only take the strengths PVS, PS, PM, PP, PNW"),
        ({"code": "OTHER", "strength": "PS"}, "OTHER can only take the strengths OTHER"),
    ],
)
def test_a_classification_refuses_other_codes(item, words):
    with pytest.raises(InputError) as caught:
        normalize_criterion(item, 3)
    assert words in caught.value.message and "included.3" in caught.value.message
