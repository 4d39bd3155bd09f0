"""``/api/v1/igv/``: reference files (with HTTP Range), the track config of an analysis, static and analysis
track files restricted by ``limit_to_groups``, and dynamic tracks (panel BED, analysis variants VCF,
classifications VCF, regions of interest BED). No path can leave its directory (``services/igv_tracks``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, send_file
from sqlalchemy import select

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, path_param, query_param, ref
from ella_app.api.v1 import params
from ella_app.db.models import Allele, AlleleAssessment, Genotype, Sample, User
from ella_app.errors import NotFoundError
from ella_app.services import access, igv_tracks
from ella_app.services.filters.context import load_panel

bp = params.install(Blueprint("igv", __name__))


def _path(name: str) -> Path:
    found = current_app.config["ELLA_SETTINGS"].paths.get(name)
    if found is None:
        raise NotFoundError(f"{name} is not configured on the server")
    return Path(found)


def _group(user: User) -> str:
    return user.group.name


def _send(path: Path) -> Any:
    return send_file(path, mimetype="application/octet-stream", conditional=True, max_age=0)


def _track_file(root: Path, relative: str) -> Path:
    if params.bool_arg("index"):
        index = igv_tracks.index_path(relative)
        if index is None:
            raise NotFoundError("this track type has no index file")
        return igv_tracks.safe_file(root, index)
    return igv_tracks.safe_file(root, relative)


@bp.get("/igv/<filename>")
@login_required
def resource(filename: str) -> Any:
    valid = current_app.config["ELLA_SETTINGS"].config.get("igv", {}).get("valid_resource_files", [])
    return _send(igv_tracks.resource_file(_path("IGV_DATA"), filename, valid))


@bp.get("/igv/tracks/<int:analysis_id>/")
@login_required
def track_config(analysis_id: int) -> Any:
    user = params.user()
    analysis = access.get_analysis(db(), user, analysis_id)
    analyses_path = current_app.config["ELLA_SETTINGS"].paths.get("ANALYSES_PATH")
    sources = igv_tracks.TrackSources(
        igv_data=_path("IGV_DATA"),
        analyses_path=Path(analyses_path) if analyses_path else None,
        analysis_id=analysis.id,
        analysis_name=analysis.name,
        genepanel=(analysis.genepanel_name, analysis.genepanel_version),
    )
    allele_ids = ",".join(map(str, params.id_list_arg("allele_ids")))
    return jsonify(igv_tracks.track_config(sources, _group(user), allele_ids))


@bp.get("/igv/tracks/static/<path:track>")
@login_required
def static_track(track: str) -> Any:
    igv_data = _path("IGV_DATA")
    if not igv_tracks.track_allowed(igv_data, f"STATIC/{track}", _group(params.user())):
        raise NotFoundError("no such file")
    return _send(_track_file(igv_data / "tracks", track))


@bp.get("/igv/tracks/analyses/<int:analysis_id>/<path:track>")
@login_required
def analysis_track(analysis_id: int, track: str) -> Any:
    user = params.user()
    analysis = access.get_analysis(db(), user, analysis_id)
    if not igv_tracks.track_allowed(_path("IGV_DATA"), f"ANALYSIS/{track}", _group(user)):
        raise NotFoundError("no such file")
    root = igv_tracks.safe_dir(_path("ANALYSES_PATH"), analysis.name, "tracks")
    return _send(_track_file(root, track))


# ------------------------------------------------------------------------------------------ dynamic tracks


def _text(lines: list[str], mimetype: str) -> Response:
    return Response("".join(line + "\n" for line in lines), mimetype=mimetype)


def _vcf(rows: list[tuple[str, int, str, str, str]]) -> Response:
    header = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    return _text(header + [f"{c}\t{p}\t{i}\t{r}\t{a}\t.\t.\t." for c, p, i, r, a in sorted(rows)], "text/plain")


def _analysis_alleles(analysis_id: int) -> list[Allele]:
    query = (
        select(Allele)
        .join(Genotype, Genotype.allele_id == Allele.id)
        .join(Sample, Sample.id == Genotype.sample_id)
        .where(Sample.analysis_id == analysis_id)
        .distinct()
    )
    wanted = set(params.id_list_arg("allele_ids"))
    return [a for a in db().scalars(query) if not wanted or a.id in wanted]


@bp.get("/igv/tracks/dynamic/genepanel/<name>/<version>")
@login_required
def genepanel_track(name: str, version: str) -> Any:
    access.require_panel(db(), params.user(), name, version)
    lines = []
    for tx in load_panel(db(), name, version).transcripts:
        exons = sorted(zip(tx.exon_starts, tx.exon_ends, strict=False))
        sizes = ",".join(str(e - s) for s, e in exons)
        starts = ",".join(str(s - tx.tx_start) for s, _ in exons)
        cds = (tx.cds_start, tx.cds_end) if tx.cds_start is not None and tx.cds_end is not None else (tx.tx_start,) * 2
        lines.append(
            f"{tx.chromosome}\t{tx.tx_start}\t{tx.tx_end}\t{tx.symbol} ({tx.name})\t0\t{tx.strand}\t{cds[0]}\t{cds[1]}"
            f"\t0\t{len(exons)}\t{sizes}\t{starts}"
        )
    return _text(lines, "text/plain")


@bp.get("/igv/tracks/dynamic/variants/<int:analysis_id>")
@login_required
def variants_track(analysis_id: int) -> Any:
    analysis = access.get_analysis(db(), params.user(), analysis_id)
    return _vcf([(a.chromosome, a.vcf_pos, str(a.id), a.vcf_ref, a.vcf_alt) for a in _analysis_alleles(analysis.id)])


@bp.get("/igv/tracks/dynamic/regions_of_interest/<int:analysis_id>")
@login_required
def regions_track(analysis_id: int) -> Any:
    analysis = access.get_analysis(db(), params.user(), analysis_id)
    rows = sorted((a.chromosome, a.start_position, a.open_end_position, a.id) for a in _analysis_alleles(analysis.id))
    return _text([f"{c}\t{s}\t{max(e, s + 1)}\tallele {i}" for c, s, e, i in rows], "text/plain")


@bp.get("/igv/tracks/dynamic/classifications")
@login_required
def classifications_track() -> Any:
    user = params.user()
    query = (
        select(Allele, AlleleAssessment.classification)
        .join(AlleleAssessment, AlleleAssessment.allele_id == Allele.id)
        .where(AlleleAssessment.date_superceeded.is_(None), access.allele_allowed(user, Allele.id))
    )
    rows = [(a.chromosome, a.vcf_pos, f"class_{c}", a.vcf_ref, a.vcf_alt) for a, c in db().execute(query).tuples()]
    return _vcf(rows)


_BINARY = {"description": "the file (206 with a Range header)", "content": {"application/octet-stream": {}}}
_INDEX = query_param("index", "boolean", "serve the track's index file (.bai, .tbi, .crai)")


def _file_op(summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    operation = op(summary, "igv", params=parameters)
    operation["responses"]["200"] = _BINARY
    return operation


PATHS = {
    "/igv/{filename}": {
        "get": _file_op(
            "A reference file of igv.valid_resource_files (HTTP Range supported)", [path_param("filename", "string")]
        )
    },
    "/igv/tracks/{analysis_id}/": {
        "get": op(
            "Track config of an analysis for the caller's group",
            "igv",
            params=[ID("analysis_id"), query_param("allele_ids", "ids", "for the <ALLELE_IDS> placeholder")],
            response={"type": "array", "items": ref("Track")},
        )
    },
    "/igv/tracks/static/{track}": {
        "get": _file_op("A static track file under $IGV_DATA/tracks", [path_param("track", "string"), _INDEX])
    },
    "/igv/tracks/analyses/{analysis_id}/{track}": {
        "get": _file_op(
            "A track file of the analysis folder", [ID("analysis_id"), path_param("track", "string"), _INDEX]
        )
    },
    "/igv/tracks/dynamic/genepanel/{name}/{version}": {
        "get": op(
            "The gene panel's transcripts (BED12)",
            "igv",
            params=[path_param("name", "string"), path_param("version", "string")],
            response={"type": "string"},
            content_type="text/plain",
        )
    },
    "/igv/tracks/dynamic/variants/{analysis_id}": {
        "get": op(
            "The analysis' variants (VCF)",
            "igv",
            params=[ID("analysis_id"), query_param("allele_ids", "ids")],
            response={"type": "string"},
            content_type="text/plain",
        )
    },
    "/igv/tracks/dynamic/regions_of_interest/{analysis_id}": {
        "get": op(
            "Regions of the analysis' variants (BED)",
            "igv",
            params=[ID("analysis_id"), query_param("allele_ids", "ids")],
            response={"type": "string"},
            content_type="text/plain",
        )
    },
    "/igv/tracks/dynamic/classifications": {
        "get": op(
            "Classified variants visible to the caller (VCF)",
            "igv",
            response={"type": "string"},
            content_type="text/plain",
        )
    },
}
