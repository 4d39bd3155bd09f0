"""Generates annotated VCFs and analysis folders like ELLA's annotation service writes them.

Used by the tests (small files) and the benchmarks (10k/100k variants). Deterministic for a given seed.
Each record carries a VEP ``CSQ`` with several transcripts, gnomAD exome frequencies and, for some
records, ClinVar fields; the proband carries an ALT except for every ``no_alt_every``-th record.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSQ_FIELDS = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position|"
    "CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|STRAND|HGNC_ID|CANONICAL|ENSP"
)
POPS = ("AFR", "AMR", "ASJ", "EAS", "FIN", "NFE", "OTH", "SAS")
CONSEQUENCES = ("missense_variant", "synonymous_variant", "intron_variant", "stop_gained", "splice_region_variant")
BASES = "ACGT"


def header(samples: list[str]) -> str:
    lines = [
        "##fileformat=VCFv4.1",
        "##reference=GRCh37",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
        f'Format: {CSQ_FIELDS}">',
        '##INFO=<ID=CLINVAR__CLNSIG,Number=.,Type=String,Description="ClinVar significance">',
        '##INFO=<ID=CLINVAR__RS,Number=1,Type=Integer,Description="dbSNP id">',
    ]
    for kind, typ in (("AC", "Integer"), ("AN", "Integer"), ("AF", "Float"), ("Hom", "Integer")):
        number = "1" if kind == "AN" else "A"
        lines.append(f'##INFO=<ID=GNOMAD_EXOMES__{kind},Number={number},Type={typ},Description="gnomAD {kind}">')
        for pop in POPS:
            lines.append(
                f'##INFO=<ID=GNOMAD_EXOMES__{kind}_{pop},Number={number},Type={typ},Description="gnomAD {kind} {pop}">'
            )
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred likelihoods">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
    ]
    return "\n".join(lines) + "\n"


def _csq(rng: random.Random, alt: str, index: int) -> str:
    entries = []
    gene = f"GENE{index % 500}"
    for t in range(4):
        consequence = rng.choice(CONSEQUENCES)
        c_pos = rng.randint(1, 9000)
        entries.append(
            "|".join(
                [
                    alt,
                    consequence,
                    "MODERATE",
                    gene,
                    str(1000 + index % 500),
                    "Transcript",
                    f"NM_{index % 500:06d}.{t + 1}" if t < 2 else f"ENST{index % 500:011d}{t}",
                    "protein_coding",
                    f"{rng.randint(1, 27)}/27",
                    "",
                    f"NM_{index % 500:06d}.{t + 1}:c.{c_pos}A>{alt[:1]}",
                    f"NP_{index % 500:06d}.1:p.Gln{c_pos // 3}His",
                    str(c_pos + 200),
                    str(c_pos),
                    str(c_pos // 3),
                    "Q/H",
                    "caA/caC",
                    f"rs{100000 + index}",
                    "1",
                    str(2000 + index % 500),
                    "YES" if t == 0 else "",
                    f"NP_{index % 500:06d}.1",
                ]
            )
        )
    return ",".join(entries)


def _info(rng: random.Random, alt: str, index: int) -> str:
    parts = [f"CSQ={_csq(rng, alt, index)}"]
    an = 250000
    ac = rng.randint(0, 300)
    parts += [f"GNOMAD_EXOMES__AC={ac}", f"GNOMAD_EXOMES__AN={an}", f"GNOMAD_EXOMES__AF={ac / an:.6g}"]
    parts.append(f"GNOMAD_EXOMES__Hom={ac // 50}")
    for pop in POPS:
        pac = rng.randint(0, 40)
        parts += [f"GNOMAD_EXOMES__AC_{pop}={pac}", f"GNOMAD_EXOMES__AN_{pop}=30000"]
        parts.append(f"GNOMAD_EXOMES__AF_{pop}={pac / 30000:.6g}")
    if index % 10 == 0:
        parts += ["CLINVAR__CLNSIG=5|4", f"CLINVAR__RS={100000 + index}"]
    return ";".join(parts)


def records(n: int, n_samples: int, *, seed: int = 1, no_alt_every: int = 0, chromosomes: int = 22) -> Iterator[str]:
    """Data lines for ``n`` decomposed variants over ``chromosomes`` chromosomes, sorted by position."""
    rng = random.Random(seed)
    per_chrom = max(1, -(-n // chromosomes))
    for i in range(n):
        chrom = str(1 + i // per_chrom)
        pos = 100000 + (i % per_chrom) * 37
        ref = rng.choice(BASES)
        kind = i % 20
        if kind == 18:  # deletion
            ref = ref + rng.choice(BASES) + rng.choice(BASES)
            alt = ref[0]
        elif kind == 19:  # insertion
            alt = ref + rng.choice(BASES)
        else:
            alt = rng.choice([b for b in BASES if b != ref])
        gts = ["0/1" if rng.random() < 0.7 else "1/1"]
        if no_alt_every and i % no_alt_every == no_alt_every - 1:
            gts[0] = "0/0"
        gts += [rng.choice(("0/0", "0/1", "1/1")) for _ in range(n_samples - 1)]
        calls = []
        for gt in gts:
            dp = rng.randint(10, 200)
            alt_reads = 0 if gt == "0/0" else (dp if gt == "1/1" else dp // 2)
            gq, pl = rng.randint(20, 99), rng.randint(0, 900)
            calls.append(f"{gt}:{dp - alt_reads},{alt_reads}:{dp}:{gq}:{pl},0,900")
        yield (
            "\t".join(
                [
                    chrom,
                    str(pos),
                    ".",
                    ref,
                    alt,
                    f"{rng.randint(30, 5000)}",
                    "PASS",
                    _info(rng, alt, i),
                    "GT:AD:DP:GQ:PL",
                    *calls,
                ]
            )
            + "\n"
        )


def write_vcf(
    path: Path, n: int, samples: list[str], *, seed: int = 1, no_alt_every: int = 0, gz: bool = False
) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        fh.write(header(samples))
        for line in records(n, len(samples), seed=seed, no_alt_every=no_alt_every):
            fh.write(line)
    return path


TRIO = ["PROBAND", "FATHER", "MOTHER"]


def write_ped(path: Path, samples: list[str], family: str = "FAM1") -> Path:
    proband, *parents = samples
    father = parents[0] if parents else "0"
    mother = parents[1] if len(parents) > 1 else "0"
    lines = [f"{family}\t{proband}\t{father}\t{mother}\t2\t2\t1"]
    lines += [f"{family}\t{p}\t0\t0\t{1 if i == 0 else 2}\t1\t0" for i, p in enumerate(parents)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_analysis(
    root: Path,
    name: str,
    n: int,
    *,
    trio: bool = False,
    panel: tuple[str, str] = ("HBOC", "v1.0.0"),
    form: str = "current",
    seed: int = 1,
    no_alt_every: int = 0,
    ready: bool = True,
    gz: bool = False,
) -> Path:
    """An analysis folder: ``current`` (.analysis with data[]), ``legacy`` (.analysis with params) or
    ``folder-name`` (no .analysis; ``name`` must then carry the panel, e.g. ``Diag-1.HBOC_v1.0.0``)."""
    folder = root / name
    folder.mkdir(parents=True)
    samples = TRIO if trio else ["PROBAND"]
    vcf = folder / (f"{name}.vcf.gz" if gz else f"{name}.vcf")
    write_vcf(vcf, n, samples, seed=seed, no_alt_every=no_alt_every, gz=gz)
    ped = write_ped(folder / f"{name}.ped", samples) if trio else None
    if form == "current":
        data: dict[str, object] = {"vcf": vcf.name, "technology": "HTS"}
        if ped:
            data["ped"] = ped.name
        doc = {
            "name": name,
            "genepanel_name": panel[0],
            "genepanel_version": panel[1],
            "priority": 2,
            "date_requested": "2024-03-01",
            "data": [data],
        }
        (folder / f"{name}.analysis").write_text(json.dumps(doc, indent=2))
    elif form == "legacy":
        doc = {"name": name, "params": {"genepanel": f"{panel[0]}_{panel[1]}"}, "priority": "1"}
        (folder / f"{name}.analysis").write_text(json.dumps(doc, indent=2))
    if ready:
        (folder / "READY").touch()
    return folder


# Demo loci inside the HBOC panel: (chrom, pos, ref, alt, gene, hgnc id, RefSeq transcript, c., p., consequence)
HBOC_LOCI = [
    ("13", 32890607, "G", "T", "BRCA2", 1101, "NM_000059.3", "c.10G>T", "p.Gly4Ter", "stop_gained"),
    ("13", 32893344, "A", "G", "BRCA2", 1101, "NM_000059.3", "c.198A>G", "p.Gln66=", "synonymous_variant"),
    ("13", 32906729, "A", "C", "BRCA2", 1101, "NM_000059.3", "c.1114A>C", "p.Asn372His", "missense_variant"),
    ("13", 32911888, "A", "G", "BRCA2", 1101, "NM_000059.3", "c.3396A>G", "p.Lys1132=", "synonymous_variant"),
    ("13", 32913055, "A", "G", "BRCA2", 1101, "NM_000059.3", "c.4563A>G", "p.Leu1521=", "synonymous_variant"),
    ("13", 32915005, "G", "C", "BRCA2", 1101, "NM_000059.3", "c.6513G>C", "p.Val2171=", "synonymous_variant"),
    ("13", 32929387, "T", "C", "BRCA2", 1101, "NM_000059.3", "c.7397T>C", "p.Val2466Ala", "missense_variant"),
    ("17", 41223094, "T", "C", "BRCA1", 1100, "NM_007294.3", "c.4837A>G", "p.Ser1613Gly", "missense_variant"),
    ("17", 41244000, "T", "C", "BRCA1", 1100, "NM_007294.3", "c.3548A>G", "p.Lys1183Arg", "missense_variant"),
    ("17", 41244435, "T", "C", "BRCA1", 1100, "NM_007294.3", "c.3113A>G", "p.Glu1038Gly", "missense_variant"),
    ("17", 41245237, "A", "G", "BRCA1", 1100, "NM_007294.3", "c.2311T>C", "p.Leu771=", "synonymous_variant"),
    ("17", 41245466, "G", "A", "BRCA1", 1100, "NM_007294.3", "c.2082C>T", "p.Ser694=", "synonymous_variant"),
]


def locus_records(samples: int, *, seed: int = 1) -> Iterator[str]:
    """Data lines for :data:`HBOC_LOCI` (sorted by chromosome and position) with plausible annotation."""
    rng = random.Random(seed)
    for i, (chrom, pos, ref, alt, gene, hgnc, tx, hgvsc, hgvsp, consequence) in enumerate(sorted(HBOC_LOCI)):
        strand = "1" if gene == "BRCA2" else "-1"
        csq = "|".join(
            [
                alt,
                consequence,
                "MODERATE",
                gene,
                str(hgnc),
                "Transcript",
                tx,
                "protein_coding",
                "",
                "",
                f"{tx}:{hgvsc}",
                f"NP_{hgnc}.1:{hgvsp}",
                "",
                "",
                "",
                "",
                "",
                f"rs{80350000 + i}",
                strand,
                str(hgnc),
                "YES",
                f"NP_{hgnc}.1",
            ]
        )
        ac = rng.randint(0, 2000)
        info = f"CSQ={csq};GNOMAD_EXOMES__AC={ac};GNOMAD_EXOMES__AN=250000;GNOMAD_EXOMES__AF={ac / 250000:.6g}"
        gts = [rng.choice(("0/1", "1/1"))] + [rng.choice(("0/0", "0/1")) for _ in range(samples - 1)]
        calls = [f"{gt}:{20 if gt != '1/1' else 0},{0 if gt == '0/0' else 20}:40:99:500,0,500" for gt in gts]
        yield "\t".join([chrom, str(pos), ".", ref, alt, "800", "PASS", info, "GT:AD:DP:GQ:PL", *calls]) + "\n"


def mock_vcf(path: Path, samples: list[str], variants: list[dict[str, Any]]) -> Path:
    """A small VCF from dicts, like the ``MockVcfWriter`` of ELLA's tests.

    Each variant: ``CHROM`` (default "1"), ``POS`` (default: one more than the previous), ``REF`` ("A"),
    ``ALT`` ("C"), ``QUAL`` ("."), ``FILTER`` ("."), ``INFO`` (a dict; ``True`` is a flag) and ``FORMAT`` (one
    dict per sample, e.g. ``{"GT": "0/1", "AD": "10,5"}``; keys in first-seen order, "." where absent)."""
    info_keys: dict[str, None] = {}
    for v in variants:
        info_keys.update(dict.fromkeys(v.get("INFO", {})))
    lines = ["##fileformat=VCFv4.1"]
    lines += [f'##INFO=<ID={k},Number=.,Type=String,Description="Added in test">' for k in info_keys]
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        columns += ["FORMAT", *samples]
    lines.append("\t".join(columns))
    pos = 0
    for v in variants:
        pos = int(v.get("POS", pos + 1))
        info = v.get("INFO") or {}
        info_text = ";".join(k if val is True else f"{k}={val}" for k, val in info.items() if val is not False)
        row = [str(v.get("CHROM", "1")), str(pos), ".", v.get("REF", "A"), v.get("ALT", "C")]
        row += [str(v.get("QUAL", ".")), str(v.get("FILTER", ".")), info_text or "."]
        if samples:
            fmt = v.get("FORMAT") or [{"GT": "0/1"} for _ in samples]
            keys = list(dict.fromkeys(k for sample in fmt for k in sample))
            row.append(":".join(keys))
            row += [":".join(str(sample.get(k, ".")) for k in keys) for sample in fmt]
        lines.append("\t".join(row))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_ped_rows(path: Path, rows: list[tuple[str, str, str, str, str, str, str]]) -> Path:
    """A PED file with ELLA's seventh column from (family, sample, father, mother, sex, affected, proband)."""
    path.write_text("".join("\t".join(row) + "\n" for row in rows))
    return path
