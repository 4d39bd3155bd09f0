"""The demo's IGV data (files/demo/igv-data), without a browser: made by scripts/make-demo-igv-data.py and up to
date; the reference covers every exon of the demo panels and carries the REF allele of every demo variant at its
GRCh37 position; the ideogram and the track config fit; the demo inventory's igv config names these files."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ella_app.services import igv_tracks
from tests.conftest import ROOT

from .data import DEMO_IGV_DATA, DEMO_INVENTORY_VARS

SCRIPT = ROOT / "scripts" / "make-demo-igv-data.py"
FASTA = DEMO_IGV_DATA / "demo-grch37-panels.fasta"
VCFS = [
    *sorted((ROOT / "files" / "demo" / "analyses").rglob("*.vcf")),
    *sorted((ROOT / "tests" / "data" / "ella-upstream" / "analyses" / "TestAnalysis-001").glob("*.vcf")),
]
HEADER = re.compile(r"^>(\w+):(\d+)-(\d+) @len=(\d+)$")


def read_windows() -> dict[str, list[tuple[int, int, str]]]:
    """{chrom: [(0-based start, end, sequence)]} of the demo FASTA, checking its layout on the way."""
    windows: dict[str, list[tuple[int, int, str]]] = {}
    lengths: dict[str, int] = {}
    record: list[str] = []
    for line in [*FASTA.read_text().splitlines(), ">end"]:
        if line.startswith(">"):
            if record:
                chrom, start, end, seq = record[0], int(record[1]), int(record[2]), "".join(record[3:])
                assert len(seq) == end - start, f"{chrom}:{start + 1}-{end} holds {len(seq)} bases"
                windows.setdefault(chrom, []).append((start, end, seq))
            if line == ">end":
                break
            found = HEADER.match(line)
            assert found, f"not a '<chrom>:<start>-<end> @len=<length>' header: {line}"
            assert lengths.setdefault(found[1], int(found[4])) == int(found[4])
            record = [found[1], str(int(found[2]) - 1), found[3]]
        else:
            assert re.fullmatch(r"[ACGT]{1,60}", line), line
            record.append(line)
    for chrom, items in windows.items():
        assert items == sorted(items) and all(a[1] < b[0] for a, b in itertools.pairwise(items)), chrom
        assert items[-1][1] <= lengths[chrom]
    return windows


def base_at(windows: dict[str, list[tuple[int, int, str]]], chrom: str, pos: int) -> str | None:
    for start, end, seq in windows.get(chrom, []):
        if start <= pos < end:
            return seq[pos - start]
    return None


def test_the_committed_files_are_what_the_script_makes(tmp_path: Path) -> None:
    check = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, f"run scripts/make-demo-igv-data.py and commit the result:\n{check.stderr}"
    # deterministic: a second run into an empty folder writes the same bytes
    made = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (DEMO_IGV_DATA / path.relative_to(tmp_path)).read_bytes(), path
    again = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True)
    assert "0 file(s) written, 3 unchanged" in again.stdout


def test_a_stale_file_is_reported_by_check(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)
    (tmp_path / "cytoBand.txt").write_text("13\t0\t1000\tp1\tgneg\n")
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 1 and "cytoBand.txt" in check.stderr


def test_the_reference_is_small_and_holds_every_demo_variant_and_exon() -> None:
    assert FASTA.stat().st_size < 200_000  # read whole by the browser
    windows = read_windows()
    checked = 0
    for vcf in VCFS:
        for line in vcf.read_text().splitlines():
            if line.startswith("#"):
                continue
            chrom, pos, _, ref = line.split("\t")[:4]
            for offset, base in enumerate(ref):
                assert base_at(windows, chrom, int(pos) - 1 + offset) == base, (vcf.name, chrom, pos, ref)
            checked += 1
    assert checked >= 30
    panels = sorted((ROOT / "files" / "demo" / "fixtures" / "genepanels").glob("*/*_genes_transcripts.tsv"))
    exons = 0
    for panel in panels:
        for line in panel.read_text().splitlines():
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            for start, end in zip(cols[12].strip(",").split(","), cols[13].strip(",").split(","), strict=True):
                assert base_at(windows, cols[0], int(start)) and base_at(windows, cols[0], int(end) - 1), (
                    panel,
                    cols[3],
                )
                exons += 1
    assert exons > 50


def test_the_ideogram_covers_each_chromosome_of_the_reference() -> None:
    lengths = {m[1]: int(m[4]) for m in map(HEADER.match, FASTA.read_text().splitlines()) if m}
    bands: dict[str, list[tuple[int, int]]] = {}
    for line in (DEMO_IGV_DATA / "cytoBand.txt").read_text().splitlines():
        chrom, start, end, _name, stain = line.split("\t")
        assert stain in ("gneg", "gpos50", "acen")
        bands.setdefault(chrom, []).append((int(start), int(end)))
    assert set(bands) == set(lengths)
    for chrom, items in bands.items():
        assert items[0][0] == 0 and items[-1][1] == lengths[chrom]
        assert all(a[1] == b[0] for a, b in itertools.pairwise(items)), chrom


def test_the_track_config_offers_the_dynamic_tracks_to_every_demo_group(tmp_path: Path) -> None:
    groups = [g["name"] for g in json.loads((ROOT / "files/demo/fixtures/usergroups.json").read_text())]
    sources = igv_tracks.TrackSources(DEMO_IGV_DATA, None, 1, "Diag-demo02-0002", ("HBOC", "v1.0.0"))
    for group in groups:
        tracks = {t["id"]: t for t in igv_tracks.track_config(sources, group)}
        assert set(tracks) == {
            "DYNAMIC/variants",
            "DYNAMIC/classifications",
            "DYNAMIC/genepanel",
            "DYNAMIC/regions_of_interest",
            "STATIC/demo-capture-targets.bed",
        }, group
        assert tracks["DYNAMIC/regions_of_interest"]["type"] == "roi"
        assert tracks["STATIC/demo-capture-targets.bed"]["igv"]["name"] == "Capture targets"
        assert [t for t in tracks.values() if t["show"]], "tracks shown by default"


def test_the_demo_inventory_points_igv_reference_at_these_files() -> None:
    igv = yaml.safe_load(DEMO_INVENTORY_VARS.read_text())["ella_app_config"]["igv"]
    reference = igv["reference"]
    assert reference["indexed"] is False  # read whole: there is no .fai
    for url in (reference["fastaURL"], reference["cytobandURL"]):
        name = url.removeprefix("api/v1/igv/")
        assert name in igv["valid_resource_files"] and (DEMO_IGV_DATA / name).is_file(), url
    assert all((DEMO_IGV_DATA / name).is_file() for name in igv["valid_resource_files"])
    src = yaml.safe_load(DEMO_INVENTORY_VARS.read_text())["ella_igv_src_dir"]
    assert src.endswith("/files/demo/igv-data")


@pytest.mark.parametrize("bad", ["13\t32890607\t.\tN\tT", "13\tpos\t.\tA\tT"])
def test_a_bad_vcf_line_is_named(tmp_path: Path, bad: str) -> None:
    """The script's input check: a VCF it cannot use is named with its line, nothing is written."""
    copy = tmp_path / "repo"
    for part in ("scripts/make-demo-igv-data.py", "files/demo/fixtures/genepanels", "files/demo/analyses"):
        source = ROOT / part
        target = copy / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True)
            target.write_text(source.read_text())
    vcf = next((copy / "files/demo/analyses").rglob("*.vcf"))
    vcf.write_text(vcf.read_text() + bad + "\n")
    result = subprocess.run(
        [sys.executable, str(copy / "scripts/make-demo-igv-data.py"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and f"{vcf.name}:" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
