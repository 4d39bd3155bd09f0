"""``ella-cli igv-download DIR``: from a local mirror folder or an HTTP mirror; idempotent; no partial files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CONFIG, Cli
from tests.support.fake_http import FakeServer, free_port

FASTA = "human_g1k_v37_decoy.fasta"
CYTOBAND = "1\t0\t2300000\tp36.33\tgneg\n1\t2300000\t5400000\tp36.32\tgpos25\nX\t0\t4300000\tp22.33\tgneg\n"
CYTOBAND_IDEO = "".join(f"chr{line}\n" for line in CYTOBAND.splitlines())


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """No database: igv-download only writes files, so it must work without DB_URL."""
    (tmp_path / "data" / "igv-data").mkdir(parents=True)
    return {"ELLA_CONFIG": str(EXAMPLE_CONFIG), "IGV_DATA": str(tmp_path / "data" / "igv-data"), "DB_URL": ""}


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    return Cli(cli_env)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / FASTA).write_bytes(b">1\n" + b"ACGTNNNNACGT" * 300_000 + b"\n>2\nACGT\n")  # ~3.6 MB: several chunks
    (folder / f"{FASTA}.fai").write_text("1\t3600000\t3\t3600000\t3600001\n2\t4\t3600008\t4\t5\n")
    (folder / "cytoBandIdeo.txt").write_text(CYTOBAND_IDEO)
    return folder


def listing(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir())}


def test_download_from_local_folder_then_rerun_is_unchanged(cli, mirror, tmp_path):
    target = tmp_path / "igv-data"
    first = cli.ok("igv-download", str(target), "--source", str(mirror), "--json").json()
    assert first["changed"] is True and sorted(first["names"]["created"]) == sorted(
        [FASTA, f"{FASTA}.fai", "cytoBand.txt"]
    )
    assert (target / FASTA).read_bytes() == (mirror / FASTA).read_bytes()
    assert (target / f"{FASTA}.fai").read_bytes() == (mirror / f"{FASTA}.fai").read_bytes()
    assert (target / "cytoBand.txt").read_text() == CYTOBAND
    assert set(listing(target)) == {FASTA, f"{FASTA}.fai", "cytoBand.txt"}, "no temporary files left"

    second = cli.ok("igv-download", str(target), "--source", str(mirror), "--json").json()
    assert second["changed"] is False and second["unchanged"] == 3
    human = cli.ok("igv-download", str(target), "--source", str(mirror)).stdout
    assert "igv data: 0 created, 0 updated, 3 unchanged" in human


def test_download_over_http_uses_env_source_and_igv_data(cli_env, mirror):
    with FakeServer(static_dir=mirror) as server:
        cli = Cli({**cli_env, "ELLA_IGV_SOURCE": f"{server.url}/static/"})
        first = cli.ok("igv-download", "--json").json()
        target = Path(cli_env["IGV_DATA"])
        assert first["created"] == 3 and first["directory"] == str(target.resolve())
        assert (target / FASTA).read_bytes() == (mirror / FASTA).read_bytes()
        assert (target / "cytoBand.txt").read_text() == CYTOBAND
        fasta_gets = [r for r in server.requests if r[0] == "GET" and r[1].endswith(f"/{FASTA}")]
        assert len(fasta_gets) == 1

        assert cli.ok("igv-download", "--json").json()["changed"] is False
        fasta_gets = [r for r in server.requests if r[0] == "GET" and r[1].endswith(f"/{FASTA}")]
        assert len(fasta_gets) == 1, "a file of the right size is not downloaded again"


def test_changed_source_file_is_replaced(cli, mirror, tmp_path):
    target = tmp_path / "igv-data"
    cli.ok("igv-download", str(target), "--source", str(mirror))
    (mirror / f"{FASTA}.fai").write_text("1\t3600000\t3\t3600000\t3600001\n")
    (mirror / "cytoBandIdeo.txt").write_text(CYTOBAND_IDEO + "chrY\t0\t100\tp11\tgneg\n")
    result = cli.ok("igv-download", str(target), "--source", str(mirror), "--json").json()
    assert sorted(result["names"]["updated"]) == ["cytoBand.txt", f"{FASTA}.fai"]
    assert (target / "cytoBand.txt").read_text().endswith("Y\t0\t100\tp11\tgneg\n")


def test_gzipped_cytoband_in_mirror(cli, mirror, tmp_path):
    (mirror / "cytoBandIdeo.txt").unlink()
    (mirror / "cytoBandIdeo.txt.gz").write_bytes(gzip.compress(CYTOBAND_IDEO.encode()))
    target = tmp_path / "igv-data"
    cli.ok("igv-download", str(target), "--source", str(mirror))
    assert (target / "cytoBand.txt").read_text() == CYTOBAND


def test_unreachable_source_is_a_clear_error_and_writes_nothing(cli, tmp_path):
    target = tmp_path / "igv-data"
    url = f"http://127.0.0.1:{free_port()}/igv"
    result = cli("igv-download", str(target), "--source", url)
    assert result.exit_code == 6 and "is unreachable" in result.stderr and url in result.stderr
    assert not target.exists()


def test_mirror_missing_a_file_writes_nothing(cli, mirror, tmp_path):
    (mirror / f"{FASTA}.fai").unlink()
    target = tmp_path / "igv-data"
    target.mkdir()
    with FakeServer(static_dir=mirror) as server:
        result = cli("igv-download", str(target), "--source", f"{server.url}/static")
    assert result.exit_code == 6 and f"{FASTA}.fai" in result.stderr
    assert listing(target) == {}
    local = cli("igv-download", str(target), "--source", str(mirror))
    assert local.exit_code == 6 and f"has none of: {FASTA}.fai" in local.stderr
    assert listing(target) == {}


def test_failed_download_leaves_no_partial_file(cli, mirror, tmp_path):
    target = tmp_path / "igv-data"
    target.mkdir()
    with FakeServer(static_dir=mirror) as server:
        server.failing_downloads[f"/static/{FASTA}.fai"] = 500
        result = cli("igv-download", str(target), "--source", f"{server.url}/static")
    assert result.exit_code == 6 and "HTTP 500" in result.stderr
    assert set(listing(target)) <= {FASTA}, "only complete files, no .partial leftovers"


def test_source_that_is_neither_folder_nor_url(cli, tmp_path):
    result = cli("igv-download", str(tmp_path / "igv"), "--source", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "not a folder or an http(s) URL" in result.stderr
