"""The OpenAPI 3.1 description of /api/v1, served at ``GET /api/v1/openapi.json``.

Request bodies are validated against the same schemas (``components/schemas``) by
``ella_app.api.validation.body``, so the description and the checks cannot drift apart. Each blueprint module
declares its own ``PATHS``; :func:`build_spec` collects them. Paths are relative to the ``/api/v1`` server.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from ella_app import __version__

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


INT_ID: Schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
TEXT: Schema = {"type": "string", "maxLength": 100_000}
SHORT: Schema = {"type": "string", "maxLength": 1000}
OBJECT: Schema = {"type": "object"}
DATE: Schema = _nullable({"type": "string"})


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), *, extra: bool = True, **more: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if not extra:
        schema["additionalProperties"] = False
    schema.update(more)
    return schema


def array(items: Schema, **more: Any) -> Schema:
    return {"type": "array", "items": items, **more}


# ------------------------------------------------------------------------------------------ request bodies

_STATE: Schema = obj(
    {
        "manuallyAddedAlleles": array(INT_ID, maxItems=10_000),
        "filterconfig_id": INT_ID,
        "allele": {"type": "object", "additionalProperties": OBJECT},
    },
    description="Free-form interpretation state of the web UI. Known keys: manuallyAddedAlleles (filtered "
    "variants re-included by the user), filterconfig_id (the chosen filter config), allele.<id>.analysis."
    "{verification: technical|verified, notrelevant: bool} used by the finalize requirements.",
)

_USERNAME: Schema = {"type": "string", "minLength": 1, "maxLength": 200}
_PASSWORD: Schema = {"type": "string", "maxLength": 1000}

REQUESTS: dict[str, Schema] = {
    "Login": obj({"username": _USERNAME, "password": _PASSWORD}, ("username", "password"), extra=False),
    "ChangePassword": obj(
        {"username": _USERNAME, "password": _PASSWORD, "new_password": _PASSWORD},
        ("username", "password", "new_password"),
        extra=False,
        description="Change a password with the current one (also an expired or one-time password).",
    ),
    "StatePatch": obj(
        {"state": _STATE, "user_state": OBJECT},
        extra=False,
        minProperties=1,
        description="Save the state of an Ongoing interpretation (owner only).",
    ),
    "WorkflowAction": obj(
        {"filterconfig_id": INT_ID},
        extra=False,
        description="Optional body of start/mark*/finalize/reopen/override: the filter config whose result is "
        "recorded in the snapshot (default: the one of the state, else the group's default).",
    ),
    "AlleleWorkflowStart": obj(
        {"gp_name": SHORT, "gp_version": SHORT, "filterconfig_id": INT_ID},
        extra=False,
        description="Starting a variant workflow round: the gene panel to interpret the variant in.",
    ),
    "FinalizeAllele": obj(
        {
            "allele_id": INT_ID,
            "annotation_id": INT_ID,
            "alleleassessment": obj(
                {
                    "classification": SHORT,
                    "evaluation": obj(
                        {
                            "acmg": obj(
                                {
                                    "included": array(
                                        obj(
                                            {
                                                "code": {"type": "string", "maxLength": 20},
                                                "strength": {"type": "string", "maxLength": 5},
                                                "comment": TEXT,
                                            },
                                            ("code",),
                                        ),
                                        maxItems=100,
                                    )
                                }
                            ),
                            "classification": obj({"comment": TEXT}),
                        }
                    ),
                    "reuse": {"type": "boolean"},
                    "presented_alleleassessment_id": _nullable(INT_ID),
                    "attachment_ids": array(INT_ID, maxItems=100, description="attachments/upload/ ids to link"),
                },
                extra=False,
            ),
            "allelereport": obj(
                {
                    "evaluation": obj({"comment": TEXT}),
                    "reuse": {"type": "boolean"},
                    "presented_allelereport_id": _nullable(INT_ID),
                },
                extra=False,
            ),
            "referenceassessments": array(
                obj({"reference_id": INT_ID, "evaluation": OBJECT}, ("reference_id", "evaluation"), extra=False),
                maxItems=500,
            ),
        },
        ("allele_id", "annotation_id", "alleleassessment"),
        extra=False,
        description="Classify a variant of the interpretation: a new allele assessment (class from "
        "classification.options, ACMG criteria with strength, comments) and report, superseding the current "
        "ones. annotation_id is the variant's current annotation the classification was made on (409 if it "
        "has been superseded). presented_* name the assessment/report the user saw (null for none): 409 if it "
        "changed since.",
    ),
    "UiException": obj(
        {
            "message": {"type": "string", "minLength": 1, "maxLength": 10_000},
            "location": {"type": "string", "maxLength": 2000},
            "stacktrace": {"type": "string", "maxLength": 50_000},
            "state": {"type": "object"},
        },
        ("message",),
        extra=False,
        description="An error the web UI caught: its message, the page (location), the stack trace and a "
        "little of the UI's state.",
    ),
    "ReferenceCreate": obj(
        {
            "pubmed_id": INT_ID,
            "title": SHORT,
            "authors": SHORT,
            "journal": SHORT,
            "abstract": TEXT,
            "year": {"type": "string", "maxLength": 20},
            "published": {"type": "boolean"},
        },
        ("title",),
        extra=False,
    ),
    "LogCreate": obj(
        {
            "message": TEXT,
            "priority": {"type": "integer", "minimum": 1, "maximum": 3},
            "review_comment": SHORT,
            "warning_cleared": {"type": "boolean"},
        },
        extra=False,
        minProperties=1,
    ),
    "LogPatch": obj({"message": TEXT}, ("message",), extra=False, description="The new message of a work log entry."),
    "ReferenceAssessmentCreate": obj(
        {
            "allele_id": INT_ID,
            "reference_id": INT_ID,
            "evaluation": OBJECT,
            "genepanel_name": SHORT,
            "genepanel_version": SHORT,
            "analysis_id": _nullable(INT_ID),
            "user_id": INT_ID,
        },
        ("allele_id", "reference_id", "evaluation"),
        extra=False,
        description="Assess a reference for a variant (ELLA's POST referenceassessments/): in one of the caller's "
        "gene panels (genepanel_name/genepanel_version) or in an analysis of theirs with the variant (its panel). "
        "Supersedes the current assessment of the reference; user_id, when given, must be the caller's.",
    ),
}

# ------------------------------------------------------------------------------------------ responses

_USER = _nullable(obj({"id": INT_ID, "username": {"type": "string"}}))
_PANEL = obj({"name": {"type": "string"}, "version": {"type": "string"}}, ("name", "version"))


# What every answer about a user shows of them (services/user_views._person): ``User`` and ``LogUser`` add to it.
_PERSON: dict[str, Schema] = {
    "id": INT_ID,
    "username": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "full_name": {"type": "string"},
    "abbrev_name": {"type": "string"},
    "active": {"type": "boolean"},
}

RESPONSES: dict[str, Schema] = {
    "Error": obj(
        {"code": {"type": "integer"}, "error": {"type": "string"}, "message": {"type": "string"}},
        ("code", "error", "message"),
    ),
    "Interpretation": obj(
        {
            "id": INT_ID,
            "status": {"enum": ["Not started", "Ongoing", "Done"]},
            "workflow_status": {"type": "string"},
            "finalized": _nullable({"type": "boolean"}),
            "genepanel": _PANEL,
            "user": _USER,
            "state": OBJECT,
            "user_state": OBJECT,
        },
        ("id", "status", "workflow_status"),
    ),
    "Analysis": obj(
        {
            "id": INT_ID,
            "name": {"type": "string"},
            "genepanel": _PANEL,
            "priority": {"type": "integer"},
            "review_comment": _nullable({"type": "string"}),
            "warnings": _nullable({"type": "string"}),
            "samples": array(OBJECT),
            "interpretations": array(ref("Interpretation")),
        },
        ("id", "name", "genepanel", "priority", "samples", "interpretations"),
    ),
    "AnalysisList": array(ref("Analysis")),
    "AnalysesOverview": obj(
        {
            name: array(ref("Analysis"))
            for name in (
                "not_ready",
                "not_started",
                "marked_review",
                "marked_medicalreview",
                "ongoing_user",
                "ongoing_others",
            )
        }
    ),
    "AlleleSummary": obj(
        {
            "id": INT_ID,
            "chromosome": {"type": "string"},
            "vcf_pos": {"type": "integer"},
            "genes": array(OBJECT),
            "transcripts": array(OBJECT),
            "classification": _nullable(OBJECT),
        },
        ("id", "chromosome", "vcf_pos"),
    ),
    "AlleleOverviewItem": obj(
        {
            "allele": ref("AlleleSummary"),
            "genepanel": _PANEL,
            "priority": {"type": "integer"},
            "interpretations": array(ref("Interpretation")),
        }
    ),
    "AllelesOverview": obj(
        {
            name: array(ref("AlleleOverviewItem"))
            for name in ("not_started", "marked_review", "ongoing_user", "ongoing_others")
        }
    ),
    "AlleleDetail": obj({"id": INT_ID, "annotation": OBJECT, "samples": array(OBJECT)}, ("id",)),
    "GenePanel": obj({"name": {"type": "string"}, "version": {"type": "string"}}, ("name", "version")),
    "FilterConfigChoice": obj(
        {
            "id": INT_ID,
            "name": {"type": "string"},
            "filters": array({"type": "string"}),
            "unsupported_filters": array({"type": "string"}),
            "default": {"type": "boolean"},
        }
    ),
    "FilterResult": obj(
        {
            "filterconfig": _nullable(obj({"id": INT_ID, "name": {"type": "string"}})),
            "allele_ids": array(INT_ID),
            "excluded_allele_ids": {"type": "object", "additionalProperties": array(INT_ID)},
            "manually_added_allele_ids": array(INT_ID),
            "unsupported_filters": array({"type": "string"}),
        }
    ),
    "AlleleAssessment": obj({"id": INT_ID, "allele_id": INT_ID, "classification": {"type": "string"}}),
    "Reference": obj({"id": INT_ID, "pubmed_id": _nullable(INT_ID), "title": _nullable({"type": "string"})}),
    "Broadcast": obj({"id": INT_ID, "message": {"type": "string"}}),
    "Track": obj({"id": {"type": "string"}, "igv": OBJECT, "show": {"type": "boolean"}}),
    "LogEntry": obj(
        {
            "id": INT_ID,
            "user_id": _nullable(INT_ID),
            "date_created": DATE,
            "message": _nullable({"type": "string"}),
            "priority": _nullable({"type": "integer"}),
            "review_comment": _nullable({"type": "string"}),
            "warning_cleared": _nullable({"type": "boolean"}),
            "editable": {"type": "boolean"},
            "alleleassessment": obj(
                {
                    "allele_id": INT_ID,
                    "hgvsc": array({"type": "string"}),
                    "classification": {"type": "string"},
                    "previous_classification": _nullable({"type": "string"}),
                },
                description="Only on an entry of a classification: the variant (names on the transcripts of the "
                "latest round's gene panel, else chr:pos ref>alt), the new and the previous class",
            ),
            "allelereport": obj(
                {"allele_id": INT_ID, "hgvsc": array({"type": "string"})},
                description="Only on an entry of a changed variant report",
            ),
        },
        ("id", "editable"),
    ),
    "WorkLog": obj(
        {"logs": array(ref("LogEntry")), "users": array(ref("LogUser"))},
        ("logs", "users"),
        description="ELLA's work log: the entries oldest first, and their authors",
    ),
    "LogUser": obj(
        {**_PERSON, "user_group_name": {"type": "string"}},
        ("id", "username", "user_group_name"),
    ),
    "Snapshot": obj(
        {
            "id": INT_ID,
            "allele_id": INT_ID,
            "annotation_id": _nullable(INT_ID),
            "customannotation_id": _nullable(INT_ID),
            "alleleassessment_id": _nullable(INT_ID),
            "allelereport_id": _nullable(INT_ID),
            "referenceassessment_ids": array(
                INT_ID, description="the reference assessments the recorded classification was made with"
            ),
            "date_created": DATE,
        },
        ("id", "allele_id"),
    ),
    "AlleleGenePanel": obj(
        {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "transcripts": array(OBJECT),
            "inheritances": array(OBJECT),
            "phenotypes": array(OBJECT),
            "geneassessments": array(OBJECT),
        },
        ("name", "version", "transcripts", "inheritances", "phenotypes", "geneassessments"),
    ),
    "User": obj(
        {**_PERSON, "email": _nullable({"type": "string"}), "group": OBJECT},
        ("id", "username"),
    ),
}

SCHEMAS: dict[str, Schema] = {**REQUESTS, **RESPONSES}


# ------------------------------------------------------------------------------------------ operations


def path_param(name: str, kind: str = "integer", description: str | None = None) -> Schema:
    schema: Schema = INT_ID if kind == "integer" else {"type": "string", "minLength": 1, "maxLength": 200}
    param: Schema = {"name": name, "in": "path", "required": True, "schema": schema}
    if description:
        param["description"] = description
    return param


def ID(name: str) -> Schema:
    return path_param(name)


def query_param(name: str, kind: str, description: str = "", *, required: bool = False) -> Schema:
    schemas: dict[str, Schema] = {
        "string": {"type": "string", "maxLength": 200},
        "integer": INT_ID,
        "boolean": {"type": "boolean"},
        "ids": {"type": "string", "pattern": r"^[0-9]+(,[0-9]+)*$", "description": "comma-separated ids"},
    }
    return {"name": name, "in": "query", "required": required, "schema": schemas[kind], "description": description}


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
]
_PAGE_HEADERS = {
    name: {"schema": {"type": "string"}, "description": text}
    for name, text in (
        ("Total-Count", "number of items in all pages"),
        ("Total-Pages", "number of pages"),
        ("Page", "this page"),
        ("Per-Page", "items per page"),
    )
}
_ERRORS = {
    code: {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
    for code, text in (
        ("403", "not logged in, or missing CSRF token"),
        ("404", "not found, or outside the caller's gene panels"),
        ("409", "conflicts with the state of the workflow or a concurrent change"),
        ("422", "invalid parameters or body"),
    )
}


def op(
    summary: str,
    tag: str,
    *,
    params: list[Schema] | None = None,
    body: str | None = None,
    body_optional: bool = False,
    response: Schema | None = None,
    status: str = "200",
    paged: bool = False,
    public: bool = False,
    content_type: str = "application/json",
    description: str | None = None,
) -> Schema:
    ok: Schema = {"description": "success"}
    if response is not None:
        ok["content"] = {content_type: {"schema": response}}
    if paged:
        ok["headers"] = _PAGE_HEADERS
    operation: Schema = {"summary": summary, "tags": [tag], "responses": {status: ok, **_ERRORS}}
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {
            "required": not body_optional,
            "content": {"application/json": {"schema": ref(body)}},
        }
    if public:
        operation["security"] = []
    return operation


def build_spec() -> dict[str, Any]:
    from ella_app.api.v1 import resource_modules

    paths: dict[str, Any] = {}
    for module in resource_modules():
        for path, operations in getattr(module, "PATHS", {}).items():  # several modules may serve one path
            paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ella_app API",
            "version": __version__,
            "description": "ELLA-compatible variant interpretation API. Log in with POST "
            "/users/actions/login/; the session is the AuthenticationToken cookie. State-changing requests "
            "must send the csrf_token cookie's value in the X-CSRF-Token header. Errors are JSON "
            "{code, error, message}.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "AuthenticationToken"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "security": [{"session": []}],
        "paths": paths,
    }


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return build_spec()
