"""Allele coordinates as ELLA computes them from a VCF record (SNVs, indels, CNVs)."""

from __future__ import annotations

import random

import pytest

from ella_app.formats.vcf import allele_shape, cnv_shape

# (chrom, pos, ref, alt) → ELLA's expected coordinates (its hand-picked examples)
ELLA_EXAMPLES = [
    (("17", 41226488, "C", "A"), (41226487, 41226488, "C", "A", "SNP")),  # normal SNP
    (("11", 41226488, "C", "CGCT"), (41226487, 41226488, "", "GCT", "ins")),  # three base insertion
    (("X", 41226488, "AATT", "A"), (41226488, 41226491, "ATT", "", "del")),  # three base deletion
    (("14", 41226488, "C", "AGCT"), (41226487, 41226488, "C", "AGCT", "indel")),  # one deleted, four inserted
    (("3", 41226488, "ACGT", "C"), (41226487, 41226491, "ACGT", "C", "indel")),  # four deleted, one inserted
    (("4", 41226488, "AT", "GC"), (41226487, 41226489, "AT", "GC", "indel")),  # two deleted, two inserted
]


@pytest.mark.parametrize(("position", "expected"), ELLA_EXAMPLES)
def test_allele_from_record_examples(position, expected):
    """Mirrors ELLA src/vardb/deposit/tests/test_importers.py::test_allele_from_record (its examples)."""
    _, pos, ref, alt = position
    shape = allele_shape(pos, ref, alt)
    assert (shape.start, shape.open_end, shape.change_from, shape.change_to, shape.change_type) == expected


def _expected(pos: int, ref: str, alt: str) -> tuple[int, int, str, str, str, int]:
    """ELLA's rule for a normalised record (as its test states it)."""
    if len(ref) == len(alt) == 1:
        return pos - 1, pos, ref, alt, "SNP", 1
    if alt[0] != ref[0]:
        return pos - 1, pos - 1 + len(ref), ref, alt, "indel", max(len(ref), len(alt))
    if len(ref) < len(alt):
        return pos - 1, pos, "", alt[1:], "ins", 1
    return pos, pos + len(ref) - 1, ref[1:], "", "del", len(ref) - 1


def _normalised(rng: random.Random) -> tuple[int, str, str]:
    """A left-normalised record as ELLA's ``positions()`` strategy draws them (no common suffix; a common
    prefix only as the one padding base of an insertion or deletion)."""
    while True:
        ref = "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 4)))
        alt = "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 4)))
        if ref == alt or ref[-1] == alt[-1]:
            continue
        prefix = 0
        while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
            prefix += 1
        if prefix > 1 or (prefix == 1 and len(ref) > 1 and len(alt) > 1):
            continue
        return rng.randint(10_000, 10_000_000), ref, alt


def test_allele_from_record_generated():
    """Mirrors ELLA src/vardb/deposit/tests/test_importers.py::test_allele_from_record (its generated
    records: seeded random draws from the same space instead of hypothesis)."""
    rng = random.Random(7)
    for _ in range(2000):
        pos, ref, alt = _normalised(rng)
        s = allele_shape(pos, ref, alt)
        assert (s.start, s.open_end, s.change_from, s.change_to, s.change_type, s.length) == _expected(pos, ref, alt)


# ELLA's examples of equivalent representations: (standard record, [(prefix, suffix) paddings])
EQUIVALENT = [
    (("1", 123, "T", "C"), [("C", "CC")]),  # SNP
    (("1", 123, "A", "T"), [("AA", "T")]),
    (("1", 123, "T", "TT"), [("A", "")]),
    (("1", 123, "T", "TA"), [("C", "CC")]),  # ins
    (("1", 123, "T", "TT"), [("C", "T")]),
    (("1", 123, "CT", "C"), [("", "CC")]),  # del
    (("1", 123, "TCAG", "T"), [("", "CAGCAG")]),
    (("1", 123, "CT", "AG"), [("AA", "")]),  # indel
    (("1", 123, "C", "AG"), [("", "AA")]),
    (("1", 123, "C", "AG"), [("AG", "AA")]),
]


@pytest.mark.parametrize(("standard", "paddings"), EQUIVALENT)
def test_equivalent_vcf_representations(standard, paddings):
    """Mirrors ELLA src/vardb/deposit/tests/test_importers.py::test_equivalent_vcf_representations: padding a
    record with the same bases on both REF and ALT gives the same allele."""
    _, pos, ref, alt = standard
    expected = allele_shape(pos, ref, alt)
    for prefix, suffix in paddings:
        assert allele_shape(pos - len(prefix), prefix + ref + suffix, prefix + alt + suffix) == expected


def test_equivalent_vcf_representations_generated():
    """Mirrors ELLA src/vardb/deposit/tests/test_importers.py::test_equivalent_vcf_representations (generated
    paddings of up to four bases on each side)."""
    rng = random.Random(11)
    for _ in range(2000):
        pos, ref, alt = _normalised(rng)
        expected = allele_shape(pos, ref, alt)
        prefix = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 4)))
        suffix = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 4)))
        assert allele_shape(pos - len(prefix), prefix + ref + suffix, prefix + alt + suffix) == expected


def test_ref_equal_to_alt_is_not_a_variant():
    with pytest.raises(ValueError, match="not a variant"):
        allele_shape(100, "A", "A")


@pytest.mark.parametrize(
    ("alt", "svtype", "svlen", "expected"),
    [
        ("<DEL>", "DEL", "-500", (99, 599, "", "", "del", 500)),
        ("<DUP>", "DUP", "300", (99, 100, "", "", "dup", 300)),
        ("<DUP:TANDEM>", "DUP", "300", (99, 100, "", "", "dup_tandem", 300)),
        ("<DEL:ME>", "DEL", "-20", (99, 119, "", "", "del_me", 20)),
        ("<CNV>", "DUP", "1000", (99, 100, "A", "<CNV>", "dup", 1000)),  # other ALT: the type from SVTYPE
    ],
)
def test_cnv_coordinates(alt, svtype, svlen, expected):
    """ELLA's ``VCFRecord._cnv_allele_info``: start POS-1, duplications one base long, deletions |SVLEN|."""
    s = cnv_shape(100, "A", alt, svtype, svlen)
    assert (s.start, s.open_end, s.change_from, s.change_to, s.change_type, s.length) == expected


def test_cnv_needs_a_known_type_and_svlen():
    with pytest.raises(ValueError, match="only ALT <DUP>"):
        cnv_shape(100, "A", "<INV>", "INV", "10")
    with pytest.raises(ValueError, match="without INFO/SVLEN"):
        cnv_shape(100, "A", "<DEL>", "DEL", None)
