"""Small helpers shared by the filter modules: reading a config value of the expected type."""

from __future__ import annotations

from typing import Any

from ella_app.errors import EllaError


class FilterConfigError(EllaError):
    """A filter configuration in the database cannot be applied (a key of the wrong type, a bad regex)."""

    http_status = 422


def number(config: dict[str, Any], key: str, filter_name: str, default: float | None = None) -> float | None:
    value = config.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FilterConfigError(f"filter '{filter_name}': '{key}' must be a number, not {value!r}")
    return float(value)


def str_list(config: dict[str, Any], key: str, filter_name: str) -> list[str]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FilterConfigError(f"filter '{filter_name}': '{key}' must be a list of strings")
    return value


def int_list(config: dict[str, Any], key: str, filter_name: str) -> list[int]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise FilterConfigError(f"filter '{filter_name}': '{key}' must be a list of integers")
    return value


def interval(config: dict[str, Any], key: str, filter_name: str) -> tuple[int, int]:
    value = config.get(key, [0, 0])
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise FilterConfigError(f"filter '{filter_name}': '{key}' must be two integers [upstream, downstream]")
    return value[0], value[1]
