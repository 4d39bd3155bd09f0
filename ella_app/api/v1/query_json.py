"""JSON in the query string (``?q={"type": "alleles", ...}``, as ELLA's client sends it): decoded here, its
meaning checked by the service."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ella_app.api.v1 import params
from ella_app.errors import InputError

MAX_LENGTH = 10_000
MAX_LISTED = 1000  # ids a filter may list (services/list_filter.MAX_VALUES)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def json_arg(name: str = "q", *, required: bool = True) -> Any:
    """The decoded JSON of query parameter ``name``; InputError naming it when missing or not JSON."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        if required:
            raise InputError("is required (a JSON object)", key=name)
        return None
    if len(raw) > MAX_LENGTH:
        raise InputError(f"must be at most {MAX_LENGTH} characters", key=name)
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        raise InputError("is nested too deeply", key=name) from None
    except ValueError as exc:
        raise InputError(f"is not valid JSON ({str(exc)[:100]})", key=name) from None


def list_paging(listed: list[int] | None) -> tuple[int, int]:
    """``page`` and ``per_page`` of a list endpoint. When the filter names the ids it wants and ``per_page`` is
    not given, they all come on one page (ELLA's client asks for attachments and annotations so)."""
    page = params.int_arg("page", 1, maximum=1_000_000)
    default = min(max(len(listed), 1), MAX_LISTED) if listed is not None else 20
    per_page = params.int_arg("per_page", default, maximum=params.MAX_PER_PAGE)
    assert page is not None and per_page is not None
    return page, per_page


def json_body() -> Any:
    """The decoded JSON body (None when it is not JSON: the service names what it needs)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise InputError("the JSON body is nested too deeply") from None


def json_query_param(name: str, schema: dict[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    """The OpenAPI description of a query parameter holding JSON: a string (so the request guards and the fuzz
    run treat it as text) whose decoded content follows ``schema`` (JSON Schema's contentMediaType/contentSchema).
    """
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {
            "type": "string",
            "maxLength": MAX_LENGTH,
            "contentMediaType": "application/json",
            "contentSchema": schema,
        },
    }
