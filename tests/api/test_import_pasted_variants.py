"""The pasted-variants format of the IMPORT page (``ella_app/formats/pasted_variants.py``), without a database:
what is accepted, what the annotation service is sent, and the line each problem names."""

from __future__ import annotations

import pytest

from ella_app.errors import InputError, InputErrors
from ella_app.formats import pasted_variants as pv


def test_genomic_forms_are_sent_in_the_services_form_with_genotypes():
    block = pv.parse_one("13:32890607 G>T (het)\nchr13:32893344A>G (homo)\n13-32900290-a-g (hom)\n")
    assert block.kind == "genomic" and block.has_genotypes
    assert block.anno_input().splitlines() == [
        "13-32890607-G-T (het)",
        "13-32893344-A-G (hom)",
        "13-32900290-A-G (hom)",
    ]


def test_vcf_lines_without_a_header_get_one_and_genotypes_from_gt():
    block = pv.parse_one("13\t32890607\t.\tG\tT\t.\t.\t.\tGT\t0/1\n13\t32893344\t.\tA\tG\t.\t.\t.\tGT\t1/1\n")
    assert block.kind == "vcf" and [v.genotype for v in block.variants] == ["het", "hom"]
    lines = block.anno_input().splitlines()
    assert lines[0] == "##fileformat=VCFv4.1" and lines[1].startswith("#CHROM\tPOS\tID\tREF\tALT")
    assert len(lines) == 4


def test_hgvs_and_batch_names():
    blocks = pv.parse("-Diag-1\nNM_000059.3:c.7397T>C (het)\n-Diag-2\n17:41245466 G>A (het)\n")
    assert [(b.name, b.kind, b.line) for b in blocks] == [("Diag-1", "hgvsc", 1), ("Diag-2", "genomic", 3)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "13:32890607 G>T\n13:32890607 G>T\n",
            "line 2: 13:32890607 G>T is listed twice in this block (also on line 1)",
        ),
        ("13:32890607 G>T\nNM_000059.3:c.1A>G\n", "line 2: 'NM_000059.3:c.1A>G' is given as HGVS names"),
        ("13:0 G>T\n", "line 1: position '0' is not a positive whole number"),
        ("13:5 G>G\n", "line 1: REF and ALT are both 'G': not a variant"),
        ("13:5 G>T (maybe)\n", "line 1: unknown genotype (maybe): use (het) or (hom)"),
        ("13\t5\t.\tG\tT,C\n", "line 1: ALT 'T,C' has several alleles"),
        ("##x\n13:5 G>T\n", "line 1: '##x': header lines need the '#CHROM' line of a VCF"),
        ("-bad name!\n13:5 G>T\n", "line 1: the block name 'bad name!' may hold letters"),
        ("hello\n", "line 1: 'hello' is not a variant"),
    ],
)
def test_problems_name_their_line(text, message):
    with pytest.raises(InputError) as caught:
        pv.parse(text)
    assert caught.value.message.startswith(message), caught.value.message


def test_all_problems_of_a_paste_are_reported_together():
    with pytest.raises(InputErrors) as caught:
        pv.parse("13:5 G>T\n13:x G>T\n13:6 G>T\nchr99:1 A>C\n")
    assert [e.line for e in caught.value.errors] == [2, 4]


def test_size_and_emptiness():
    with pytest.raises(InputError, match="at most 5,000,000"):
        pv.parse("x" * (pv.MAX_CHARS + 1))
    with pytest.raises(InputError, match="nothing to import"):
        pv.parse("\n\n")
