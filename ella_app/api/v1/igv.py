"""``/api/v1/igv/``: reference files (with HTTP Range), the track config of an analysis, static and analysis
track files restricted by ``limit_to_groups``, and dynamic tracks (panel BED, analysis variants VCF,
classifications VCF, regions of interest BED; each at ELLA's URL with a trailing slash and at the kit's without),
and IGV's locus search. No path can leave its directory (``services/igv_tracks``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, send_file

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, op, path_param, query_param, ref
from ella_app.api.v1 import params
from ella_app.errors import NotFoundError
from ella_app.services import igv_dynamic, igv_search, igv_tracks

bp = Blueprint("igv", __name__)


def _path(name: str) -> Path:
    found = current_app.config["ELLA_SETTINGS"].paths.get(name)
    if found is None:
        raise NotFoundError(f"{name} is not configured on the server")
    return Path(found)


def _send(path: Path) -> Any:
    return send_file(path, mimetype="application/octet-stream", conditional=True, max_age=0)


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


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
    analyses_path = current_app.config["ELLA_SETTINGS"].paths.get("ANALYSES_PATH")
    sources = igv_dynamic.track_sources(
        db(), user, analysis_id, _path("IGV_DATA"), Path(analyses_path) if analyses_path else None
    )
    allele_ids = ",".join(map(str, params.id_list_arg("allele_ids")))
    return jsonify(igv_tracks.track_config(sources, igv_dynamic.group_name(user), allele_ids))


@bp.get("/igv/tracks/static/<path:track>")
@login_required
def static_track(track: str) -> Any:
    igv_data = _path("IGV_DATA")
    if not igv_tracks.track_allowed(igv_data, f"STATIC/{track}", igv_dynamic.group_name(params.user())):
        raise NotFoundError("no such file")
    return _send(_track_file(igv_data / "tracks", track))


@bp.get("/igv/tracks/analyses/<int:analysis_id>/<path:track>")
@login_required
def analysis_track(analysis_id: int, track: str) -> Any:
    user = params.user()
    root = igv_dynamic.analysis_tracks_dir(db(), user, analysis_id, _path("ANALYSES_PATH"))
    if not igv_tracks.track_allowed(_path("IGV_DATA"), f"ANALYSIS/{track}", igv_dynamic.group_name(user)):
        raise NotFoundError("no such file")
    return _send(_track_file(root, track))


# ------------------------------------------------------------------------------------------ dynamic tracks


@bp.get("/igv/tracks/dynamic/genepanel/<name>/<version>")
@bp.get("/igv/tracks/dynamic/genepanel/<name>/<version>/")  # ELLA's URL
@login_required
def genepanel_track(name: str, version: str) -> Any:
    return _text(igv_dynamic.genepanel_bed(db(), params.user(), name, version))


@bp.get("/igv/tracks/dynamic/variants/<int:analysis_id>")
@bp.get("/igv/tracks/dynamic/variants/<int:analysis_id>/")
@login_required
def variants_track(analysis_id: int) -> Any:
    return _text(igv_dynamic.variants_vcf(db(), params.user(), analysis_id, params.id_list_arg("allele_ids")))


@bp.get("/igv/tracks/dynamic/regions_of_interest/<int:analysis_id>")
@bp.get("/igv/tracks/dynamic/regions_of_interest/<int:analysis_id>/")
@login_required
def regions_track(analysis_id: int) -> Any:
    return _text(igv_dynamic.regions_bed(db(), params.user(), analysis_id, params.id_list_arg("allele_ids")))


@bp.get("/igv/tracks/dynamic/classifications")
@bp.get("/igv/tracks/dynamic/classifications/")
@login_required
def classifications_track() -> Any:
    return _text(igv_dynamic.classifications_vcf(db(), params.user()))


@bp.get("/igv/search/")
@login_required
def search() -> Any:
    return jsonify(igv_search.locus(db(), params.str_arg("q", "") or ""))


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

# ELLA's URLs of the dynamic tracks end in a slash (a track_config.json written for ELLA names them so)
for _dynamic in [p for p in PATHS if p.startswith("/igv/tracks/dynamic/")]:
    PATHS[_dynamic + "/"] = PATHS[_dynamic]
PATHS["/igv/search/"] = {
    "get": op(
        "IGV's locus search: a gene symbol or transcript name to the region it spans",
        "igv",
        params=[query_param("q", "string", "gene symbol (or its start) or transcript name (at least 9 characters)")],
        response={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "chromosome": {"type": "string"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                },
            },
        },
        description=igv_search.__doc__,
    )
}
