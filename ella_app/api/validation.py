"""The one validation path of every /api/v1 request.

:func:`guard_request` runs before every view (installed app-wide by the app factory): text in the path, the
query string and a JSON body must not contain NUL or other control characters (TAB, LF and CR are ordinary
text), JSON strings must be encodable as UTF-8 (no lone surrogates), numbers finite and within 64 bits, and
nesting at most :data:`MAX_DEPTH` levels. A violation is a 422 naming the field, so such values never reach
PostgreSQL (which refuses NUL with an error that used to be a 500).

:func:`body` then checks a JSON object body against ``components/schemas/<name>`` of the OpenAPI description
(``ella_app.api.openapi``), so the description and the checks cannot drift apart.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from flask import g, request
from jsonschema import Draft202012Validator

from ella_app.api.openapi import SCHEMAS
from ella_app.errors import InputError

MAX_DEPTH = 64
# C0 controls except TAB, LF, CR; and DEL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_MESSAGE = "must not contain NUL or control characters"


def _clean_name(name: str) -> str:
    return _CONTROL.sub("", name)[:100]


def check_text(value: str, key: str | None) -> None:
    if _CONTROL.search(value):
        raise InputError(_CONTROL_MESSAGE, key=key)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("must be Unicode text (a lone surrogate cannot be stored)", key=key) from None


def check_values(data: Any) -> None:
    """Every string and key of a JSON value: text only; numbers finite and within 64 bits; bounded nesting."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", key=path or None)
        if isinstance(value, str):
            check_text(value, path or None)
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
                if _CONTROL.search(key) or not _encodable(key):
                    raise InputError(f"keys {_CONTROL_MESSAGE}", key=_clean_name(path) or None)
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise InputError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None


def guard_request() -> None:
    """Before every view: the path, the query string and a JSON body hold text only (see the module doc)."""
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check_text(value, key)
    for key, value in request.args.items(multi=True):
        if _CONTROL.search(key):
            raise InputError(f"query parameter names {_CONTROL_MESSAGE}", key=_clean_name(key) or None)
        check_text(value, key)
    if request.is_json and request.content_length != 0:
        check_values(_json_body())
        g.body_checked = True


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": SCHEMAS}}
    return Draft202012Validator(root)


def body(schema_name: str, *, optional: bool = False) -> dict[str, Any]:
    """The JSON object body, validated against ``components/schemas/<schema_name>`` of the OpenAPI description.

    ``optional``: an empty body counts as ``{}`` (actions that take no parameters).
    """
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        data: Any = {}
    else:
        data = _json_body()
        if not isinstance(data, dict):
            raise InputError("the request body must be a JSON object")
    if not g.get("body_checked"):
        check_values(data)
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        key = ".".join(str(p) for p in first.absolute_path) or None
        raise InputError(_short(first.message), key=key)
    return data


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."
