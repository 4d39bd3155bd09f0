"""What every /api/v1 blueprint of the workflow API shares: the caller, query parameters, JSON bodies checked
against the OpenAPI schemas, paging headers, and the guards that keep bad input a 4xx.

Bad input never reaches PostgreSQL as a value it rejects: control characters anywhere in a request are
refused by the app-wide guard (``ella_app.api.validation``), ids outside the ``integer`` range here with
422/404. The error handlers of ``api/db.py`` turn what slips through (a value PostgreSQL still rejects, a
unique index hit by a concurrent request) into 422/409 instead of a 500.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import orjson
from flask import Response, current_app, g, request

from ella_app.api import validation
from ella_app.errors import InputError
from ella_app.services.access import MAX_ID
from ella_app.services.current_user import CurrentUser

MAX_PER_PAGE = 50
MAX_LIST = 10_000  # ids in one query parameter


def app_config() -> dict[str, Any]:
    """The validated ``ella_config.yml``."""
    config: dict[str, Any] = current_app.config["ELLA_SETTINGS"].config
    return config


def user() -> CurrentUser:
    """The logged-in user (views are wrapped in ``login_required``)."""
    current: CurrentUser = g.user
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
    return paged_json(orjson.dumps(list(items), option=orjson.OPT_NON_STR_KEYS), total, page, per_page)


def paged_json(body: bytes, total: int, page: int, per_page: int) -> Response:
    """A JSON list already serialized, with ELLA's paging headers."""
    response = Response(body, mimetype="application/json")
    response.headers["Total-Count"] = str(total)
    response.headers["Total-Pages"] = str(max(1, math.ceil(total / per_page)))
    response.headers["Page"] = str(page)
    response.headers["Per-Page"] = str(per_page)
    return response


# ------------------------------------------------------------------------------------------ bodies


# One validation path: the guards of every request and the schema check of bodies live in api/validation.py.
body = validation.body
