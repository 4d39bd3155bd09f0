"""What every /api/v1 blueprint of the workflow API shares: the caller, query parameters, JSON bodies checked
against the OpenAPI schemas, paging headers, and the guards that keep bad input a 4xx.

Bad input never reaches PostgreSQL as a value it rejects: NUL characters (in the path, the query string or
a body), non-finite numbers and ids outside the ``integer`` range are refused here with 422/404. The error
handlers of ``api/db.py`` turn what slips through (a value PostgreSQL still rejects, a unique index hit by a
concurrent request) into 422/409 instead of a 500.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, g, request
from jsonschema import Draft202012Validator

from ella_app.api.openapi import SCHEMAS
from ella_app.errors import InputError
from ella_app.services.access import MAX_ID, User

MAX_PER_PAGE = 50
MAX_LIST = 10_000  # ids in one query parameter


def app_config() -> dict[str, Any]:
    """The validated ``ella_config.yml``."""
    config: dict[str, Any] = current_app.config["ELLA_SETTINGS"].config
    return config


def user() -> User:
    """The logged-in user (views are wrapped in ``login_required``)."""
    current: User = g.user
    return current


# ------------------------------------------------------------------------------------------ query string


def int_arg(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise InputError("must be an integer", key=name) from None
    if not minimum <= value <= maximum:
        raise InputError(f"must be between {minimum} and {maximum}", key=name)
    return value


def bool_arg(name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise InputError("must be true or false", key=name)


def str_arg(name: str, default: str | None = None, *, max_length: int = 200) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if len(raw) > max_length:
        raise InputError(f"must be at most {max_length} characters", key=name)
    return raw


def id_list_arg(name: str, *, required: bool = False) -> list[int]:
    """Comma-separated ids (``?allele_ids=1,2,3``); also accepts the parameter repeated."""
    values = [part for raw in request.args.getlist(name) for part in raw.split(",") if part.strip()]
    if not values:
        if required:
            raise InputError("is required (comma-separated ids)", key=name)
        return []
    if len(values) > MAX_LIST:
        raise InputError(f"at most {MAX_LIST} ids", key=name)
    ids = []
    for part in values:
        try:
            value = int(part.strip(), 10)
        except ValueError:
            raise InputError(f"'{part[:30]}' is not an id", key=name) from None
        if not 1 <= value <= MAX_ID:
            raise InputError(f"{value} is not a valid id", key=name)
        ids.append(value)
    return list(dict.fromkeys(ids))


def paging() -> tuple[int, int]:
    page = int_arg("page", 1, maximum=1_000_000)
    per_page = int_arg("per_page", 20, maximum=MAX_PER_PAGE)
    assert page is not None and per_page is not None
    return page, per_page


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as a JSON response (orjson: several times faster than json on the big lists)."""
    return Response(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), status=status, mimetype="application/json")


def paged(items: Sequence[Any], total: int, page: int, per_page: int) -> Response:
    """A JSON list with ELLA's paging headers."""
    response = json_response(list(items))
    response.headers["Total-Count"] = str(total)
    response.headers["Total-Pages"] = str(max(1, math.ceil(total / per_page)))
    response.headers["Page"] = str(page)
    response.headers["Per-Page"] = str(per_page)
    return response


# ------------------------------------------------------------------------------------------ bodies


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": SCHEMAS}}
    return Draft202012Validator(root)


MAX_DEPTH = 64


def _check_values(data: Any) -> None:
    """No NUL in strings, finite numbers within 64 bits, at most MAX_DEPTH levels of nesting."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", key=path or None)
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("must not contain NUL characters", key=path or None)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InputError("numbers must be finite", key=path or None)
        elif isinstance(value, int):
            if abs(value) > 2**63 - 1:
                raise InputError("number out of range", key=path or None)
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise InputError("keys must not contain NUL characters", key=path or None)
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value))


def body(schema_name: str, *, optional: bool = False) -> dict[str, Any]:
    """The JSON object body, validated against ``components/schemas/<schema_name>`` of the OpenAPI description.

    ``optional``: an empty body counts as ``{}`` (actions that take no parameters).
    """
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        data: Any = {}
    else:
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            raise InputError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
        if not isinstance(data, dict):
            raise InputError("the request body must be a JSON object")
    _check_values(data)
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        key = ".".join(str(p) for p in first.absolute_path) or None
        raise InputError(_short(first.message), key=key)
    return data


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


# ------------------------------------------------------------------------------------------ guards


def _reject_nul() -> None:
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise InputError("must not contain NUL characters", key=key)
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise InputError("query parameters must not contain NUL characters", key=key.replace("\x00", ""))


def install(bp: Blueprint) -> Blueprint:
    """Add the input guards to a blueprint (the database-error handlers are the app's: ``api/db.py``)."""
    bp.before_request(_reject_nul)
    return bp
