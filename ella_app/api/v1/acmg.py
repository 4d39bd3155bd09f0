"""``/api/v1/acmg/``: suggested ACMG criteria per allele and the suggested class of a set of criteria.

The rule file and the ``acmg`` part of ella_config.yml are checked when the blueprint is registered, so a bad
one stops the API from starting with the rule and key named.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

from ella_app.api.auth import login_required
from ella_app.api.db import db
from ella_app.api.openapi import INT_ID, SHORT, array, obj, op, query_param
from ella_app.api.v1 import params
from ella_app.errors import InputError
from ella_app.services import acmg

bp = Blueprint("acmg", __name__)


@bp.record_once
def _check_at_start(state: BlueprintSetupState) -> None:
    acmg.check_app_config(state.app.config["ELLA_SETTINGS"].config)


@bp.post("/acmg/alleles/")
@login_required
def suggested_criteria() -> Any:
    # the app-wide guard has parsed the body and checked its text, numbers and depth (api/validation.py)
    parsed = acmg.parse_request(request.get_json(silent=True))
    return params.json_response(acmg.suggest(db(), params.app_config(), params.user(), parsed, acmg.default_rules()))


@bp.get("/acmg/classifications/")
@login_required
def suggested_classification() -> Any:
    values = request.args.getlist("codes")
    if sum(len(v) for v in values) > 2000:
        raise InputError("at most 2000 characters", key="codes")
    return params.json_response(acmg.suggested_class(values).as_dict())


@bp.get("/acmg/criteria/")
@login_required
def criteria_texts() -> Any:
    return params.json_response(acmg.criteria_texts())


_ID_OR_STRING = {"anyOf": [INT_ID, {"type": "string", "pattern": "^[0-9]{1,10}$"}]}
_CODE = obj(
    {
        "code": {"type": "string"},
        "source": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "op": {"type": "string"},
        "value": {},
        "match": {"type": "array"},
    },
    ("code", "source", "op", "value", "match"),
)
_REQUEST = obj(
    {
        "allele_ids": array(_ID_OR_STRING, maxItems=acmg.suggestions.MAX_ALLELES),
        "gp_name": SHORT,
        "gp_version": SHORT,
        "referenceassessments": array(
            obj(
                {"allele_id": _ID_OR_STRING, "reference_id": _ID_OR_STRING, "evaluation": {"type": "object"}},
                ("allele_id", "reference_id", "evaluation"),
            ),
            maxItems=acmg.suggestions.MAX_REFERENCE_ASSESSMENTS,
        ),
    },
    ("allele_ids", "gp_name", "gp_version"),
    extra=False,
)
_SUGGESTIONS = op(
    "Suggested ACMG criteria (REQ codes included) of alleles in a gene panel",
    "acmg",
    response={"type": "object", "additionalProperties": obj({"codes": array(_CODE)}, ("codes",))},
    description="ELLA's rule engine on each allele's annotation, the panel's inheritance and the group's acmg "
    "config, plus the reference assessments sent along. Answers {allele id: {codes: [{code, source, op, value, "
    "match}]}}: source is the annotation path (null for rules on other codes), value what the rule asks for, "
    "match the data (or codes) that satisfied it. Up to 1000 alleles; all of them and the panel must be "
    "visible to the caller (else 404).",
)
_SUGGESTIONS["requestBody"] = {"required": True, "content": {"application/json": {"schema": _REQUEST}}}

PATHS = {
    "/acmg/alleles/": {"post": _SUGGESTIONS},
    "/acmg/criteria/": {
        "get": op(
            "Texts of the ACMG criteria, REQ codes and OTHER (for the classification panel)",
            "acmg",
            response={
                "type": "object",
                "additionalProperties": obj(
                    {
                        "short_criteria": {"type": "string"},
                        "criteria": {"type": "string"},
                        "sources": array({"type": "string"}),
                    },
                    ("short_criteria", "criteria"),
                ),
            },
            description="{code: {short_criteria, criteria, sources?}}: a short and a full description of "
            "every criterion, REQ code and OTHER; for a REQ code the criteria it is a requirement of (sources).",
        )
    },
    "/acmg/classifications/": {
        "get": op(
            "Suggested class of a set of ACMG criteria",
            "acmg",
            params=[
                query_param(
                    "codes", "string", "comma-separated criteria, e.g. PVS1,PMxPS3,PPxPM2 (strength as in ELLA)"
                )
            ],
            response=obj(
                {
                    "class": {"type": "integer", "minimum": 1, "maximum": 5},
                    "classification": {"type": "string"},
                    "message": {"type": "string"},
                    "contributors": array({"type": "string"}),
                    "meta": {"type": "object"},
                },
                ("class", "classification", "message", "contributors", "meta"),
            ),
            description="ELLA's combination rules (Richards et al. 2015, with ELLA's PVS+PP = likely pathogenic). "
            "Each criterion counts once at its strongest; not weighted (PNWx/BNWx) and OTHER do not count.",
        )
    },
}
