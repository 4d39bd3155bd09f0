"""Request bodies: JSON objects with the expected keys and types, or a 4xx naming the key."""

from __future__ import annotations

from typing import Any

from flask import request

from ella_app.errors import InputError


def json_object(required: dict[str, type], optional: dict[str, type] | None = None) -> dict[str, Any]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise InputError("the request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object")
    allowed = {**required, **(optional or {})}
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise InputError(f"unknown key(s): {', '.join(unknown)}", key=unknown[0])
    for key, kind in allowed.items():
        if key not in body:
            if key in required:
                raise InputError("is required", key=key)
            continue
        if not isinstance(body[key], kind) or (kind is int and isinstance(body[key], bool)):
            raise InputError(f"must be of type {kind.__name__}", key=key)
    return body
