"""ELLA's prefilters: which proband records a user group's deposit rule leaves out at import."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from ella_app.formats.vcf import VcfReader
from ella_app.services.import_blocks import SiteReader, blocks
from ella_app.services.import_prefilters import PREFILTERS, Prefilter, decided_blocks
from tests.support import vcfgen

ALL_FOUR = [["hi_frequency", "position_not_nearby", "no_classification", "non_multiallelic"]]
HIGH = {"GNOMAD_GENOMES__AF": 0.051, "GNOMAD_GENOMES__AN": 5001}


def _variant(pos: int, info: dict[str, Any], gt: str = "0/1", classified: bool = False) -> dict[str, Any]:
    return {"POS": pos, "INFO": info, "FORMAT": [{"GT": gt}], "classified": classified}


def imported_positions(tmp_path: Path, variants: list[dict[str, Any]], criteria: list[list[str]]) -> list[int]:
    """POS of the records kept, in file order, with ``classified`` variants counted as classified."""
    path = vcfgen.mock_vcf(tmp_path / "prefilter.vcf", ["TEST_SAMPLE"], variants)
    classified = {("1", v["POS"], "A", "C") for v in variants if v.get("classified")}
    prefilter = Prefilter(tuple(tuple(c) for c in criteria), 0, classified) if criteria else None
    with VcfReader(path) as vcf:
        reader = SiteReader(0, vcf.header.samples)
        kept = [
            site.record.pos
            for block in decided_blocks(blocks(reader.site(r) for r in vcf), prefilter)
            for site in block
            if site.keep
        ]
    return sorted(kept)


ELLA_EXAMPLES = {
    "nearby": ([_variant(1, HIGH), _variant(3, HIGH)], ALL_FOUR, [1, 3]),
    "classification": ([_variant(1, HIGH), _variant(10, HIGH, classified=True)], ALL_FOUR, [10]),
    "multiallelic": (
        [
            _variant(1, {**HIGH, "OLD_MULTIALLELIC": "1"}, "./1"),
            _variant(10, {**HIGH, "OLD_MULTIALLELIC": "1"}, "1/."),
        ],
        ALL_FOUR,
        [1, 10],
    ),
    "frequency": (
        [
            _variant(1, {}),
            _variant(10, HIGH),
            _variant(100, {"GNOMAD_GENOMES__AF": 0.049, "GNOMAD_GENOMES__AN": 5001}),
            _variant(1000, {"GNOMAD_GENOMES__AF": 0.051, "GNOMAD_GENOMES__AN": 4999}),
        ],
        ALL_FOUR,
        [1, 100, 1000],
    ),
    # 1 and 5 are kept although their neighbour 3 (MQ 0) is left out
    "nearby_but_one_failing_mq": (
        [_variant(1, {}), _variant(3, {"MQ": 0}), _variant(5, {})],
        [["low_mapping_quality"], ["position_not_nearby"]],
        [1, 5],
    ),
}


@pytest.mark.parametrize("case", list(ELLA_EXAMPLES))
def test_prefilterbatchgenerator_examples(tmp_path, case):
    """Mirrors ELLA src/vardb/deposit/tests/test_deposit.py::test_prefilterbatchgenerator (its five
    hand-written examples: nearby, classification, multiallelic, frequency, nearby but one failing MQ)."""
    variants, criteria, expected = ELLA_EXAMPLES[case]
    assert imported_positions(tmp_path, variants, criteria) == expected


def _random_batch(rng: random.Random) -> list[dict[str, Any]]:
    """ELLA's ``prefilter_batch_strategy``: up to 8 records, 1-13 bp apart, frequencies around the
    thresholds, MQ 0-40 or none, classified or not, GT 0/1 ./. ./1 1/. 1 or ., some ./1 1/. multiallelic."""
    pos, batch = 1, []
    for _ in range(rng.randint(1, 8)):
        pos += rng.randint(1, 13)
        info: dict[str, Any] = {}
        if rng.random() < 0.5:
            info["GNOMAD_GENOMES__AF"] = rng.choice([0.0499, 0.05, 0.05001, 0.2])
            info["GNOMAD_GENOMES__AN"] = rng.choice([4999, 5000, 5001])
        if rng.random() < 0.5:
            info["MQ"] = rng.randint(0, 40)
        gt = rng.choice(["0/1", "./.", "./1", "1/.", "1", "."])
        if gt in ("./1", "1/.") and rng.random() < 0.5:
            info["OLD_MULTIALLELIC"] = f"1:{pos}:A/C/G"  # its own block: ELLA's strategy does not make pairs
        batch.append(_variant(pos, info, gt, classified=rng.random() < 0.5))
    return batch


def _reference(batch: list[dict[str, Any]], criteria: list[list[str]]) -> list[int]:
    """ELLA's test oracle: a proband record is kept unless all criteria of one list hold, "nearby" meaning
    another proband record within 3 bp before or after it."""
    proband = [v for v in batch if v["FORMAT"][0]["GT"] not in ("./.", ".")]
    kept = []
    for i, v in enumerate(proband):
        if not criteria:
            kept.append(v["POS"])
            continue
        near = any(abs(v["POS"] - w["POS"]) <= 3 for w in proband[max(0, i - 1) : i + 2] if w is not v)
        info = v["INFO"]
        checks = {
            "non_multiallelic": "OLD_MULTIALLELIC" not in info,
            "hi_frequency": float(info.get("GNOMAD_GENOMES__AF", 0.0)) > 0.05
            and int(info.get("GNOMAD_GENOMES__AN", 0)) > 5000,
            "position_not_nearby": not near,
            "no_classification": not v["classified"],
            "low_mapping_quality": float(info.get("MQ", float("inf"))) < 20,
        }
        if not any(all(checks[c] for c in group) for group in criteria):
            kept.append(v["POS"])
    return kept


def test_prefilterbatchgenerator_generated(tmp_path):
    """Mirrors ELLA src/vardb/deposit/tests/test_deposit.py::test_prefilterbatchgenerator (its generated
    batches and its oracle; seeded random draws instead of hypothesis, 400 batches with up to four
    distinct criteria lists)."""
    rng = random.Random(3)
    for _ in range(400):
        batch = _random_batch(rng)
        criteria: list[list[str]] = []
        for _ in range(rng.randint(0, 4)):
            group = sorted(rng.sample(PREFILTERS, rng.randint(1, len(PREFILTERS))))
            if group not in criteria:
                criteria.append(group)
        assert imported_positions(tmp_path, batch, criteria) == _reference(batch, criteria), (batch, criteria)


def test_a_record_left_out_waits_for_the_next_proband_record_across_blocks(tmp_path):
    """A record left out only for lack of a neighbour is taken in when the next proband record, even in a
    later block and after records the proband does not carry, lies within 3 bp."""
    variants = [
        _variant(100, HIGH),
        _variant(101, HIGH, "0/0"),  # not the proband's: no part of the chain
        _variant(102, {}),
        _variant(200, HIGH),
    ]
    assert imported_positions(tmp_path, variants, ALL_FOUR) == [100, 102]


def test_cnv_records_are_never_prefiltered(tmp_path):
    variants = [
        {"POS": 10, "ALT": "<DEL>", "INFO": {**HIGH, "SVTYPE": "DEL", "SVLEN": "-100"}, "FORMAT": [{"GT": "0/1"}]},
        _variant(12, HIGH),
    ]
    # the CNV is kept and is not the SNV's neighbour
    assert imported_positions(tmp_path, variants, [["hi_frequency", "position_not_nearby"]]) == [10]


def test_unreadable_frequency_names_the_prefilter(tmp_path):
    variants = [_variant(1, {"GNOMAD_GENOMES__AF": "high", "GNOMAD_GENOMES__AN": 6000})]
    with pytest.raises(ValueError, match=r"GNOMAD_GENOMES__AF 'high' is not a number .*hi_frequency"):
        imported_positions(tmp_path, variants, [["hi_frequency"]])
