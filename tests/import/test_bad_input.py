"""Each class of bad input fails with the file, line and problem, and leaves the database unchanged."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli, table_snapshot
from tests.support import vcfgen

from .conftest import make_panel


def _trio(tmp_path: Path) -> Path:
    return vcfgen.write_analysis(tmp_path, "Bad-1", 40, trio=True)


def _vcf(folder: Path) -> Path:
    return next(folder.glob("*.vcf*"))


def _edit_line(path: Path, number: int, edit: Callable[[str], str]) -> None:
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("".join(lines))


def _header_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.startswith("#"))


def truncated_plain(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    data = vcf.read_bytes()
    vcf.write_bytes(data[: len(data) - 200])  # cut inside the last record
    n = len(vcf.read_text().splitlines())
    return f"{vcf.name}, line {n}", "incomplete"


def truncated_gzip(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    gz = vcf.with_name(vcf.name + ".gz")
    gz.write_bytes(gzip.compress(vcf.read_bytes())[:-3000])
    vcf.unlink()
    doc = json.loads((folder / "Bad-1.analysis").read_text())
    doc["data"][0]["vcf"] = gz.name
    (folder / "Bad-1.analysis").write_text(json.dumps(doc))
    return gz.name, "truncated or corrupt"


def bad_pos(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    line = _header_lines(vcf) + 30
    _edit_line(vcf, line, lambda s: "\t".join([s.split("\t")[0], "x", *s.split("\t")[2:]]))
    return f"{vcf.name}, line {line}", "POS 'x' is not an integer"


def bad_columns(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    line = _header_lines(vcf) + 12
    _edit_line(vcf, line, lambda s: s.rsplit("\t", 1)[0] + "\n")
    return f"{vcf.name}, line {line}", "expected 12 tab-separated columns, found 11"


def bad_csq(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    line = _header_lines(vcf) + 5
    _edit_line(vcf, line, lambda s: s.replace("CSQ=", "CSQ=A|extra|", 1))
    return f"{vcf.name}, line {line}", "CSQ entry has"


def duplicate_record(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    lines = vcf.read_text().splitlines(keepends=True)
    first = _header_lines(vcf) + 3
    lines.append(lines[first - 1])
    vcf.write_text("".join(lines))
    return f"{vcf.name}, line {len(lines)}", f"listed twice (also on line {first})"


def multiallelic(folder: Path) -> tuple[str, str]:
    vcf = _vcf(folder)
    line = _header_lines(vcf) + 7
    _edit_line(vcf, line, lambda s: "\t".join([*s.split("\t")[:4], "A,T", *s.split("\t")[5:]]))
    return f"{vcf.name}, line {line}", "decompose"


def ped_sample_mismatch(folder: Path) -> tuple[str, str]:
    ped = folder / "Bad-1.ped"
    ped.write_text(ped.read_text().replace("MOTHER", "MUM"))
    return "Bad-1.ped, line 3", "sample 'MUM' is not in the VCF"


def ped_without_proband(folder: Path) -> tuple[str, str]:
    ped = folder / "Bad-1.ped"
    ped.write_text(re.sub(r"\t1\n", "\t0\n", ped.read_text()))
    return "Bad-1.ped", "exactly one proband"


def ped_six_columns(folder: Path) -> tuple[str, str]:
    ped = folder / "Bad-1.ped"
    ped.write_text("\n".join(line.rsplit("\t", 1)[0] for line in ped.read_text().splitlines()) + "\n")
    return "Bad-1.ped, line 1", "7th column (proband 1/0) is missing"


def trio_without_ped(folder: Path) -> tuple[str, str]:
    (folder / "Bad-1.ped").unlink()
    doc = json.loads((folder / "Bad-1.analysis").read_text())
    del doc["data"][0]["ped"]
    (folder / "Bad-1.analysis").write_text(json.dumps(doc))
    return "Bad-1.vcf", "3 samples but no PED file"


def unknown_panel(folder: Path) -> tuple[str, str]:
    doc = json.loads((folder / "Bad-1.analysis").read_text())
    doc["genepanel_version"] = "v9.9.9"
    (folder / "Bad-1.analysis").write_text(json.dumps(doc))
    return "Bad-1.analysis", "gene panel HBOC v9.9.9 is not in the database"


def missing_vcf(folder: Path) -> tuple[str, str]:
    _vcf(folder).unlink()
    return "Bad-1.analysis, key 'data.0.vcf'", "not found"


def missing_ped(folder: Path) -> tuple[str, str]:
    (folder / "Bad-1.ped").unlink()
    return "Bad-1.analysis, key 'data.0.ped'", "not found"


def broken_json(folder: Path) -> tuple[str, str]:
    (folder / "Bad-1.analysis").write_text('{\n  "name": "Bad-1",\n  "data": [\n')
    return "Bad-1.analysis, line 4", "invalid JSON"


def bad_priority(folder: Path) -> tuple[str, str]:
    doc = json.loads((folder / "Bad-1.analysis").read_text())
    doc["priority"] = 7
    (folder / "Bad-1.analysis").write_text(json.dumps(doc))
    return "Bad-1.analysis, key 'priority'", "is not valid"


CASES = [
    truncated_plain,
    truncated_gzip,
    bad_pos,
    bad_columns,
    bad_csq,
    duplicate_record,
    multiallelic,
    ped_sample_mismatch,
    ped_without_proband,
    ped_six_columns,
    trio_without_ped,
    unknown_panel,
    missing_vcf,
    missing_ped,
    broken_json,
    bad_priority,
]


@pytest.mark.parametrize("damage", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_names_file_and_line_and_changes_nothing(cli: Cli, db_url, tmp_path, damage):
    make_panel(db_url)
    folder = _trio(tmp_path)
    where, problem = damage(folder)
    before = table_snapshot(db_url)
    result = cli("deposit", "analysis", str(folder))
    assert result.exit_code != 0, result.stdout
    message = " ".join(result.stderr.split())
    assert where in message and problem in message, message
    assert "Traceback" not in result.stderr
    assert table_snapshot(db_url) == before


def test_error_after_earlier_analyses_keeps_them(cli: Cli, db_url, tmp_path):
    make_panel(db_url)
    good = vcfgen.write_analysis(tmp_path / "good", "Good-1", 40, trio=True)
    cli.ok("deposit", "analysis", str(good))
    bad = _trio(tmp_path / "bad")
    duplicate_record(bad)  # fails only after its rows were staged and alleles shared with Good-1 inserted
    before = table_snapshot(db_url)
    assert cli("deposit", "analysis", str(bad)).exit_code == 2
    assert table_snapshot(db_url) == before
