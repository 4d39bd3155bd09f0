"""``/api/v1/import/service/*``: annotation jobs at ELLA's URLs (the IMPORT page), and ``annotationconfigs/``.

    GET    import/service/jobs/          the caller's group's jobs, newest first (``q={"status": [...]}``, paged)
    POST   import/service/jobs/          order a job (pasted variants or a sample of the sample repository);
                                         ``?validate_only=true`` checks it without storing (the page checks
                                         every block of a batch before it orders any)
    GET    import/service/jobs/<id>/     one job, with its history
    PATCH  import/service/jobs/<id>/     retry a failed or cancelled job (``{"status": "SUBMITTED"}``, with
                                         corrected ``data`` if need be) or cancel it (``{"status": "CANCELLED"}``)
    DELETE import/service/jobs/<id>/     cancel (the job is kept, CANCELLED, with its history)
    GET    import/service/running/       is the annotation service up (public, as in ELLA)
    GET    import/service/samples/       search the service's sample repository (``term``, ``limit``)
    GET    import/service/importgroups/  the groups the caller's group imports for (custom panels are shared with them)
    POST   genepanels/                   a custom (unofficial) gene panel for a reanalysis
    GET    genepanels/<n>/<v>/stats/     the group's official panels most like this one (ELLA's custom panel editor)
    GET    annotationconfigs/            annotation configs by id (``annotation_config_ids=1,2``)

Thin: parse, call ``services/annotation_jobs.py``, serialize.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import (
    ID,
    INT_ID,
    OBJECT,
    PAGING,
    SCHEMAS,
    SHORT,
    array,
    obj,
    op,
    path_param,
    query_param,
    ref,
)
from ella_app.api.v1 import params
from ella_app.services import annotation_jobs, annotation_jobs_genepanels
from ella_app.services.annotation_client import AnnotationClient
from ella_app.services.annotation_configs_view import configs_by_id

bp = Blueprint("import_jobs", __name__)

_NULLABLE_TEXT = {"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]}
_SCHEMAS: dict[str, Any] = {
    "AnnotationJobCreate": obj(
        {
            "mode": {"enum": [*annotation_jobs.MODES, None]},
            "data": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "Pasted variants: VCF lines, genomic positions (13:32890607 G>T, 13-32890607-G-T) or "
                "HGVS names, each optionally followed by (het)/(hom); a '-name' line names the analysis.",
            },
            "sample_id": _NULLABLE_TEXT,
            "genepanel_name": _NULLABLE_TEXT,
            "genepanel_version": _NULLABLE_TEXT,
            "user_id": {"type": ["integer", "null"], "description": "ignored: the job is the caller's"},
            "properties": obj(
                {
                    "analysis_name": SHORT,
                    "create_or_append": {"enum": ["Create", "Append"]},
                    "sample_type": {"enum": list(annotation_jobs.TECHNOLOGIES)},
                    "priority": {"type": "integer", "minimum": 1, "maximum": 3},
                },
                extra=False,
            ),
        },
        extra=False,
        description="An annotation job: pasted variants (data) or a sample of the sample repository (sample_id).",
    ),
    "AnnotationJobPatch": obj(
        {
            "status": {"enum": ["SUBMITTED", "CANCELLED"]},
            "data": {"type": "string"},
            "message": {"type": ["string", "null"], "maxLength": 1000},
        },
        ("status",),
        extra=False,
        description="Retry a failed or cancelled job (SUBMITTED, optionally with corrected data) or cancel it.",
    ),
    "GenePanelCreate": obj(
        {
            "name": SHORT,
            "version": SHORT,
            "base": obj({"name": SHORT, "version": SHORT}, ("name", "version"), extra=False),
            "genes": array(
                obj(
                    {
                        "hgnc_id": INT_ID,
                        "inheritance": SHORT,
                        "transcripts": array(
                            obj({"id": INT_ID, "transcript_name": SHORT}, extra=False, minProperties=1),
                            maxItems=1000,
                        ),
                        "phenotypes": array(obj({"id": INT_ID}, ("id",)), maxItems=1000),
                    },
                    ("hgnc_id", "transcripts"),
                ),
                maxItems=25_000,
            ),
            "usergroups": array(SHORT, maxItems=1000),
        },
        ("name", "version", "genes", "usergroups"),
        extra=False,
        description="A custom (unofficial) gene panel: genes with their transcripts (by id or name), shared with "
        "user groups among the caller's group's import_groups; phenotypes as given, else the base panel's.",
    ),
    "AnnotationJob": obj(
        {
            "id": {"type": ["integer", "null"]},
            "status": {"enum": list(annotation_jobs.STATUSES)},
            "mode": {"type": ["string", "null"]},
            "message": {"type": "string"},
            "status_history": {"type": "object"},
            "genepanel_name": {"type": ["string", "null"]},
            "genepanel_version": {"type": ["string", "null"]},
            "analysis_id": {"type": ["integer", "null"]},
        },
        ("id", "status"),
    ),
}
for _name, _schema in _SCHEMAS.items():  # one place for the schemas: the description and the body checks
    assert SCHEMAS.setdefault(_name, _schema) is _schema or SCHEMAS[_name] == _schema, _name


def _client(timeout: float = 10) -> AnnotationClient:
    url = params.app_config()["app"].get("annotation_service") or "http://localhost:6000"
    return AnnotationClient(str(url), timeout=timeout)


@bp.get("/import/service/jobs/")
@login_required
def list_jobs() -> Any:
    statuses = annotation_jobs.parse_status_filter(params.str_arg("q", max_length=2000))
    page, per_page = params.paging()
    items, total = annotation_jobs.list_jobs(db(), params.user(), statuses, page, per_page)
    return params.paged(items, total, page, per_page)


@bp.post("/import/service/jobs/")
@login_required
def create_job() -> Any:
    dry_run = params.bool_arg("validate_only")
    job = annotation_jobs.create_job(db(), params.user(), params.body("AnnotationJobCreate"), store=not dry_run)
    if dry_run:
        db().rollback()
        return jsonify(job)
    db().commit()
    return jsonify(job)


@bp.get("/import/service/jobs/<int:job_id>/")
@login_required
def get_job(job_id: int) -> Any:
    return jsonify(annotation_jobs.get_job(db(), params.user(), job_id))


@bp.patch("/import/service/jobs/<int:job_id>/")
@login_required
def patch_job(job_id: int) -> Any:
    job = annotation_jobs.patch_job(db(), params.user(), job_id, params.body("AnnotationJobPatch"))
    db().commit()
    return jsonify(job)


@bp.delete("/import/service/jobs/<int:job_id>/")
@login_required
def cancel_job(job_id: int) -> Any:
    job = annotation_jobs.cancel_job(db(), params.user(), job_id)
    db().commit()
    return jsonify(job)


@bp.get("/import/service/running/")
def running() -> Any:
    return jsonify({"running": _client(timeout=3).running()})  # public: a hanging service must not hold workers


@bp.get("/import/service/samples/")
@login_required
def samples() -> Any:
    term = params.str_arg("term", "") or ""
    limit = params.int_arg("limit", 20, maximum=1000)
    return jsonify(_client().search_samples(term, limit))


@bp.post("/genepanels/")
@login_required
def create_genepanel() -> Any:
    panel = annotation_jobs_genepanels.create_custom_panel(db(), params.user(), params.body("GenePanelCreate"))
    db().commit()
    return jsonify(panel)


@bp.get("/genepanels/<name>/<version>/stats/")
@login_required
def genepanel_stats(name: str, version: str) -> Any:
    return jsonify(annotation_jobs_genepanels.panel_stats(db(), params.user(), name, version))


@bp.get("/import/service/importgroups/")
@login_required
def import_groups() -> Any:
    return jsonify(annotation_jobs_genepanels.import_group_names(db(), params.user()))


@bp.get("/annotationconfigs/")
@login_required
def annotationconfigs() -> Any:
    ids = params.id_list_arg("annotation_config_ids", required=True)
    return jsonify(configs_by_id(db(), ids))


_JOB_ID = ID("job_id")
PATHS = {
    "/import/service/jobs/": {
        "get": op(
            "The annotation jobs of the caller's gene panels, newest first (paged)",
            "import",
            params=[
                query_param("q", "string", 'JSON filter: {"status": ["RUNNING", "SUBMITTED"]}'),
                *PAGING,
            ],
            response=array(ref("AnnotationJob")),
            paged=True,
        ),
        "post": op(
            "Order an annotation job (pasted variants or a sample of the sample repository)",
            "import",
            params=[query_param("validate_only", "boolean", "check the job and answer it, without storing it")],
            body="AnnotationJobCreate",
            response=ref("AnnotationJob"),
            description="Bad variant lines, a gene panel outside the caller's group, an unknown analysis to append "
            "to: 422 naming the line or field, nothing stored. An analysis name that exists already: 409.",
        ),
    },
    "/import/service/jobs/{job_id}/": {
        "get": op("One annotation job with its history", "import", params=[_JOB_ID], response=ref("AnnotationJob")),
        "patch": op(
            "Retry (status SUBMITTED, optionally with corrected data) or cancel (status CANCELLED) a job",
            "import",
            params=[_JOB_ID],
            body="AnnotationJobPatch",
            response=ref("AnnotationJob"),
        ),
        "delete": op("Cancel a job that has not finished", "import", params=[_JOB_ID], response=ref("AnnotationJob")),
    },
    "/import/service/running/": {
        "get": op(
            "Whether the annotation service answers",
            "import",
            response=obj({"running": {"type": "boolean"}}),
            public=True,
        )
    },
    "/import/service/samples/": {
        "get": op(
            "Samples of the annotation service's sample repository whose name contains the term",
            "import",
            params=[
                query_param("term", "string", "part of the sample name"),
                query_param("limit", "integer", "at most this many (default 20)"),
            ],
            response=array(obj({"name": {"type": "string"}})),
        )
    },
    "/genepanels/": {
        "post": op(
            "Create a custom (unofficial) gene panel for the groups among the caller's import groups",
            "import",
            body="GenePanelCreate",
            response=obj({"name": {"type": "string"}, "version": {"type": "string"}}),
            description="A group outside the import groups, an unknown transcript or one listed under another "
            "gene: 422 naming the entry, nothing stored. An existing name and version: 409.",
        )
    },
    "/genepanels/{name}/{version}/stats/": {
        "get": op(
            "The official panels of the caller's group most similar to this one (gene counts relative to it)",
            "import",
            params=[path_param("name", "string"), path_param("version", "string")],
            response=obj({"overlap": array(OBJECT)}),
        )
    },
    "/import/service/importgroups/": {
        "get": op(
            "The user groups the caller's group imports for (ELLA's group.import_groups)",
            "import",
            response=array({"type": "string"}),
        )
    },
    "/annotationconfigs/": {
        "get": op(
            "Annotation configs by id (their view part, as the evidence sections use it)",
            "import",
            params=[query_param("annotation_config_ids", "ids", "comma-separated ids", required=True)],
            response=array(obj({"id": {"type": "integer"}, "view": {"type": "array"}})),
        )
    },
}
