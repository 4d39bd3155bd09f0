"""ELLA's ``q=`` filter of list endpoints (``?q={"id": [1, 2], "allele_id": 5}``): per key a value (equal), a
list (one of; an empty list matches nothing, as in ELLA) or null (no value). Only the keys a list declares are
accepted; anything else is an InputError naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, false

from ella_app.errors import InputError
from ella_app.services.access import valid_id

MAX_VALUES = 1000
INT = "int"  # an id
TEXT = "text"
NULLABLE = "nullable"  # only null (e.g. date_superceeded: null for the current rows)


def _value(key: str, kind: str, value: Any) -> Any:
    if kind == INT:
        if isinstance(value, bool) or not isinstance(value, int) or not valid_id(value):
            raise InputError("must be an id (a positive integer) or a list of ids", key=f"q.{key}")
        return value
    if kind == TEXT:
        if not isinstance(value, str) or len(value) > 1000 or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise InputError("must be a string without control characters, or a list of them", key=f"q.{key}")
        return value
    raise InputError("can only be null", key=f"q.{key}")


def conditions(raw: Any, fields: Mapping[str, tuple[Any, str]]) -> list[ColumnElement[bool]]:
    """The SQL conditions of the decoded ``q`` (None: no filter) over ``fields`` (key → (column, kind))."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise InputError(f"must be a JSON object with keys among {', '.join(sorted(fields))}", key="q")
    result: list[ColumnElement[bool]] = []
    for key, value in raw.items():
        if key not in fields:
            raise InputError(f"cannot filter on this; use {', '.join(sorted(fields))}", key=f"q.{key}")
        column, kind = fields[key]
        if value is None:
            result.append(column.is_(None))
        elif isinstance(value, list):
            if len(value) > MAX_VALUES:
                raise InputError(f"at most {MAX_VALUES} values", key=f"q.{key}")
            values = [_value(key, kind, v) for v in value]
            result.append(column.in_(values) if values else false())
        else:
            result.append(column == _value(key, kind, value))
    return result


def listed_ids(raw: Any, key: str = "id") -> list[int] | None:
    """The ids a ``q`` asks for by ``key`` (a list or one id), None when it does not."""
    if isinstance(raw, dict) and isinstance(raw.get(key), list | int) and not isinstance(raw.get(key), bool):
        value = raw[key]
        return [v for v in value if isinstance(v, int)] if isinstance(value, list) else [value]
    return None
