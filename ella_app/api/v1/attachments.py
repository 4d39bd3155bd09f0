"""``/api/v1/attachments/``: upload a file, download it, list attachments, and an analysis' own attachment
files (``services/attachments``). Downloads are always ``Content-Disposition: attachment`` with
``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request, send_file

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import ID, INT_ID, PAGING, array, obj, op
from ella_app.api.v1 import params
from ella_app.api.v1.query_json import json_arg, json_query_param, list_paging
from ella_app.errors import InputError
from ella_app.services import access
from ella_app.services import attachments as service
from ella_app.services.list_filter import listed_ids

bp = Blueprint("attachments", __name__)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file


def _storage() -> service.Storage:
    settings = current_app.config["ELLA_SETTINGS"]
    return service.storage(settings.config, settings.paths.get("ATTACHMENT_STORAGE"))


def _send(path: Path, filename: str, mimetype: str) -> Response:
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response  # Cache-Control: no-store (patient data) is set app-wide by api/headers


@bp.post("/attachments/upload/")
@login_required
def upload() -> Any:
    where = _storage()
    limit = where.max_size + FORM_OVERHEAD
    request.max_content_length = limit  # a body without Content-Length (chunked) is cut there: 413
    if request.content_length is not None and request.content_length > limit:  # refused unread
        raise service.UploadTooLargeError(
            f"the upload of {request.content_length} bytes is larger than the upload limit of {where.max_size} "
            "bytes (app.max_upload_size)"
        )
    file = request.files.get("file")
    if file is None:
        raise InputError("send the file as the multipart/form-data field 'file'", key="file")
    attachment = service.upload(db(), params.user(), where, file.filename, file.stream)
    db().commit()
    return params.json_response(service.as_json(db(), where, [attachment])[0])


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Any:
    where = _storage()
    attachment = service.get(db(), params.user(), attachment_id)
    return _send(service.file_of(where, attachment), attachment.filename, service.served_mimetype(attachment))


@bp.get("/attachments/")
@login_required
def list_attachments() -> Any:
    q = json_arg("q", required=False)
    page, per_page = list_paging(listed_ids(q))
    items, total = service.list_attachments(db(), params.user(), _storage(), q, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.get("/attachments/analyses/<int:analysis_id>/<int:index>/")
@login_required
def analysis_attachment(analysis_id: int, index: int) -> Any:
    analysis = access.get_analysis(db(), params.user(), analysis_id)
    path = service.analysis_file(current_app.config["ELLA_SETTINGS"].paths.get("ANALYSES_PATH"), analysis.name, index)
    return _send(path, path.name, service.served_mimetype_of_file(path))


_ATTACHMENT = obj(
    {
        "id": INT_ID,
        "sha256": {"type": "string"},
        "filename": {"type": "string"},
        "size": {"type": "integer"},
        "date_created": {"type": "string"},
        "mimetype": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "extension": {"type": "string"},
        "thumbnail": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "base64 JPEG, 300x300"},
        "user": {"anyOf": [{"type": "object"}, {"type": "null"}]},
    },
    ("id", "sha256", "filename", "size", "date_created", "mimetype", "extension", "thumbnail", "user"),
)
_FILE = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
_UPLOAD = op(
    "Upload a file (multipart/form-data, field 'file')",
    "attachments",
    response=_ATTACHMENT,
    description=service.__doc__,
)
_UPLOAD["requestBody"] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": obj({"file": {"type": "string", "format": "binary"}}, ("file",)),
        }
    },
}
_UPLOAD["responses"]["413"] = {"description": "larger than app.max_upload_size"}
_DOWNLOAD = op("Download an attachment", "attachments", params=[ID("attachment_id")])
_DOWNLOAD["responses"]["200"]["content"] = _FILE
_ANALYSIS_FILE = op(
    "Download the index-th file (by name) of the analysis' attachments folder",
    "attachments",
    params=[
        ID("analysis_id"),
        {
            "name": "index",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        },
    ],
)
_ANALYSIS_FILE["responses"]["200"]["content"] = _FILE

PATHS = {
    "/attachments/upload/": {"post": _UPLOAD},
    "/attachments/{attachment_id}": {"get": _DOWNLOAD},
    "/attachments/": {
        "get": op(
            'Attachments the caller may see (q: ELLA\'s filter, e.g. {"id": [1, 2]}; all listed ids on one page)',
            "attachments",
            params=[
                json_query_param(
                    "q",
                    obj({"id": {"anyOf": [INT_ID, array(INT_ID, maxItems=1000)]}, "user_id": INT_ID}),
                    'ELLA\'s filter: {"id": [1, 2]} or {"user_id": 3}',
                ),
                *PAGING,
            ],
            response=array(_ATTACHMENT),
            paged=True,
        )
    },
    "/attachments/analyses/{analysis_id}/{index}/": {"get": _ANALYSIS_FILE},
}
