"""Reading JSON / JSON Lines fixture files with errors that name the file, line and key."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ella_app.errors import InputError, InputErrors


def load_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in ``ella_app/formats/schemas/``."""
    return json.loads(resources.files("ella_app.formats").joinpath("schemas", name).read_text())


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def read_json(path: str | Path) -> Any:
    """Parse a JSON file; a syntax error names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=str(path), line=exc.lineno) from None


def entry_line(text: str, index: int) -> int | None:
    """Best-effort line of the ``index``-th top-level element of a JSON array (for error messages)."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    for i in range(index + 1):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if i == index:
            return _line_of(text, pos)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
    return None


def validate_entries(path: str | Path, data: Any, schema: dict[str, Any]) -> None:
    """Validate ``data`` (usually a JSON array) against ``schema``; collect every error with line and key."""
    path = Path(path)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    problems = []
    for error in errors[:50]:
        parts = list(error.absolute_path)
        line = None
        key: str | None
        if parts and isinstance(parts[0], int) and text.lstrip().startswith("["):
            line = entry_line(text, parts[0])
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            key = ".".join(map(str, [*parts, extra[0]])) if extra else ".".join(map(str, parts))
            problem = f"unknown key(s): {', '.join(extra)}"
        elif error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            key = ".".join(map(str, [*parts, missing[0]])) if missing else ".".join(map(str, parts))
            problem = f"missing required key(s): {', '.join(missing)}"
        else:
            key = ".".join(map(str, parts)) or None
            problem = error.message
        problems.append(InputError(problem, source=str(path), line=line, key=key or None))
    if len(problems) == 1:
        raise problems[0]
    raise InputErrors(problems)


def read_json_lines(path: str | Path) -> list[tuple[int, Any]]:
    """Parse a JSON Lines file into (line number, value) pairs; blank lines are skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=str(path)) from None
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=str(path), line=number) from None
    return out
