"""The packaged rule file (ELLA's rules as data) and how a bad rule file is refused: rule and key named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ella_app.services.acmg.criteria import is_rule_code
from ella_app.services.acmg.engine import apply_rules
from ella_app.services.acmg.language import RuleFileError
from ella_app.services.acmg.rules import default_rules, load_rules, rules_path

PACKAGED = json.loads(rules_path().read_text())


def test_packaged_rules_load():
    rules = default_rules()
    assert len(rules.rules) == 120
    assert all(is_rule_code(r.code) for r in rules.rules)
    # ELLA never evaluates these two (a top-level $or, and an $or under a source): kept, marked inert
    assert [(r.index, r.code) for r in rules.inert] == [(37, "REQ_no_splice_effect"), (110, "BP4")]


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _rules_with(index: int, rule: Any) -> dict[str, Any]:
    data = copy.deepcopy(PACKAGED)
    data["rules"][index] = rule
    return data


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        (
            _rules_with(0, {"code": "REQ_GP_AD", "rule": {"genepanel.inheritance": {"$inn": ["AD"]}}}),
            "rules.0.rule.genepanel.inheritance.$inn",
            "rule 0 (REQ_GP_AD): unknown operator '$inn'",
        ),
        (_rules_with(0, {"code": "REQ_GP_AD"}), "rules.0", "rule 0 (REQ_GP_AD): 'rule' is required"),
        (_rules_with(0, {"rule": {"a.b": 1}}), "rules.0.code", "rule 0: 'code' must be a code"),
        (_rules_with(0, {"code": "REQ_GP_AD", "rule": {"a.b": 1}, "comment": "x"}), "rules.0.comment", "unknown key"),
        (
            _rules_with(0, {"code": "PX9", "rule": {"a.b": 1}}),
            "rules.0.code",
            "rule 0 (PX9): 'PX9' is neither an ACMG criterion",
        ),
        (
            _rules_with(0, {"code": "REQ_GP_AD", "rule": {"a.b": 1, "c.d": 2}}),
            "rules.0.rule",
            "one operator or source, not a.b, c.d",
        ),
        (
            _rules_with(0, {"code": "REQ_GP_AD", "rule": {"a.b": {"$range": [1]}}}),
            "rules.0.rule.a.b.$range",
            "must be [low, high]",
        ),
        (
            _rules_with(0, {"code": "REQ_GP_AD", "rule": {"a.b": {"$gt": "many"}}}),
            "rules.0.rule.a.b.$gt",
            "must be a number",
        ),
        (_rules_with(0, {"code": "REQ_GP_AD", "rule": {"a..b": 1}}), "rules.0.rule.a..b", "is not a source"),
        (
            _rules_with(
                60, {"code": "PVS1", "rule": {"$$aggregate": {"$and": ["REQ_null_variant", {"transcript.x": 1}]}}}
            ),
            "rules.60.rule.$$aggregate.$and.1.transcript.x",
            "rule 60 (PVS1): a source ('transcript.x') cannot appear",
        ),
        (
            _rules_with(60, {"code": "PVS1", "rule": {"$$aggregate": {"$atleast": ["2", "REQ_null_variant"]}}}),
            "rules.60.rule.$$aggregate.$atleast",
            "whole number n",
        ),
        (
            _rules_with(60, {"code": "PVS1", "rule": {"$$aggregate": {"$all": ["REQ_nul_variant"]}}}),
            "rules.60.rule",
            "rule 60 (PVS1): refers to 'REQ_nul_variant', which is produced by no rule",
        ),
        (
            _rules_with(0, {"code": "REQ_GP_AD", "rule": {"$$aggregate": "PVS1"}}),
            "rules.0.rule",
            "rule 0 (REQ_GP_AD): refers to 'PVS1', which is produced only by rules evaluated after it",
        ),
        (
            _rules_with(37, {"code": "REQ_no_splice_effect", "rule": {"$or": [{"prediction.x": {"$nin": [1]}}]}}),
            "rules.37.rule.$or.0.prediction.x.$nin",
            "unknown operator '$nin'",
        ),  # checked though inert
        ({"rules": [], "version": 2}, None, "unknown key(s) version"),
        ({"rules": {"code": "x"}}, None, "a rule file is a list of rules"),
    ],
)
def test_bad_rule_file_is_refused(tmp_path, data, key, words):
    path = _write(tmp_path, data)
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert caught.value.key == key and words in caught.value.message, caught.value.message
    assert str(path) in caught.value.message


def test_invalid_json_names_the_line(tmp_path):
    text = rules_path().read_text().replace('"REQ_GP_AR",', '"REQ_GP_AR"', 1)
    with pytest.raises(RuleFileError) as caught:
        load_rules(_write(tmp_path, text))
    assert caught.value.line == 5 and "invalid JSON" in caught.value.message


def test_ella_list_format_is_accepted(tmp_path):
    """A rule file may be ELLA's plain list (mapping_rules.py's ``rules``)."""
    assert len(load_rules(_write(tmp_path, PACKAGED["rules"])).rules) == 120


# ------------------------------------------------------------------------------------------ the rules on data


def codes(data: dict[str, Any]) -> list[str]:
    return [p["code"] for p in apply_rules(default_rules(), data)]


def variant(consequence: str, *, exon: str = "5/27", commonness: str = "low_freq", **genepanel: str) -> dict[str, Any]:
    gp = {"disease_mode": "ANY", "last_exon_important": "LEI", "inheritance": "AD", **genepanel}
    last = "yes" if exon.split("/")[0] == exon.split("/")[1] else "no"
    return {
        "transcript": {"consequences": [consequence], "in_last_exon": last},
        "genepanel": gp,
        "frequencies": {"commonness": commonness},
    }


@pytest.mark.parametrize(
    ("data", "present", "absent"),
    [
        (variant("stop_gained"), {"PVS1", "REQ_null_variant", "REQ_not_in_last_exon", "REQ_GP_LOF_missense"}, {"BP1"}),
        (variant("frameshift_variant", exon="27/27"), {"PVS1", "REQ_in_last_exon"}, set()),  # last exon important
        (variant("stop_gained", exon="27/27", last_exon_important="LENI"), {"REQ_null_variant"}, {"PVS1"}),
        (variant("stop_gained", disease_mode="MISS"), {"REQ_GP_missense_only"}, {"PVS1"}),
        (variant("missense_variant", disease_mode="LOF"), {"BP1", "REQ_missense", "REQ_GP_LOF_only"}, {"PP2"}),
        (variant("missense_variant", commonness="common"), {"BA1", "REQ_hi_freq"}, set()),
        (variant("missense_variant", commonness="less_common"), {"BS1"}, set()),
        (
            variant("missense_variant", commonness="less_common", inheritance="AR"),
            {"REQ_less_common", "REQ_GP_AR"},
            {"BS1"},
        ),
        (variant("missense_variant", commonness="null_freq"), {"PPxPM2", "REQ_no_freq"}, {"PM2"}),
        (variant("stop_lost"), {"PM4"}, set()),
        (variant("inframe_deletion"), {"REQ_inframe"}, {"PM4", "BP3"}),  # repeat status unknown: no suggestion
        (variant("synonymous_variant"), {"REQ_no_aa_change"}, {"BP7"}),  # BP7 needs a splice (custom) annotation
        ({**variant("synonymous_variant"), "prediction": {"splice_Effect_manual": "no_effect"}}, {"BP7", "BP4"}, set()),
        ({**variant("inframe_insertion"), "prediction": {"repeat": "non_repeat"}}, {"PM4", "REQ_non_repeat"}, set()),
        ({**variant("missense_variant"), "prediction": {"domain": "critical_site"}}, {"PSxPM1"}, set()),
    ],
)
def test_rules_on_annotation(data, present, absent):
    found = set(codes(data))
    assert present <= found, present - found
    assert not (absent & found), absent & found


def test_rules_on_reference_assessments():
    """Reference evaluations: same amino acid change reported pathogenic with strong evidence → PS1; moderate
    evidence → PMxPS1; segregation with strong evidence → PSxPP1; two references each counted."""
    data = variant("missense_variant")
    data["refassessment"] = {
        "1_10": {
            "ref_aa_overlap": "overlap_pat",
            "ref_aa_overlap_same_novel": "same_aa",
            "ref_aa_overlap_quality": "overlap_HQ",
        },
        "1_11": {
            "ref_segregation": "segr",
            "ref_segregation_quality": "segr_HQ",
            "ref_population_healthy": "in_healthy",
        },
    }
    found = apply_rules(default_rules(), data)
    names = [p["code"] for p in found]
    assert {"PS1", "PSxPP1", "BS2"} <= set(names) and "PMxPS1" not in names
    bs2 = next(p for p in found if p["code"] == "BS2")
    assert (bs2["source"], bs2["match"]) == ("refassessment.1_11.ref_population_healthy", ["in_healthy"])


def test_memo_gives_the_same_answers():
    """Alleles that look alike to the rules are evaluated once per request: the answers are those without."""
    datas = [variant(c, commonness=f) for c in ("stop_gained", "missense_variant") for f in ("common", "null_freq")]
    datas += [variant("stop_gained", exon="27/27"), variant("stop_gained", last_exon_important="LENI", exon="27/27")]
    datas += [
        {**variant("missense_variant"), "refassessment": {f"{a}_1": {"ref_de_novo": "de_novo_confirmed"}}}
        for a in (1, 2)
    ]
    memo: dict[Any, Any] = {}
    for data in datas * 2:
        assert apply_rules(default_rules(), data, memo) == apply_rules(default_rules(), data)
    assert len(memo) == len(datas)
    sources = [c["source"] for c in apply_rules(default_rules(), datas[-1], memo) if c["code"] == "PS2"]
    assert sources == ["refassessment.2_1.ref_de_novo"]
