"""The suggestions for every variant of ELLA's TestAnalysis-001 (the BRCA2 trio), brought in the way
production brings it in (demo gene panels, user groups and users through ella-cli, the analysis through
``deposit analysis``), written in a form a geneticist can read and compared with
``tests/data/acmg/testanalysis-001.golden.txt``.

After a deliberate change, regenerate with ``ELLA_UPDATE_GOLDEN=1 pytest tests/acmg/test_golden.py`` and read
the difference before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ella_app.db.models import Allele, Annotation, UserGroup
from tests.api.factories import Api, make_app, make_user, session_for
from tests.conftest import DEMO_FIXTURES, ROOT, UPSTREAM, Cli

GOLDEN = ROOT / "tests" / "data" / "acmg" / "testanalysis-001.golden.txt"
PANEL = ("HBOC", "v1.0.0")
TRANSCRIPT = "NM_000059"
# ClinVar's numeric CLNSIG values of the 2015 VCF in the analysis
CLNSIG = {
    "0": "uncertain",
    "1": "not provided",
    "2": "benign",
    "3": "likely benign",
    "4": "likely pathogenic",
    "5": "pathogenic",
    "6": "drug response",
    "255": "other",
}


def _variant_line(allele: Allele, annotation: dict[str, Any]) -> list[str]:
    tx = next((t for t in annotation.get("transcripts", []) if t["transcript"].startswith(TRANSCRIPT)), {})
    where = f"exon {tx['exon']}" if "exon" in tx else f"intron {tx.get('intron', '?')}"
    lines = [
        f"{allele.chromosome}:{allele.vcf_pos} {allele.vcf_ref}>{allele.vcf_alt}  "
        f"{tx.get('symbol', '?')} {tx.get('HGVSc', '?')} {tx.get('HGVSp', '')}".rstrip(),
        f"  {', '.join(tx.get('consequences', []))}, {where}",
    ]
    freqs = []
    for provider, data in sorted((annotation.get("frequencies") or {}).items()):
        for pop, value in sorted((data.get("freq") or {}).items()):
            num = (data.get("num") or {}).get(pop)
            freqs.append(f"{provider} {pop} {value:g}" + (f" (AN {num})" if num is not None else ""))
    lines.append(f"  frequencies: {'; '.join(freqs) if freqs else 'none in the annotation'}")
    clinvar = (annotation.get("external") or {}).get("CLINVAR_VCF") or {}
    hgmd = (annotation.get("external") or {}).get("HGMD") or {}
    external = []
    if clinvar.get("clnsig"):
        values = [CLNSIG.get(v, v) for item in clinvar["clnsig"] for v in item.split(",")]
        external.append(f"ClinVar {', '.join(dict.fromkeys(values))}")
    if hgmd.get("tag"):
        external.append(f"HGMD {hgmd['tag']} {hgmd.get('acc_num', '')}".rstrip())
    lines.append(f"  external: {'; '.join(external) if external else 'none'}")
    return lines


def _describe(code: dict[str, Any]) -> str:
    if code["source"] is None:
        return f"{code['code']:<34} from {', '.join(code['match']) or code['op']}"
    return f"{code['code']:<34} {code['source']} = {', '.join(map(str, code['match']))}"


def render(api: Api, alleles: list[Allele], annotations: dict[int, dict[str, Any]]) -> str:
    body = {"allele_ids": [a.id for a in alleles], "gp_name": PANEL[0], "gp_version": PANEL[1]}
    response = api.post("/api/v1/acmg/alleles/", json=body)
    assert response.status_code == 200, response.json
    out = [
        "# ACMG criteria suggested by the rule engine (services/acmg/rules.json) for ELLA's TestAnalysis-001",
        "# (tests/data/ella-upstream), gene panel HBOC v1.0.0, user group testgroup01 of files/demo/fixtures:",
        "# BRCA2 (HGNC 1101) is AD in the panel and overridden by the group: disease_mode LOF (only loss of",
        "# function causes disease), last_exon_important LENI; AD frequency cut-offs external (gnomAD, ExAC)",
        "# hi 0.005 / lo 0.001. No reference assessments.",
        "# Regenerate: ELLA_UPDATE_GOLDEN=1 pytest tests/acmg/test_golden.py",
        "",
    ]
    for allele in alleles:
        codes = response.json[str(allele.id)]["codes"]
        criteria = list(dict.fromkeys(c["code"] for c in codes if not c["code"].startswith("REQ_")))
        out.extend(_variant_line(allele, annotations[allele.id]))
        if criteria:
            found = api.get(f"/api/v1/acmg/classifications/?codes={','.join(criteria)}").json
            out.append(f"  suggested: {', '.join(criteria)}  →  class {found['class']} ({found['classification']})")
        else:
            out.append("  suggested: no criteria  →  no class")
        out.extend(f"    {_describe(c)}" for c in codes if not c["code"].startswith("REQ_"))
        out.append("  requirements (REQ):")
        out.extend(f"    {_describe(c)}" for c in codes if c["code"].startswith("REQ_"))
        out.append("")
    return "\n".join(out)


def test_testanalysis_001_golden(cli: Cli, tmp_path: Path):
    for panel in sorted(p for p in (DEMO_FIXTURES / "genepanels").iterdir() if p.is_dir()):
        cli.ok("deposit", "genepanel", "--folder", str(panel))
    cli.ok("users", "add_groups", str(DEMO_FIXTURES / "usergroups.json"))
    analysis = Path(cli.env["ANALYSES_PATH"]) / "TestAnalysis-001"
    shutil.copytree(UPSTREAM / "analyses" / "TestAnalysis-001", analysis)
    cli.ok("deposit", "analysis", str(analysis))
    db_url = cli.env["DB_URL"]
    with session_for(db_url) as session:
        group = session.scalars(select(UserGroup).where(UserGroup.name == "testgroup01")).one()
        user_id = make_user(session, "golden", group).id
        session.commit()
        alleles = list(session.scalars(select(Allele).order_by(Allele.chromosome, Allele.vcf_pos)))
    text = render(Api(make_app(db_url, tmp_path / "data"), db_url, user_id), alleles, _annotations(db_url))
    if os.environ.get("ELLA_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text)
    assert len(alleles) == 6
    assert text == GOLDEN.read_text(), "suggestions changed: read the difference, then ELLA_UPDATE_GOLDEN=1"


def _annotations(db_url: str) -> dict[int, dict[str, Any]]:
    with session_for(db_url) as session:
        rows = session.execute(
            select(Annotation.allele_id, Annotation.annotation).where(Annotation.date_superceeded.is_(None))
        ).tuples()
        return {allele_id: data for allele_id, data in rows}
