"""IGV: reference files with HTTP Range, the track config per analysis with limit_to_groups, static and
analysis track files, dynamic tracks — and no path leaving its directory."""

from __future__ import annotations

import json
import os

import pytest

from tests.api.factories import Api, build_world, copy_db, make_app, template_db

FASTA = b">1\nACGTACGTACGT\n"
CONFIG = {
    "STATIC/.*": {"limit_to_groups": None, "show": False},
    "STATIC/private/.*": {"limit_to_groups": ["cilio-lab"], "description": "cilio only"},
    "ANALYSIS/.*\\.bam": {"limit_to_groups": ["hboc-lab"], "presets": ["DEFAULT"], "igv": {"height": 100}},
    "ANALYSIS/.*": {"igv": {"color": "red"}},
    "DYNAMIC/variants": {"limit_to_groups": None, "show": True},
    "DYNAMIC/genepanel": {"limit_to_groups": ["hboc-lab"], "url": "/custom/<GENEPANEL_NAME>/<GENEPANEL_VERSION>"},
}


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory):
    name, world = template_db(pg, build_world)
    data = tmp_path_factory.mktemp("data")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.bed").write_text("secret\n")
    with copy_db(pg, name) as url:
        app = make_app(url, data)
        igv = data / "igv-data"
        (igv / "human_g1k_v37_decoy.fasta").write_bytes(FASTA)
        (igv / "cytoBand.txt").write_text("1\t0\t100\tp36\tgneg\n")
        (igv / "secret.txt").write_text("not listed\n")
        (igv / "track_config.json").write_text(json.dumps(CONFIG))
        tracks = igv / "tracks"
        (tracks / "gnomad.vcf.gz").write_bytes(b"VCFGZ-CONTENT")
        (tracks / "gnomad.vcf.gz.tbi").write_bytes(b"TBI")
        (tracks / "private").mkdir()
        (tracks / "private" / "x.bed").write_text("1\t1\t2\n")
        (tracks / "sub").mkdir()
        (tracks / "sub" / "y.bw").write_bytes(b"BW")
        (tracks / ".hidden.bed").write_text("h\n")
        os.symlink(outside / "secret.bed", tracks / "escape.bed")
        os.symlink(outside, tracks / "escape_dir")
        analysis = data / "analyses/imported/Diag-HBOC-1/tracks"
        analysis.mkdir(parents=True)
        (analysis / "reads.bam").write_bytes(b"BAM-CONTENT")
        (analysis / "reads.bam.bai").write_bytes(b"BAI")
        (analysis / "calls.vcf").write_text("##fileformat=VCFv4.2\n")
        yield app, url, world


def _ada(env) -> Api:
    app, url, world = env
    return Api(app, url, world.users["ada"])


def _cid(env) -> Api:
    app, url, world = env
    return Api(app, url, world.users["cid"])


def test_reference_files_with_range(env):
    api = _ada(env)
    full = api.get("/api/v1/igv/human_g1k_v37_decoy.fasta")
    assert full.status_code == 200 and full.data == FASTA and full.headers["Accept-Ranges"] == "bytes"
    part = api.get("/api/v1/igv/human_g1k_v37_decoy.fasta", headers={"Range": "bytes=3-6"})
    assert part.status_code == 206 and part.data == FASTA[3:7]
    assert part.headers["Content-Range"] == f"bytes 3-6/{len(FASTA)}"
    assert api.get("/api/v1/igv/human_g1k_v37_decoy.fasta", headers={"Range": "bytes=900-999"}).status_code == 416
    assert api.get("/api/v1/igv/cytoBand.txt").status_code == 200
    assert api.get("/api/v1/igv/secret.txt").status_code == 404  # not in igv.valid_resource_files
    assert api.get("/api/v1/igv/human_g1k_v37_decoy.fasta.fai").status_code == 404  # listed but absent
    assert Api(env[0], env[1], None).get("/api/v1/igv/cytoBand.txt").status_code == 403


def test_track_config_per_group(env):
    _, _, world = env
    tracks = {t["id"]: t for t in _ada(env).get(f"/api/v1/igv/tracks/{world.analyses['hboc']}/?allele_ids=1,2").json}
    assert set(tracks) == {
        "STATIC/gnomad.vcf.gz",
        "STATIC/sub/y.bw",
        "ANALYSIS/reads.bam",
        "DYNAMIC/variants",
        "DYNAMIC/genepanel",
    }
    gnomad = tracks["STATIC/gnomad.vcf.gz"]
    assert gnomad["igv"] == {
        "name": "gnomad",
        "url": "/api/v1/igv/tracks/static/gnomad.vcf.gz",
        "format": "vcf",
        "indexURL": "/api/v1/igv/tracks/static/gnomad.vcf.gz?index=1",
    }
    assert gnomad["show"] is False and "limit_to_groups" not in gnomad
    bam = tracks["ANALYSIS/reads.bam"]
    assert bam["igv"]["url"] == f"/api/v1/igv/tracks/analyses/{world.analyses['hboc']}/reads.bam"
    assert bam["igv"]["height"] == 100 and bam["igv"]["color"] == "red" and bam["presets"] == ["DEFAULT"]
    assert tracks["DYNAMIC/genepanel"]["igv"]["url"] == "/custom/HBOC/v1.0.0"
    assert tracks["DYNAMIC/variants"]["igv"]["url"] == f"/api/v1/igv/tracks/dynamic/variants/{world.analyses['hboc']}"
    assert tracks["DYNAMIC/variants"]["show"] is True
    cilio = {t["id"] for t in _cid(env).get(f"/api/v1/igv/tracks/{world.analyses['cilio']}/").json}
    assert cilio == {"STATIC/gnomad.vcf.gz", "STATIC/sub/y.bw", "STATIC/private/x.bed", "DYNAMIC/variants"}


def test_static_track_files(env):
    ada, cid = _ada(env), _cid(env)
    ok = ada.get("/api/v1/igv/tracks/static/gnomad.vcf.gz", headers={"Range": "bytes=0-4"})
    assert ok.status_code == 206 and ok.data == b"VCFGZ"
    assert ada.get("/api/v1/igv/tracks/static/gnomad.vcf.gz?index=1").data == b"TBI"
    assert ada.get("/api/v1/igv/tracks/static/sub/y.bw").data == b"BW"
    assert ada.get("/api/v1/igv/tracks/static/sub/y.bw?index=1").status_code == 404  # bigWig has no index
    assert ada.get("/api/v1/igv/tracks/static/private/x.bed").status_code == 404  # limit_to_groups
    assert cid.get("/api/v1/igv/tracks/static/private/x.bed").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "../track_config.json",
        "..%2Ftrack_config.json",
        "%2E%2E/track_config.json",
        "sub/../gnomad.vcf.gz",
        "sub/%2E%2E/%2E%2E/secret.txt",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "sub//y.bw",
        ".hidden.bed",
        "escape.bed",
        "escape_dir/secret.bed",
        "sub\\..\\gnomad.vcf.gz",
        "gnomad.vcf.gz%00.txt",
        "nonexistent.bed",
        "sub",
    ],
)
def test_static_paths_cannot_leave_tracks(env, path):
    response = _ada(env).get(f"/api/v1/igv/tracks/static/{path}")
    if response.status_code == 308:  # Werkzeug merges "//": the redirect stays inside the tracks
        location = response.headers["Location"].removeprefix("http://localhost")
        assert location.startswith("/api/v1/igv/tracks/static/")
        response = _ada(env).get(location)
    assert response.status_code in (404, 422), (path, response.status_code)
    assert b"secret" not in response.data and b"limit_to_groups" not in response.data


def test_analysis_track_files(env):
    _, _, world = env
    ada, cid = _ada(env), _cid(env)
    base = f"/api/v1/igv/tracks/analyses/{world.analyses['hboc']}"
    assert ada.get(f"{base}/reads.bam").data == b"BAM-CONTENT"
    assert ada.get(f"{base}/reads.bam?index=1").data == b"BAI"
    assert ada.get(f"{base}/calls.vcf").status_code == 404  # no rule sets limit_to_groups: hidden
    assert cid.get(f"{base}/reads.bam").status_code == 404  # not cid's analysis
    for bad in ("../tracks/reads.bam", "..%2F..%2FDiag-HBOC-1%2Ftracks%2Freads.bam", "reads.bam%00", "x/../reads.bam"):
        response = ada.get(f"{base}/{bad}")
        assert response.status_code in (404, 422) and b"BAM" not in response.data, bad


def test_dynamic_tracks(env):
    _, _, world = env
    ada = _ada(env)
    bed = ada.get("/api/v1/igv/tracks/dynamic/genepanel/HBOC/v1.0.0").get_data(as_text=True).splitlines()
    names = {line.split("\t")[3]: line.split("\t") for line in bed}
    assert set(names) == {"BRCA1 (NM_007294.3)", "BRCA2 (NM_000059.3)"}
    assert names["BRCA2 (NM_000059.3)"][9] == "4"  # BED12 with BRCA2's 4 exons
    vcf = ada.get(f"/api/v1/igv/tracks/dynamic/variants/{world.analyses['hboc']}").get_data(as_text=True)
    assert vcf.startswith("##fileformat=VCFv4.2") and len(vcf.strip().splitlines()) == 2 + 3
    one = ada.get(
        f"/api/v1/igv/tracks/dynamic/variants/{world.analyses['hboc']}?allele_ids={world.alleles['hboc_rare']}"
    ).get_data(as_text=True)
    assert len(one.strip().splitlines()) == 3
    roi = ada.get(f"/api/v1/igv/tracks/dynamic/regions_of_interest/{world.analyses['hboc']}").get_data(as_text=True)
    assert len(roi.strip().splitlines()) == 3
    assert ada.get("/api/v1/igv/tracks/dynamic/classifications").status_code == 200
    assert ada.get("/api/v1/igv/tracks/dynamic/genepanel/Ciliopathy/v1.0.0").status_code == 404


def test_missing_igv_data_is_a_clean_404(pg, tmp_path):
    name, world = template_db(pg, build_world)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        app.config["ELLA_SETTINGS"].paths["IGV_DATA"] = None
        api = Api(app, url, world.users["ada"])
        response = api.get("/api/v1/igv/cytoBand.txt")
        assert response.status_code == 404 and "IGV_DATA" in response.json["message"]
        assert api.get(f"/api/v1/igv/tracks/{world.analyses['hboc']}/").status_code == 404
