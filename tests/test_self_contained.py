"""The repository is self-contained: no test, script, benchmark or scenario reads a folder beside the clone.

A user's clone has nothing next to it; the data the tests need is in ``tests/data/`` (see its README).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("tests", "scripts", "benchmarks", "molecule", "testhosts", "playbooks", "roles", ".ci")
# '../shared', 'parent / "shared"', 'parents[2]' (above the repository root from tests/x/y.py) and the like.
OUTSIDE = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared[\"']|ROOT\.parent\b|_kit\s*~\s*[\"']/\.\.")


def test_nothing_reads_beside_the_repository() -> None:
    offenders = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.suffix in {".pyc", ".vcf", ".xml", ".png"} or path == Path(__file__):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if OUTSIDE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "reads outside the repository:\n" + "\n".join(offenders)


def test_upstream_test_data_is_in_the_repository() -> None:
    upstream = ROOT / "tests" / "data" / "ella-upstream"
    assert (upstream / "analyses" / "TestAnalysis-001" / "TestAnalysis-001.vcf").is_file()
    assert sorted(p.name for p in (upstream / "pubmed").glob("*.xml")), "PubMed records are missing"
    assert "licence" in (ROOT / "tests" / "data" / "README.md").read_text().lower()
