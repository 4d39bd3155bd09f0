"""Multiallelic sites decomposed into blocks: compound genotypes, per-sample data, siblings from the PED."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from ella_app.db.session import transaction
from ella_app.errors import InputError
from ella_app.services.importer import import_analysis
from tests.support import vcfgen

from .conftest import make_panel, query

_alt = itertools.count(2)


def _decompose(gt: tuple[int, ...]) -> list[tuple[str, ...]]:
    """A composed genotype split as ``vt decompose`` does: one record per ALT index up to the highest one;
    a ``0`` stays 0 everywhere, the other ALTs become ``.`` (e.g. (1, 3) → (1, .), (., .), (., 1))."""
    if max(gt) <= 1:
        return [tuple(str(a) for a in gt)]
    return [tuple("1" if a == i else "0" if a == 0 else "." for a in gt) for i in range(1, max(gt) + 1)]


def family_block(rng: random.Random, samples: list[str]) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """ELLA's ``block_strategy``: a composed genotype per sample (haploid or diploid, phased or not) over a
    site with 2..2n ALTs, decomposed into one record per ALT; records where nobody has a 1 are dropped."""
    size = rng.randint(2, len(samples) * 2)
    per_sample = {}
    for name in samples:
        ploidy = rng.choice([1, 2])
        gt = tuple(rng.randint(0, size - 1) for _ in range(ploidy))
        records = _decompose(gt)
        while len(records) < size:  # fillers: 0 where the sample has a reference allele, else "."
            records.append(tuple("0" if any(r[j] == "0" for r in records) else "." for j in range(ploidy)))
        per_sample[name] = [rng.choice("/|").join(r) for r in records]
    variants, formats = [], []
    block_id = str(uuid.UUID(int=rng.getrandbits(128)))
    for i in range(size):
        calls = []
        for name in samples:
            calls.append(
                {
                    "GT": per_sample[name][i],
                    "AD": f"{rng.randint(0, 4)},{rng.randint(100, 104)}",
                    "DP": rng.randint(100, 103),
                    "GQ": rng.randint(90, 93),
                    "PL": f"{rng.randint(0, 4)},{rng.randint(50, 54)},{rng.randint(100, 104)}",
                }
            )
        if any("1" in c["GT"] for c in calls):
            variants.append({"POS": 1, "ALT": "T" * next(_alt), "QUAL": 5000, "FILTER": "PASS"})
            formats.append(calls)
    if len(variants) > 1:
        for v in variants:
            v["INFO"] = {"OLD_MULTIALLELIC": block_id}
    return variants, formats


def pedigree(rng: random.Random, samples: list[str]) -> list[tuple[str, ...]] | None:
    """ELLA's ``pedigree_strategy``: proband, father, mother, siblings; only the proband has parents."""
    if len(samples) == 1:
        return None
    father = samples[1]
    mother = samples[2] if len(samples) > 2 else "0"
    rows = []
    for i, name in enumerate(samples):
        if i == 0:
            rows.append(("TEST_FAM", name, father, mother, rng.choice("12"), "2", "1"))
        elif i in (1, 2):
            rows.append(("TEST_FAM", name, "0", "0", "1" if i == 1 else "2", "1", "0"))
        else:
            rows.append(("TEST_FAM", name, "0", "0", rng.choice("12"), rng.choice("12"), "0"))
    return rows


def _halves(gt: str) -> tuple[str, ...]:
    return tuple(gt.replace("|", "/").split("/"))


def expected_type(gt: str, no_coverage: bool) -> str:
    g = _halves(gt)
    if g in (("1", "1"), ("1",)):
        return "Homozygous"
    if g in (("0", "1"), ("1", "0"), ("1", "."), (".", "1")):
        return "Heterozygous"
    if g in (("0", "0"), ("0", "."), (".", "0"), ("0",)):
        return "Reference"
    assert g in ((".", "."), (".",))
    return "No coverage" if no_coverage else "Reference"  # "Reference" with respect to the proband's variant


def test_analysis_multiple(db_url, tmp_path):
    """Mirrors ELLA src/vardb/deposit/tests/test_deposit.py::test_analysis_multiple: families of 1-6 samples
    with one decomposed multiallelic block each (seeded random draws instead of hypothesis); the samples,
    the proband's (compound) genotype and every sample's genotype data are checked as ELLA's test does."""
    make_panel(db_url)
    rng = random.Random(5)
    compound = 0
    for case in range(60):
        samples = (["PROBAND", "FATHER", "MOTHER"] + [f"SIBLING_{i}" for i in range(3)])[: rng.randint(1, 6)]
        variants, formats = family_block(rng, samples)
        if not variants:
            continue
        ped_rows = pedigree(rng, samples)
        folder = tmp_path / f"case{case}"
        folder.mkdir()
        for v, calls in zip(variants, formats, strict=True):
            v["FORMAT"] = calls
        vcfgen.mock_vcf(folder / "block.vcf", samples, variants)
        data: dict[str, Any] = {"vcf": "block.vcf", "technology": "HTS"}
        if ped_rows:
            vcfgen.write_ped_rows(folder / "block.ped", ped_rows)
            data["ped"] = "block.ped"
        name = f"TEST_ANALYSIS {case}"
        doc = {"name": name, "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "data": [data]}
        (folder / "a.analysis").write_text(json.dumps(doc))
        with transaction(db_url) as session:
            import_analysis(session, folder)
        compound += _check_case(db_url, name, samples, variants, formats, ped_rows)
    assert compound >= 5  # the draws include compound (1/. + ./1) genotypes


def _check_case(db_url, name, samples, variants, formats, ped_rows) -> int:
    rows = query(
        db_url,
        "SELECT s.id, s.identifier, s.sex, s.affected, s.proband, s.family_id, s.father_id, s.mother_id, "
        "s.sibling_id FROM sample s JOIN analysis a ON a.id = s.analysis_id WHERE a.name = :n",
        n=name,
    )
    by_name = {r[1]: r for r in rows}
    ids = {r[1]: r[0] for r in rows}
    assert set(by_name) == set(samples)
    if ped_rows:
        for fam, sample, father, mother, sex, affected, proband in ped_rows:
            _, _, db_sex, db_affected, db_proband, db_family, db_father, db_mother, _ = by_name[sample]
            assert db_sex == ("Female" if sex == "2" else "Male")
            assert db_affected is (affected == "2") and db_proband is (proband == "1") and db_family == fam
            assert db_father == (ids[father] if father != "0" else None)
            assert db_mother == (ids[mother] if mother != "0" else None)
    else:
        assert by_name["PROBAND"][3:6] == (True, True, None)  # affected proband, no family

    proband_records = [i for i, calls in enumerate(formats) if "1" in calls[0]["GT"]]
    genotypes = query(
        db_url,
        "SELECT g.id, a1.vcf_alt, a2.vcf_alt, g.variant_quality, g.filter_status, g.sample_id FROM genotype g "
        "JOIN allele a1 ON a1.id = g.allele_id LEFT JOIN allele a2 ON a2.id = g.secondallele_id "
        "WHERE g.sample_id = ANY(:ids)",
        ids=list(ids.values()),
    )
    if not proband_records:
        assert genotypes == []
        return 0
    assert len(proband_records) in (1, 2)
    [(genotype_id, first_alt, second_alt, qual, filter_status, sample_id)] = genotypes
    assert sample_id == ids["PROBAND"] and qual == 5000 and filter_status == "PASS"
    first = next(i for i in proband_records if _halves(formats[i][0]["GT"]) != (".", "1"))
    second = next((i for i in proband_records if i != first), None)
    assert first_alt == variants[first]["ALT"]
    assert second_alt == (variants[second]["ALT"] if second is not None else None)

    depth: dict[str, dict[str, int]] = {s: {} for s in samples}
    for v, calls in zip(variants, formats, strict=True):
        for s, call in zip(samples, calls, strict=True):
            ref_reads, alt_reads = (int(x) for x in call["AD"].split(","))
            depth[s].update({"REF (A)": ref_reads, v["ALT"]: alt_reads})
    no_call = ((".", "."), (".",))
    no_coverage = {s for j, s in enumerate(samples) if all(_halves(c[j]["GT"]) in no_call for c in formats)}
    data = query(
        db_url,
        "SELECT sample_id, secondallele, type, multiallelic, sequencing_depth, genotype_quality, "
        "genotype_likelihood, allele_depth, allele_ratio FROM genotypesampledata WHERE genotype_id = :g",
        g=genotype_id,
    )
    assert len(data) == len(samples) * len(proband_records)
    for record, is_second in [(first, False), (second, True)]:
        if record is None:
            continue
        for s, call in zip(samples, formats[record], strict=True):
            [row] = [d for d in data if d[0] == ids[s] and d[1] is is_second]
            gt = call["GT"]
            multiallelic = _halves(gt) in (("1", "."), (".", "1"), ("0", "."), (".", "0"))
            assert row[2] == expected_type(gt, s in no_coverage), (s, gt)
            assert row[3] is multiallelic
            assert row[4] == call["DP"] and row[5] == call["GQ"]
            assert row[6] == (None if multiallelic else [int(p) for p in call["PL"].split(",")])
            assert row[7] == depth[s]
            assert row[8] == pytest.approx(depth[s][variants[record]["ALT"]] / sum(depth[s].values()))
    return int(second is not None)


def _import(db_url: str, folder: Path, **kw: Any) -> dict[str, Any]:
    with transaction(db_url) as session:
        return import_analysis(session, folder, **kw).extra


def _analysis(tmp_path: Path, name: str, samples: list[str], variants: list[dict[str, Any]], ped=None) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    vcfgen.mock_vcf(folder / f"{name}.vcf", samples, variants)
    data = f'{{"vcf": "{name}.vcf"' + (f', "ped": "{name}.ped"' if ped else "") + "}"
    if ped:
        vcfgen.write_ped_rows(folder / f"{name}.ped", ped)
    (folder / f"{name}.analysis").write_text(
        f'{{"name": "{name}", "genepanel_name": "HBOC", "genepanel_version": "v1.0.0", "data": [{data}]}}'
    )
    return folder


def test_compound_genotype_one_two_is_heterozygous_with_a_second_allele(db_url, tmp_path):
    """A proband 1/2 at a site with ALTs G and T, decomposed (vt) into 1/. and ./1: one genotype holding both
    alleles, both calls heterozygous and multiallelic; the mother's 0/2 (0/. and 0/1) is reference for G."""
    make_panel(db_url)
    block = {"OLD_MULTIALLELIC": "13:32890600:A/G/T"}
    variants = [
        {"CHROM": "13", "POS": 32890600, "ALT": "G", "INFO": block, "QUAL": 99.7, "FILTER": "PASS"},
        {"CHROM": "13", "POS": 32890600, "ALT": "T", "INFO": block, "QUAL": 99.7, "FILTER": "PASS"},
    ]
    variants[0]["FORMAT"] = [{"GT": "1/.", "AD": "2,20", "DP": 40}, {"GT": "0/.", "AD": "30,0", "DP": 38}]
    variants[1]["FORMAT"] = [{"GT": "./1", "AD": "2,18", "DP": 40}, {"GT": "0/1", "AD": "30,8", "DP": 38}]
    ped = [("F", "PROBAND", "0", "MOTHER", "1", "2", "1"), ("F", "MOTHER", "0", "0", "2", "1", "0")]
    extra = _import(db_url, _analysis(tmp_path, "Compound-1", ["PROBAND", "MOTHER"], variants, ped))
    assert extra["variants"] == 2 and extra["genotypes"] == 1 and extra["genotype_sample_data"] == 4
    [(first, second, qual)] = query(
        db_url,
        "SELECT a1.vcf_alt, a2.vcf_alt, g.variant_quality FROM genotype g JOIN allele a1 ON a1.id = g.allele_id "
        "JOIN allele a2 ON a2.id = g.secondallele_id",
    )
    assert (first, second, qual) == ("G", "T", 99)  # ELLA keeps QUAL as an integer
    rows = query(
        db_url,
        "SELECT s.identifier, d.secondallele, d.type, d.multiallelic, d.allele_depth, d.genotype_likelihood "
        "FROM genotypesampledata d JOIN sample s ON s.id = d.sample_id ORDER BY 1, 2",
    )
    depth_m = {"REF (A)": 30, "G": 0, "T": 8}
    assert rows == [
        ("MOTHER", False, "Reference", True, depth_m, None),
        ("MOTHER", True, "Heterozygous", False, depth_m, None),
        ("PROBAND", False, "Heterozygous", True, {"REF (A)": 2, "G": 20, "T": 18}, None),
        ("PROBAND", True, "Heterozygous", True, {"REF (A)": 2, "G": 20, "T": 18}, None),
    ]


def test_one_two_on_a_single_alt_record_is_refused(db_url, tmp_path):
    """GT 1/2 on a record with one ALT is neither homozygous nor importable: the file is not decomposed."""
    make_panel(db_url)
    folder = _analysis(tmp_path, "Undecomposed-1", ["PROBAND"], [{"POS": 5, "FORMAT": [{"GT": "1/2"}]}])
    with pytest.raises(InputError, match=r"line 3: sample PROBAND: GT '1/2' refers to ALT allele 2.*decompose"):
        _import(db_url, folder)
    assert query(db_url, "SELECT count(*) FROM analysis") == [(0,)]


def test_no_coverage_only_without_a_call_anywhere_in_the_block(db_url, tmp_path):
    """ELLA's ``BlockIterator``: a sample's ./. is "No coverage" only if it has no call in any record of the
    block; with a call elsewhere in the block it is "Reference" (to the proband's variant)."""
    make_panel(db_url)
    block = {"OLD_MULTIALLELIC": "1:20:A/C/G"}
    variants = [
        {"POS": 10, "FORMAT": [{"GT": "0/1"}, {"GT": "./."}, {"GT": "./."}]},  # a block of its own
        {"POS": 20, "INFO": block, "FORMAT": [{"GT": "1/."}, {"GT": "./."}, {"GT": "./."}]},
        {"POS": 20, "ALT": "G", "INFO": block, "FORMAT": [{"GT": "./."}, {"GT": "./1"}, {"GT": "./."}]},
    ]
    ped = [
        ("F", "P", "DAD", "MUM", "1", "2", "1"),
        ("F", "DAD", "0", "0", "1", "1", "0"),
        ("F", "MUM", "0", "0", "2", "1", "0"),
    ]
    _import(db_url, _analysis(tmp_path, "Coverage-1", ["P", "DAD", "MUM"], variants, ped))
    rows = query(
        db_url,
        "SELECT a.vcf_pos, s.identifier, d.type FROM genotypesampledata d JOIN genotype g ON g.id = d.genotype_id "
        "JOIN allele a ON a.id = g.allele_id JOIN sample s ON s.id = d.sample_id WHERE s.identifier <> 'P'",
    )
    assert sorted(rows) == [
        (10, "DAD", "No coverage"),
        (10, "MUM", "No coverage"),
        (20, "DAD", "Reference"),  # DAD has ./1 in the block's other record
        (20, "MUM", "No coverage"),
    ]


def test_shifted_decomposed_records_keep_no_allele_depth(db_url, tmp_path):
    """When the proband's two decomposed records do not share POS and REF (normalisation moved one), ELLA
    cannot trust AD: no allele depth, ratio 0."""
    make_panel(db_url)
    block = {"OLD_MULTIALLELIC": "1:10:ATT/A/AG"}
    variants = [
        {"POS": 10, "REF": "ATT", "ALT": "A", "INFO": block, "FORMAT": [{"GT": "1/.", "AD": "5,10"}]},
        {"POS": 11, "REF": "TT", "ALT": "G", "INFO": block, "FORMAT": [{"GT": "./1", "AD": "5,9"}]},
    ]
    _import(db_url, _analysis(tmp_path, "Shifted-1", ["PROBAND"], variants))
    assert query(db_url, "SELECT DISTINCT allele_depth, allele_ratio FROM genotypesampledata") == [({}, 0.0)]


@pytest.mark.parametrize(
    ("ped", "siblings"),
    [
        # the proband has parents: the samples with the same parents are its siblings
        (
            [
                ("F", "P", "DAD", "MUM", "1", "2", "1"),
                ("F", "DAD", "0", "0", "1", "1", "0"),
                ("F", "MUM", "0", "0", "2", "1", "0"),
                ("F", "SIS", "DAD", "MUM", "2", "1", "0"),
                ("F", "HALF", "DAD", "0", "2", "1", "0"),
            ],
            {"SIS"},
        ),
        # nobody has parents: every other sample is the proband's sibling
        ([("F", "P", "0", "0", "1", "2", "1"), ("F", "BRO", "0", "0", "1", "1", "0")], {"BRO"}),
    ],
)
def test_sibling_id_from_the_ped_file(db_url, tmp_path, ped, siblings):
    """ELLA's ``SampleImporter``: ``sample.sibling_id`` points at the proband for its siblings."""
    make_panel(db_url)
    samples = [row[1] for row in ped]
    variants = [{"POS": 7, "FORMAT": [{"GT": "0/1"} for _ in samples]}]
    _import(db_url, _analysis(tmp_path, "Family-1", samples, variants, ped))
    rows = query(db_url, "SELECT s.identifier, p.identifier FROM sample s LEFT JOIN sample p ON p.id = s.sibling_id")
    assert {name for name, sibling_of in rows if sibling_of == "P"} == siblings


def test_both_alleles_of_a_compound_genotype_are_in_the_analysis(db_url, tmp_path):
    """ELLA lists both alleles of a compound genotype in the analysis (``Genotype.alleles``)."""
    from ella_app.services import variants as read_model
    from ella_app.services.filters.context import analysis_context

    make_panel(db_url)
    block = {"OLD_MULTIALLELIC": "13:32890600:A/G/T"}
    variants = [
        {"CHROM": "13", "POS": 32890600, "ALT": "G", "INFO": block, "FORMAT": [{"GT": "1/."}]},
        {"CHROM": "13", "POS": 32890600, "ALT": "T", "INFO": block, "FORMAT": [{"GT": "./1"}]},
    ]
    analysis_id = _import(db_url, _analysis(tmp_path, "Compound-2", ["PROBAND"], variants))["analysis_id"]
    with transaction(db_url) as session:
        ctx = analysis_context(session, {}, analysis_id, ("HBOC", "v1.0.0"))
        assert sorted(a.vcf_alt for a in ctx.alleles.values()) == ["G", "T"]
        # each allele carries its own sample data (the genotypesampledata row of its side of the genotype)
        [proband] = ctx.samples
        kinds = {
            a.vcf_alt: (a.genotypes[proband.id].type, a.genotypes[proband.id].multiallelic)
            for a in ctx.alleles.values()
        }
        assert kinds == {"G": ("Heterozygous", True), "T": ("Heterozygous", True)}
        # the read model of the lists and the snapshot at finalize see both as well
        listed = read_model.analysis_allele_ids(session, analysis_id)
        assert sorted(listed) == sorted(ctx.alleles)
