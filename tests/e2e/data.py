"""The data of the end-to-end tests, made the way production makes it: the demo fixtures through the real
ella-cli commands (gene panels, user groups, filter configs, users with one-time passwords, references, a
broadcast), the upstream TestAnalysis-001 trio and the two demo analyses through ``ella-cli deposit analysis``
(the importer service), and the demo's IGV data (files/demo/igv-data: its small reference, cytobands, static
track and track config) with, beside it, a synthetic indexed GRCh37 FASTA under the default name of
``igv.reference`` (for the test of an indexed reference). The application config is the example config with
the demo inventory's ``igv`` section, as on the demo host."""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from ella_app.config import load_settings
from ella_app.db.models import Allele, Annotation, User
from ella_app.db.session import transaction
from ella_app.services import classification
from tests.conftest import DEMO_FIXTURES, EXAMPLE_CONFIG, ROOT, UPSTREAM, Cli

TEST_ANALYSIS = UPSTREAM / "analyses" / "TestAnalysis-001"
DEMO_ANALYSES = ROOT / "files" / "demo" / "analyses"
DEMO_IGV_DATA = ROOT / "files" / "demo" / "igv-data"
DEMO_INVENTORY_VARS = ROOT / "inventories" / "testhost" / "group_vars" / "all" / "vars.yml"
INDEXED_FASTA = "human_g1k_v37_decoy.fasta"  # the default igv.reference of the example config
# A user who appears in the screenshots of the user manual (tests/e2e/test_manual.py).
MANUAL_USER = {
    "username": "rfranklin",
    "first_name": "Rosalind",
    "last_name": "Franklin",
    "email": "rfranklin@example.org",
    "group": "testgroup01",
}
BROADCAST = "Planned maintenance on Friday 16:00-17:00: save your work."
SECOND_ANALYSIS = "Diag-HBOC-TestAnalysis-002"
SYNONYMOUS_POS = 32893344  # BRCA2 c.198A>G p.(=) in TestAnalysis-001

# Chromosome lengths of the synthetic reference (enough for the HBOC panel: BRCA2 on 13, BRCA1 on 17) and the
# windows that hold real bases; the rest of the file is sparse (igv.js only reads the windows it shows).
CHROMOSOMES = {"13": 33_000_000, "17": 41_300_000}
LINE = 60


@dataclass
class E2EData:
    passwords: dict[str, str]  # username -> one-time password
    analysis_id: int
    second_analysis_id: int
    demo_analysis_ids: dict[str, int]  # name -> id of the demo analyses (files/demo/analyses)


def demo_config(target: Path) -> Path:
    """The example config with the ``igv`` section of the demo inventory (its reference, files/demo/igv-data),
    whose valid_resource_files also list the indexed FASTA of the example config."""
    igv = yaml.safe_load(DEMO_INVENTORY_VARS.read_text())["ella_app_config"]["igv"]
    igv["valid_resource_files"] += [INDEXED_FASTA, f"{INDEXED_FASTA}.fai"]
    text = EXAMPLE_CONFIG.read_text()
    block = re.search(r"^igv:\n(?:[ #].*\n|\n)*", text, flags=re.MULTILINE)
    assert block, f"{EXAMPLE_CONFIG} has no top-level igv section"
    target.write_text(text[: block.start()] + yaml.safe_dump({"igv": igv}, sort_keys=False) + text[block.end() :])
    return target


def bootstrap(cli: Cli, workdir: Path) -> E2EData:
    for panel in sorted(p for p in (DEMO_FIXTURES / "genepanels").iterdir() if p.is_dir()):
        cli.ok("deposit", "genepanel", "--folder", str(panel))
    cli.ok("users", "add_groups", str(DEMO_FIXTURES / "usergroups.json"))
    cli.ok("filterconfigs", "update", str(DEMO_FIXTURES / "filterconfigs.json"))
    otp = workdir / "one-time-passwords.txt"
    cli.ok("users", "add_many", str(DEMO_FIXTURES / "users.json"), "--passwords-file", str(otp))
    (workdir / "manual-user.json").write_text(json.dumps([MANUAL_USER]))
    cli.ok("users", "add_many", str(workdir / "manual-user.json"), "--passwords-file", str(otp))
    passwords = dict(line.split("\t")[:2] for line in otp.read_text().splitlines() if line.strip())
    cli.ok("deposit", "references", str(DEMO_FIXTURES / "references.json"))
    cli.ok("broadcast", "new", BROADCAST)

    # The demo analyses first: two of their variants are TestAnalysis-001's too, and the annotation deposited
    # last is the current one; TestAnalysis-001's then decides how the default filter config treats them.
    demo_ids = {
        folder.name: cli.ok("deposit", "analysis", str(folder), "--json").json()["analysis_id"]
        for folder in sorted(DEMO_ANALYSES.iterdir())
    }
    analyses = Path(cli.env["ANALYSES_PATH"])
    first = analyses / TEST_ANALYSIS.name
    shutil.copytree(TEST_ANALYSIS, first)
    (first / "warnings.txt").unlink()  # no pipeline warnings: the analysis waits in "Interpretation"
    (first / "tracks").mkdir()
    (first / "tracks" / "coverage_gaps.bed").write_text("13\t32890500\t32890560\tlow coverage\n")
    first_id = cli.ok("deposit", "analysis", str(first), "--json").json()["analysis_id"]

    # A second analysis of the same trio, named like the group's deposit pattern (^Diag-HBOC-): urgent, with
    # pipeline warnings, so it lands in "Not ready".
    second = workdir / "incoming" / SECOND_ANALYSIS
    second.mkdir(parents=True)
    shutil.copy(TEST_ANALYSIS / "TestAnalysis-001.vcf", second / "trio.vcf")
    shutil.copy(TEST_ANALYSIS / "TestAnalysis-001.ped", second / "trio.ped")
    (second / "warnings.txt").write_text("Low coverage in BRCA2 exon 11.\n")
    (second / f"{SECOND_ANALYSIS}.analysis").write_text(
        json.dumps(
            {
                "name": SECOND_ANALYSIS,
                "genepanel_name": "HBOC",
                "genepanel_version": "v1.0.0",
                "priority": 3,
                "data": [{"vcf": "trio.vcf", "ped": "trio.ped", "technology": "HTS"}],
            }
        )
    )
    second_id = cli.ok("deposit", "analysis", str(second), "--json").json()["analysis_id"]
    classify_earlier(cli.env)
    make_igv_data(Path(cli.env["IGV_DATA"]))
    return E2EData(passwords=passwords, analysis_id=first_id, second_analysis_id=second_id, demo_analysis_ids=demo_ids)


def classify_earlier(env: dict[str, str]) -> None:
    """An earlier classification by a colleague: the synonymous BRCA2 c.198A>G as class 2 with BP7. The default
    filter config hides class 1-2 variants, so it shows up among the filtered variants of the analysis."""
    classify(env, "testuser4", SYNONYMOUS_POS, "2", [{"code": "BP7"}], "Synonymous, no predicted splice effect.")


def classify(
    env: dict[str, str], username: str, vcf_pos: int, klass: str, acmg: list[dict[str, str]], comment: str
) -> int:
    """Classify the variant at ``vcf_pos`` as ``username`` of testgroup01 (the classification service, as the
    API calls it); returns the allele id."""
    settings = load_settings(env)
    with transaction(settings.db_url) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        allele = session.scalars(select(Allele).where(Allele.vcf_pos == vcf_pos)).one()
        classification.classify(
            session,
            settings.config,
            classification.Context(user, ("HBOC", "v1.0.0")),
            classification.Classification(
                allele_id=allele.id,
                classification=klass,
                evaluation={"acmg": {"included": acmg}, "classification": {"comment": comment}},
                report={"comment": ""},
                presented_assessment_id=None,
                presented_report_id=None,
                annotation_id=session.scalars(
                    select(Annotation.id).where(
                        Annotation.allele_id == allele.id, Annotation.date_superceeded.is_(None)
                    )
                ).one(),
            ),
        )
        return allele.id


def make_igv_data(igv_data: Path) -> None:
    """The demo's IGV data, and an indexed synthetic reference under the example config's default name."""
    shutil.copytree(DEMO_IGV_DATA, igv_data, dirs_exist_ok=True)
    rng = random.Random(7)
    fasta = igv_data / INDEXED_FASTA
    windows = {"13": [(32_880_000, 32_980_000)], "17": [(41_190_000, 41_290_000)]}
    index_lines = []
    offset = 0
    with fasta.open("wb") as out:
        for chrom, length in CHROMOSOMES.items():
            header = f">{chrom}\n".encode()
            out.write(header)
            offset += len(header)
            index_lines.append(f"{chrom}\t{length}\t{offset}\t{LINE}\t{LINE + 1}")
            full_lines, rest = divmod(length, LINE)
            size = full_lines * (LINE + 1) + (rest + 1 if rest else 0)
            start_of_chrom = offset
            for begin, end in windows[chrom]:  # real bases here, written at their place in the layout
                first_line, last_line = begin // LINE, end // LINE
                out.seek(start_of_chrom + first_line * (LINE + 1))
                out.write(
                    b"".join(
                        "".join(rng.choice("ACGT") for _ in range(LINE)).encode() + b"\n"
                        for _ in range(first_line, last_line + 1)
                    )
                )
            offset += size
            out.seek(offset - 1)
            out.write(b"\n")
    (igv_data / f"{INDEXED_FASTA}.fai").write_text("\n".join(index_lines) + "\n")
