"""The importer's fast path for a record that is a block of its own gives exactly the general rows."""

from __future__ import annotations

import random

from ella_app.formats.vcf import VcfReader
from ella_app.services.import_blocks import SiteReader, block_rows, single_site_rows
from tests.support import vcfgen

GTS = ["0/1", "1/1", "0/0", "./.", "1", "0", ".", "1|0", "0|1", "1/.", "./1", "0/.", "./0"]
ADS = ["10,5", ".", "0,0", "7", "3,.", ".,.", "1,2,3", "", "120,80"]
PLS = ["0,30,300", ".", "0,.,3", "5", "", "12,0,99"]
SCALARS = ["99", ".", "", "0", "17"]


def test_single_site_rows_equal_block_rows(tmp_path):
    rng = random.Random(13)
    samples = ["P", "F", "M"]
    variants = []
    for pos in range(1, 400):
        calls = []
        for i, _ in enumerate(samples):
            call = {"GT": rng.choice(GTS[:2] if i == 0 else GTS)}
            for key, pool in (("AD", ADS), ("PL", PLS), ("GQ", SCALARS), ("DP", SCALARS), ("CN", SCALARS)):
                if rng.random() < 0.85:
                    call[key] = rng.choice(pool)
            calls.append(call)
        alt = rng.choice(["C", "G", "*", "CT"])
        variants.append({"POS": pos, "ALT": alt, "QUAL": rng.choice([".", "50", "99.9"]), "FORMAT": calls})
    path = vcfgen.mock_vcf(tmp_path / "fast.vcf", samples, variants)
    compared = 0
    with VcfReader(path) as vcf:
        reader = SiteReader(0, samples)
        for record in vcf:
            site = reader.site(record)
            site.keep = True
            fast = single_site_rows(site, [11, 12, 13], samples, 0)
            general = block_rows([site], [11, 12, 13], samples, 0)
            assert general is not None
            assert (fast.first, fast.second) == (general.first, general.second)
            assert fast.genotype_tail == general.genotype_tail
            assert fast.sampledata == general.sampledata, record.line
            compared += 1
    assert compared == 399
