"""The rule language and its evaluation, scenario by scenario as ELLA's rule-engine tests have them.

Mirrors ELLA src/rule_engine/tests/grm_test.py (the rule model), grl_test.py (the JSON rule parser) and
gra_test.py (applying rules to data). ELLA's tests call its rule classes directly; these go through our
parser (the rule language) and evaluate the same inputs, expecting the same pass/fail and the same codes.
"""

from __future__ import annotations

from typing import Any

import pytest

from ella_app.services.acmg.engine import apply_rules, flatten, run_rules
from ella_app.services.acmg.language import All, AtLeast, Compare, In, Not, Or, Range, RuleSet, Values, parse_rules


def source_test(body: Any, source: str = "x.y") -> Any:
    return parse_rules([{"code": "T", "rule": {source: body}}]).rules[0].test


def aggregate_test(body: Any) -> Any:
    return parse_rules([{"code": "T", "rule": {"$$aggregate": body}}]).rules[0].test


def query(test: Any, data: Any) -> list[Any] | None:
    """As the engine queries a test: a list of values, or one value."""
    return test.evaluate(Values.of(data))


def by_code(ruleset: RuleSet) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for rule in ruleset.rules:
        out.setdefault(rule.code, []).append(rule)
    return out


# ------------------------------------------------------------------------------------------ grm_test.py


def test_in_rule_single_input_annotation():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testInRuleSingleInputAnnotation."""
    rule = source_test({"$in": ["transcript_ablation", "splice_donor_variant"]})
    assert query(rule, ["transcript_ablation"]) == ["transcript_ablation"]
    assert query(rule, ["not_there"]) is None
    rule = source_test({"$in": ["transcript_ablation"]})
    assert query(rule, ["transcript_ablation"]) == ["transcript_ablation"]
    assert query(rule, ["not_there"]) is None
    assert query(source_test({"$in": []}), ["transcript_ablation"]) is None


def test_in_rule_multiple_input_annotation():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testInRuleMultipleInputAnnotation."""
    rule = source_test({"$in": ["transcript_ablation", "splice_donor_variant"]})
    assert query(rule, ["transcript_ablation", "something_else_too"]) == ["transcript_ablation"]
    assert query(rule, ["not_there", "not_there_neither"]) is None
    rule = source_test({"$in": ["transcript_ablation"]})
    assert query(rule, ["transcript_ablation", "splice_donor_variant"]) == ["transcript_ablation"]
    assert query(rule, ["not_there", "not_there_neither"]) is None
    assert query(source_test({"$in": []}), ["transcript_ablation", "something_else"]) is None


def test_in_rule_single_value():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testInRuleSingleValue."""
    rule = source_test("de_novo", "transcript.splice.effect")
    assert isinstance(rule, In) and rule.values == ("de_novo",)
    assert query(rule, ["de_novo"]) == ["de_novo"]
    assert query(rule, "de_novo") == ["de_novo"]
    assert query(rule, ["not_de_novo"]) is None
    rule = source_test(99, "transcript.splice.eff")
    assert query(rule, [99]) == [99]
    assert query(rule, 99) == [99]


def test_and_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testAndRule (on codes: ELLA's And takes one
    list for all its parts, which is how aggregate rules use it)."""
    rule = aggregate_test({"$and": ["transcript_ablation", "splice_donor_variant", "stop_gained"]})
    result = query(rule, ["stop_gained", "transcript_ablation", "splice_donor_variant"])
    assert result == ["transcript_ablation", "splice_donor_variant", "stop_gained"]
    assert query(rule, ["stop_gained", "splice_donor_variant"]) is None
    assert query(rule, []) is None


def test_or_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testOrRule."""
    rule = aggregate_test({"$or": ["transcript_ablation", "splice_donor_variant", "stop_gained"]})
    assert query(rule, ["stop_gained", "splice_donor_variant"]) == ["splice_donor_variant", "stop_gained"]
    assert query(rule, ["different", "annotations", "altogether"]) is None
    assert query(rule, []) is None


def test_gt_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testGtRule."""
    rule = source_test({"$gt": 0.4}, "ESP6500")
    assert isinstance(rule, Compare)
    for passing in (0.5, 0.6, "0.6", "68"):
        assert query(rule, passing) == [passing]
    assert query(rule, -876) is None
    assert query(rule, 0.4) is None


def test_lt_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testLtRule."""
    rule = source_test({"$lt": 0.4}, "ESP6501")
    for passing in (0.3, 0.3999999, "-678"):
        assert query(rule, passing) == [passing]
    assert query(rule, 876) is None
    assert query(rule, 0.4) is None


def test_range_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testRangeRule (exclusive bounds)."""
    rule = source_test({"$range": [-67.3, 4]}, "ESP6502")
    assert isinstance(rule, Range)
    assert query(rule, -3) == [-3]
    assert query(rule, -67.2999999) == [-67.2999999]
    assert query(rule, -875) is None
    assert query(rule, 4.00002) is None


def test_complex_composite_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testComplexCompositeRule:
    (transcript_ablation AND splice_donor_variant AND stop_gained) OR (in_cis_pathogenic AND in_trans_pathogenic).
    """
    rule = aggregate_test(
        {
            "$or": [
                {"$and": ["transcript_ablation", "splice_donor_variant", "stop_gained"]},
                {"$and": ["in_cis_pathogenic", "in_trans_pathogenic"]},
            ]
        }
    )
    assert query(rule, ["transcript_ablation", "splice_donor_variant", "stop_gained"]) == [
        "transcript_ablation",
        "splice_donor_variant",
        "stop_gained",
    ]
    assert query(rule, ["in_cis_pathogenic", "in_trans_pathogenic"]) == ["in_cis_pathogenic", "in_trans_pathogenic"]
    assert query(rule, ["transcript_ablation", "splice_donor_variant", "in_cis_pathogenic"]) is None


def test_all_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testAllRule."""
    rule = aggregate_test({"$all": ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5"]})
    assert isinstance(rule, All)
    for failing in ([], ["rBP7-1"], ["rBP7-1", "rBP7-2"], ["rBP7-1", "rBP7-3"]):
        assert query(rule, failing) is None
    for passing in (
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5"],
        ["rBP7-1", "rBP7-2", "rBP7-4", "rBP7-3", "rBP7-5", "rBP7-4"],
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5", "and"],
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5", "and", "more"],
    ):
        assert query(rule, passing) is not None


def test_all_rule_wildcard():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testAllRuleWildcard."""
    rule = aggregate_test({"$all": ["BP6", "PP*"]})
    for failing in ([], ["rBP7-1"], ["rBP7-1", "rBP7-2"], ["rBP7-1", "BP6"]):
        assert query(rule, failing) is None
    assert query(rule, ["PP3", "BP6"]) == ["BP6", "PP3"]
    assert query(rule, ["rBP7-1", "rBP7-2", "rBP7-4", "PP5", "rBP7-5", "BP6", "rBP7-4"]) == ["BP6", "PP5"]


def test_atleast_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testAtleastRule."""
    rule = aggregate_test({"$atleast": [3, "rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5", "rBP7-1"]})
    assert isinstance(rule, AtLeast) and rule.count == 3
    for failing in ([], ["rBP7-1"], ["rBP7-1", "rBP7-2"], ["rBP7-1", "rBP7-3", "rBP7-1"]):
        assert query(rule, failing) is None
    for passing in (
        ["rBP7-1", "rBP7-2", "rBP7-4"],
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4"],
        ["rBP7-1", "rBP7-2", "rBP7-4", "rBP7-3", "rBP7-5", "rBP7-4"],
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5", "and"],
        ["rBP7-1", "rBP7-2", "rBP7-3", "rBP7-4", "rBP7-5", "and", "more"],
    ):
        assert query(rule, passing) is not None


def test_atleast_rule_wildcard():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testAtleastRuleWildcard."""
    rule = aggregate_test({"$atleast": [3, "BP7", "BP8", "BP9", "BP1*"]})
    for failing in (
        [],
        ["BP7"],
        ["BP7", "BP7"],
        ["BP1567", "BP1987"],
        ["BP1567", "BP1987", "BP23"],
        ["BP7", "BP8", "BP7"],
    ):
        assert query(rule, failing) is None
    for passing in (["BP7", "BP8", "BP9"], ["BP7", "BP1234234", "BP9"], ["BP7", "BP1234234", "BP9", "BP7"]):
        assert query(rule, passing) is not None


def test_not_rule():
    """Mirrors ELLA src/rule_engine/tests/grm_test.py::GrmTest::testNotRule."""
    rule = aggregate_test({"$not": {"$and": ["transcript_ablation", "splice_donor_variant", "stop_gained"]}})
    assert isinstance(rule, Not)
    assert query(rule, ["stop_gained", "transcript_ablation", "splice_donor_variant"]) is None
    assert query(rule, ["stop_gained", "transcript_ablation", "splice_donor_variant", "foo"]) is None
    assert query(rule, ["stop_gained", "splice_donor_variant"]) == []  # passes, on no code
    assert query(rule, []) == []


# ------------------------------------------------------------------------------------------ grl_test.py


def test_parse_simple_equality_rule():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testParseSimpleEqualityRule."""
    rules = by_code(parse_rules([{"code": "BP2", "rule": {"transcript.splice.effect": "de_novo"}}]))
    rule = rules["BP2"][0]
    assert (rule.source, rule.code, rule.test) == ("transcript.splice.effect", "BP2", In(("de_novo",)))


def test_parse_basic_rule_list():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testParseBasicRuleList."""
    consequences = [
        "start_retained_variant",
        "stop_retained_variant",
        "5_prime_UTR_variant",
        "3_prime_UTR_variant",
        "non_coding_exon_variant",
        "nc_transcript_variant",
        "intron_variant",
        "upstream_gene_variant",
        "downstream_gene_variant",
        "intergenic_variant",
        "synonymous_variant",
    ]
    rules = by_code(
        parse_rules(
            [
                {
                    "code": "BP1",
                    "rule": {"transcript.Consequence": {"$in": ["missense_variant", "synonymous_variant"]}},
                },
                {"code": "BP2", "rule": {"transcript.splice.effect": "de_novo"}},
                {"code": "BP1", "rule": {"t.s.e": "d_n"}},
                {"code": "rBP7-1", "rule": {"transcript.Consequence": {"$in": consequences}}},
                {"code": "rBP7-2", "rule": {"genomic.Conservation": "non_conserved"}},
                {"code": "rBP7-3", "rule": {"transcript.splice.effect": "no_effect"}},
                {"code": "rBP7-4", "rule": {"foo.bar": {"$lt": "34323"}}},
                {"code": "rBP7-5", "rule": {"bar.foo": {"$gt": 0.5}}},
                {"code": "rBP7-6", "rule": {"ba.fo": {"$range": [0, 1.6]}}},
                {"code": "GP1", "rule": {"genepanel.hi_freq_cutoff": 0.01}},
            ]
        )
    )
    assert [r.code for r in rules["BP1"]] == ["BP1", "BP1"]
    assert (rules["BP1"][1].source, rules["BP1"][1].test) == ("t.s.e", In(("d_n",)))
    assert rules["BP2"][0].code == "BP2"
    assert (rules["rBP7-1"][0].source, rules["rBP7-1"][0].test) == ("transcript.Consequence", In(tuple(consequences)))
    assert rules["rBP7-2"][0].code == "rBP7-2"
    assert (rules["rBP7-3"][0].source, rules["rBP7-3"][0].test) == ("transcript.splice.effect", In(("no_effect",)))
    assert rules["rBP7-4"][0].test == Compare("$lt", 34323.0)
    assert rules["rBP7-5"][0].test == Compare("$gt", 0.5)
    assert rules["rBP7-6"][0].test == Range(0.0, 1.6)
    assert rules["GP1"][0].test == In((0.01,))


def test_parse_composite_rules():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testParseCompositeRules.

    ELLA parses top-level $and/$or without $$aggregate into composite rules but never evaluates them (their
    source is dropped, so no data is found for them: see gra.py). Here they parse, are marked inert, and
    never pass, even on data where each part would hold.
    """
    ruleset = parse_rules(
        [
            {"code": "BP1", "rule": {"transcript.Consequence": {"$in": ["missense_variant", "synonymous_variant"]}}},
            {"code": "BP2", "rule": {"genepanel.hi_freq_cutoff": 0.001}},
            {
                "code": "MYAND",
                "rule": {
                    "$and": [
                        {"genepanel.hi_freq_cutoff": 0.001},
                        {"transcript.Consequence": {"$in": ["missense_variant", "synonymous_variant"]}},
                    ]
                },
            },
            {
                "code": "MYOR",
                "rule": {
                    "$or": [
                        {"genepanel.hi_freq_cutoff": 0.002},
                        {"transcript.Conseq": {"$in": ["missense_v", "synonymous_v"]}},
                    ]
                },
            },
            {
                "code": "MYCOMPLEX",
                "rule": {
                    "$or": [
                        {"genepanel.hi_freq_cutoff": 0.001},
                        {
                            "$and": [
                                {"a.b": 0.01},
                                {"c.d": {"$in": ["some", "values"]}},
                                {"$or": [{"e.f.g": "0.001"}, {"h.jjj": {"$in": ["more", "values"]}}]},
                            ]
                        },
                        {"genepanel.foo": "baz"},
                    ]
                },
            },
        ]
    )
    assert [r.code for r in ruleset.inert] == ["MYAND", "MYOR", "MYCOMPLEX"]
    data = {"genepanel": {"hi_freq_cutoff": 0.001, "foo": "baz"}, "transcript": {"Consequence": ["missense_variant"]}}
    passed, _ = run_rules(ruleset, data)
    assert [p.code for p in passed] == ["BP1", "BP2"]


def test_rule_aggregation_all():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testRuleAgGRMgationAll."""
    rules = by_code(
        parse_rules(
            [
                {"code": "rBP7-1", "rule": {"transcript.Consequence": {"$in": ["synonymous_variant"]}}},
                {"code": "rBP7-2", "rule": {"genomic.Conservation": "non_conserved"}},
                {"code": "rBP7-3", "rule": {"transcript.splice.effect": "no_effect"}},
                {"code": "rBP7-4", "rule": {"transcript.splice.power": "some_effect"}},
                {"code": "BP7", "rule": {"$$aggregate": {"$all": ["rBP7-1", "rBP7-2", "rBP7-3"]}}},
                {"code": "PP7", "rule": {"$$aggregate": {"$all": ["BP7", "rBP7-4"]}}},
                {"code": "PP8", "rule": {"$$aggregate": {"$not": {"$all": ["BP7", "rBP7-4"]}}}},
            ]
        )
    )
    assert rules["BP7"][0].aggregate and rules["BP7"][0].test == All(("rBP7-1", "rBP7-2", "rBP7-3"))
    assert rules["PP8"][0].test == Not(All(("BP7", "rBP7-4")))


def test_rule_aggregation_composite():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testRuleAggregationComposite."""
    rules = by_code(
        parse_rules(
            [
                {"code": "rBP7-1", "rule": {"genomic.Conservation": "non_conserved"}},
                {"code": "rBP7-2", "rule": {"transcript.splice.effect": "no_effect"}},
                {"code": "rBP7-3", "rule": {"transcript.splice.power": "some_effect"}},
                {"code": "rBP7-4", "rule": {"transcript.splice.power": "some_effect"}},
                {"code": "rBP7-5", "rule": {"transcript.splice.power": "some_effect"}},
                {"code": "BP7", "rule": {"$$aggregate": {"$all": ["rBP7-1", "rBP7-2", "rBP7-3"]}}},
                {"code": "BP8", "rule": {"$$aggregate": {"$atleast": [1, "rBP7-4", "rBP7-5"]}}},
                {"code": "BP9", "rule": {"$$aggregate": {"$or": [{"$all": ["BP7"]}, {"$not": {"$all": ["BP8"]}}]}}},
            ]
        )
    )
    bp9 = rules["BP9"][0]
    assert bp9.aggregate and bp9.test == Or((All(("BP7",)), Not(All(("BP8",)))))


def test_rule_aggregation_atleast():
    """Mirrors ELLA src/rule_engine/tests/grl_test.py::GrlTest::testRuleAgGRMgationAtLeast."""
    rules = by_code(
        parse_rules(
            [
                {"code": "rBP7-1", "rule": {"transcript.Consequence": {"$in": ["synonymous_variant"]}}},
                {"code": "rBP7-2", "rule": {"genomic.Conservation": "non_conserved"}},
                {"code": "rBP7-3", "rule": {"transcript.splice.effect": "no_effect"}},
                {"code": "rBP7-2", "rule": {"genomic.Onservation": "conserved"}},
                {"code": "PP7", "rule": {"$$aggregate": {"$atleast": [2, "rBP7-1", "rBP7-2", "rBP7-3"]}}},
            ]
        )
    )
    assert rules["PP7"][0].test == AtLeast(2, ("rBP7-1", "rBP7-2", "rBP7-3"))
    assert [r.source for r in rules["rBP7-2"]] == ["genomic.Conservation", "genomic.Onservation"]


# ------------------------------------------------------------------------------------------ gra_test.py

GRA_RULES = [
    {"code": "BP1", "rule": {"transcript.Consequence": {"$in": ["missense_variant", "synonymous_variant"]}}},
    {"code": "BP1", "rule": {"transcript.Conseq": {"$in": ["missense_var", "synonymous_var"]}}},
    {"code": "BP2", "rule": {"transcript.splice.effect": "de_novo"}},
    {
        "code": "rBP7-1",
        "rule": {
            "transcript.Consequence": {
                "$in": [
                    "start_retained_variant",
                    "stop_retained_variant",
                    "5_prime_UTR_variant",
                    "3_prime_UTR_variant",
                    "non_coding_exon_variant",
                    "nc_transcript_variant",
                    "intron_variant",
                    "upstream_gene_variant",
                    "downstream_gene_variant",
                    "intergenic_variant",
                    "synonymous_variant",
                ]
            }
        },
    },
    {"code": "rBP7-2", "rule": {"genomic.Conservation": "non_conserved"}},
    {"code": "rBP7-3", "rule": {"transcript.splice.effect": "no_effect"}},
    {"code": "rBP7-4", "rule": {"transcript.Existing_variation": {"$in": ["rs1799943"]}}},
    {"code": "BP7", "rule": {"$$aggregate": {"$all": ["rBP7-1", "rBP7-2", "rBP7-3"]}}},
    {"code": "BP8", "rule": {"$$aggregate": {"$all": ["rBP7-1", "BP*"]}}},
    {"code": "PP7", "rule": {"$$aggregate": {"$atleast": [2, "rPP3-1", "rPP3-2", "rPP3-3"]}}},
    {"code": "PP8", "rule": {"frequencies.ExAC.Adj": 0.24646677011897014}},
    {"code": "PP9", "rule": {"$$aggregate": {"$atleast": [1, "rPP3*", "rPP1*"]}}},
    {"code": "GP1", "rule": {"genepanel.hi_freq_cutoff": 0.01}},
    {"code": "PP10", "rule": {"$$aggregate": {"$atleast": [1, "GP*", "BP*"]}}},
    {"code": "PP11", "rule": {"$$aggregate": {"$or": [{"$all": ["PP9"]}, {"$all": ["PP10"]}]}}},
    {"code": "PP11.1", "rule": {"$$aggregate": {"$or": [{"$all": ["PP9"]}, {"$not": {"$all": ["PP10"]}}]}}},
    {"code": "PP11.2", "rule": {"$$aggregate": {"$or": [{"$all": ["PP9"]}, {"$in": ["PP10", "FOO"]}]}}},
    {"code": "PP11.2.1", "rule": {"$$aggregate": {"$or": ["PP9", "PP10"]}}},
    {"code": "PP11.3", "rule": {"$$aggregate": {"$or": [{"$all": ["PP9"]}, {"$in": ["NOT", "HERE"]}]}}},
    {"code": "PP12", "rule": {"$$aggregate": {"$and": [{"$all": ["PP10"]}, {"$all": ["PP9"]}]}}},
    {"code": "PP13", "rule": {"refassessment.*.ref_segregation": "segr+++"}},
    {"code": "PP14", "rule": {"refassessment.*.ref_ihc": "mmr_loss++"}},
]

GRA_DATA: dict[str, Any] = {
    "frequencies": {
        "1000g": {"AA": 0.102587, "AFR": 0.05, "AMR": 0.19, "ASN": 0.37, "EA": 0.263256, "EUR": 0.23, "G": 0.2185},
        "ExAC": {
            "AFR": 0.10079704510108865,
            "AMR": 0.18944802368100297,
            "Adj": 0.24646677011897014,
            "EAS": 0.38011152416356875,
            "FIN": 0.19137466307277629,
            "G": 0.24313202452790292,
            "NFE": 0.2580812077676995,
            "OTH": 0.25925925925925924,
            "SAS": 0.2833209693372898,
        },
    },
    "genetic": {"Conservation": "non_conserved"},
    "refassessment": {"0": {"ref_segregation": "segr+++"}, "1": {"ref_ihc": "mmr_loss+"}},
    "genomic": {"Conservation": "conserved"},
    "transcript": {
        "Consequence": ["synonymous_variant"],
        "Conseq": ["missense_var"],
        "Existing_variation": ["rs1799943"],
        "HGVSc": "NM_000059.3:c.-26G>A",
        "Transcript": "NM_000059",
        "Transcript_version": "3",
        "Transcript_version_CLINVAR": "3",
        "Transcript_version_HGMD": "3",
    },
    "genepanel": {
        "inheritance": ["AD", "XD"],
        "last_exon_important": "true",
        "hi_freq_cutoff": 0.01,
        "lo_freq_cutoff": 0.001,
        "disease_mode": "lof_only",
    },
}


def test_expand_multi_rules():
    """Mirrors ELLA src/rule_engine/tests/gra_test.py::GraTest::testExpandMultiRules: a ``.*.`` source becomes
    one rule per matching key, evaluated last here as in ELLA's list."""
    passed, failed = run_rules(parse_rules(GRA_RULES), GRA_DATA)
    assert (passed[-1].code, passed[-1].source, passed[-1].value) == (
        "PP13",
        "refassessment.0.ref_segregation",
        ["segr+++"],
    )
    assert failed[-1] == ("PP14", "refassessment.1.ref_ihc")


def test_parse_to_source_keyed():
    """Mirrors ELLA src/rule_engine/tests/gra_test.py::GraTest::testParseToSourceKeyed."""
    data = flatten(GRA_DATA)
    assert data["frequencies.1000g.AA"] == 0.102587
    assert data["frequencies.1000g.EUR"] == 0.23
    assert data["transcript.Consequence"] == ["synonymous_variant"]
    assert data["transcript.Existing_variation"] == ["rs1799943"]
    assert data["transcript.Transcript_version_CLINVAR"] == "3"


def test_apply_rules():
    """Mirrors ELLA src/rule_engine/tests/gra_test.py::GraTest::testApplyRules: same passed and not passed
    codes, in the same order."""
    passed, failed = run_rules(parse_rules(GRA_RULES), GRA_DATA)
    assert [p.code for p in passed] == [
        "BP1",
        "BP1",
        "rBP7-1",
        "rBP7-4",
        "BP8",
        "PP8",
        "GP1",
        "PP10",
        "PP11",
        "PP11.2",
        "PP11.2.1",
        "PP13",
    ]
    assert passed[0].source == "transcript.Consequence"
    assert [code for code, _ in failed] == [
        "BP2",
        "rBP7-2",
        "rBP7-3",
        "BP7",
        "PP7",
        "PP9",
        "PP11.1",
        "PP11.3",
        "PP12",
        "PP14",
    ]


# ------------------------------------------------------------------------------------------ ours


def test_passed_rules_carry_their_data():
    """What the API shows for each code: source and matched data, or for aggregates the codes they used."""
    passed, _ = run_rules(parse_rules(GRA_RULES), GRA_DATA)
    first = passed[0].as_dict()
    assert first == {
        "code": "BP1",
        "source": "transcript.Consequence",
        "op": "$in",
        "value": ["missense_variant", "synonymous_variant"],
        "match": ["synonymous_variant"],
    }
    bp8 = next(p for p in passed if p.code == "BP8").as_dict()
    assert bp8 == {"code": "BP8", "source": None, "op": "$all", "value": ["rBP7-1", "BP*"], "match": ["rBP7-1", "BP1"]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": {"b": [{"x": 1}], "c": None}}, {"a.b": [{"x": 1}], "a.c": None}),
        ({"a": {}}, {}),
        ({"external": {"[Trusted source]": "Benign"}}, {"external.[Trusted source]": "Benign"}),
    ],
)
def test_flatten_leaves(data, expected):
    assert flatten(data) == expected


def test_unhashable_and_non_numeric_data_do_not_match():
    """Where ELLA would raise (set() of dicts, float() of a list), a rule simply does not pass."""
    assert query(source_test({"$in": ["a"]}), [{"x": 1}, "a"]) == ["a"]
    assert query(source_test({"$gt": 1}), [2, 3]) is None
    assert query(source_test({"$range": [0, 1]}), "not a number") is None
    assert query(source_test({"$lt": 1}), None) is None


def test_atleast_counts_pattern_and_code_pairs():
    """ELLA's AtLeastRule counts each (pattern, code) pair that matches: two patterns on one code count twice."""
    rule = aggregate_test({"$atleast": [2, "BP*", "BP1*"]})
    assert query(rule, ["BP12"]) == ["BP12"]
    assert query(aggregate_test({"$atleast": [2, "BP1*"]}), ["BP12"]) is None


@pytest.mark.parametrize(
    "data",
    [
        GRA_DATA,
        {"a.b": {"c": 1}, "x": {"y": {"z": [1, 2]}}},  # a key with a dot: flattened to a.b.c as ELLA does
        {"a": {"b.c": 1}, "x": {"y": {"z": {"deeper": 1}}}},  # x.y.z is an object: not a value
        {"refassessment": {"1_2": {"ref_segregation": "segr+++"}, "9_9": {"ref_ihc": "mmr_loss++"}}},
    ],
)
def test_the_fast_path_reads_what_flattening_gives(data):
    """``apply_rules`` looks the sources up instead of flattening everything: same answers as ``run_rules``."""
    rules = parse_rules(
        [*GRA_RULES, {"code": "D1", "rule": {"a.b.c": 1}}, {"code": "D2", "rule": {"x.y.z": {"$in": [2]}}}]
    )
    fast = apply_rules(rules, data)
    assert fast == [p.as_dict() for p in run_rules(rules, data)[0]]
    assert fast == apply_rules(rules, data, {})
