"""The generic annotation converters ``json`` and ``meta``, ``clinvarreferences``, and ELLA's target modes.

Facts from ELLA (``docs/technical/annotation.md`` and its converters):

* ``json``: the INFO value is base16 (default), base32 or base64 encoded JSON; ``subpath`` (dotted) picks a
  part of it, and a missing part gives ``null``.
* ``meta``: the keys come from the INFO header's Description, found with ``meta_pattern`` (default
  ``(?i)[a-z_]+\\|[a-z_\\|]+``, exactly one match) and split on ``value_separator`` (default ``|``). The value is
  split the same way and zipped with the keys; with ``list_separator`` it is first split into items (a list
  of objects). Only the keys named in ``subelements`` are kept, each converted like a ``keyvalue`` element
  (``target_type``, ``split``, ``target_type_throw``). A subelement the Description does not name is an error.
* ``clinvarreferences``: base16 ClinVar JSON; its ``pubmeds`` and ``pubmed_ids`` become references
  ``{"pubmed_id": int, "source": "CLINVAR", "source_info": ""}``.
* ``target_mode`` places a converted value at the dotted ``target``: ``insert`` (default; the target must not
  be set yet), ``extend`` (a list, concatenated to a list already there), ``append`` (added to a list) or
  ``merge`` (an object, merged recursively into one already there).

Everything here is pure: a bad value raises ``ValueError`` with what is wrong; the importer names the file
and line.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "base16": lambda raw: base64.b16decode(raw, casefold=True),
    "base32": base64.b32decode,
    "base64": base64.b64decode,
}
TARGET_MODES = ("insert", "extend", "append", "merge")
DEFAULT_META_PATTERN = r"(?i)[a-z_]+\|[a-z_\|]+"


def decode_json(raw: str, encoding: str, source: str) -> Any:
    """An encoded JSON INFO value, decoded and parsed."""
    try:
        return json.loads(ENCODINGS[encoding](raw.encode("ascii")).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeError):
        raise ValueError(f"INFO {source} is not {encoding}-encoded JSON") from None


def json_converter(encoding: str, subpath: str | None, source: str) -> Callable[[str], Any]:
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    parts = subpath.split(".") if subpath else []

    def convert(raw: str) -> Any:
        data = decode_json(raw, encoding, source)
        for part in parts:
            if not isinstance(data, dict):
                raise ValueError(f"INFO {source}: cannot take {subpath!r} from a JSON {type(data).__name__}")
            data = data.get(part)
            if data is None:
                break
        return data

    return convert


def clinvar_references(raw: str, source: str) -> list[dict[str, Any]]:
    data = decode_json(raw, "base16", source)
    if not isinstance(data, dict):
        raise ValueError(f"INFO {source}: the ClinVar JSON must be an object")
    pmids = [*(data.get("pubmeds") or []), *(data.get("pubmed_ids") or [])]
    try:
        return [{"pubmed_id": int(p), "source": "CLINVAR", "source_info": ""} for p in pmids]
    except (TypeError, ValueError):
        raise ValueError(f"INFO {source}: a ClinVar PubMed id is not a number") from None


def meta_keys(description: str, pattern: str, separator: str, source: str) -> list[str]:
    """The keys a ``meta`` element reads from the INFO Description."""
    found = re.findall(pattern, description)
    if len(found) != 1:
        raise ValueError(
            f"INFO {source}: its Description must match meta_pattern {pattern!r} exactly once "
            f"(found {len(found)}): {description!r}"
        )
    return str(found[0]).split(separator)


def meta_converter(
    keys: list[str],
    subelements: dict[str, Callable[[str], Any]],
    value_separator: str,
    list_separator: str | None,
    source: str,
) -> Callable[[str], Any]:
    unknown = sorted(set(subelements) - set(keys))
    if unknown:
        raise ValueError(f"INFO {source}: its Description has no key {', '.join(unknown)} (keys: {'|'.join(keys)})")

    def item(raw: str) -> dict[str, Any]:
        values = dict(zip(keys, raw.split(value_separator), strict=False))
        return {k: subelements[k](v) for k, v in values.items() if k in subelements}

    def convert(raw: str) -> Any:
        if list_separator:
            return [item(part) for part in raw.split(list_separator)]
        return item(raw)

    return convert


def _parent(annotation: dict[str, Any], target: str) -> tuple[dict[str, Any], str]:
    parts = target.split(".")
    node = annotation
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError(f"target {target}: {part!r} already holds a {type(child).__name__}, not an object")
        node = child
    return node, parts[-1]


def _merge(into: dict[str, Any], item: dict[str, Any]) -> None:
    for key, value in item.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def place(annotation: dict[str, Any], target: str, value: Any, mode: str = "insert") -> None:
    """Put ``value`` at the dotted ``target`` of ``annotation`` as ``mode`` says (ELLA's target modes)."""
    node, leaf = _parent(annotation, target)
    if mode == "insert":
        if leaf in node:
            raise ValueError(f"target {target} is set twice (target_mode insert)")
        node[leaf] = value
    elif mode == "extend":
        if not isinstance(value, list):
            raise ValueError(f"target {target}: target_mode extend needs a list, not {type(value).__name__}")
        current = node.setdefault(leaf, [])
        if not isinstance(current, list):
            raise ValueError(f"target {target} holds a {type(current).__name__}, cannot extend it")
        current.extend(value)
    elif mode == "append":
        current = node.setdefault(leaf, [])
        if not isinstance(current, list):
            raise ValueError(f"target {target} holds a {type(current).__name__}, cannot append to it")
        current.append(value)
    elif mode == "merge":
        if not isinstance(value, dict):
            raise ValueError(f"target {target}: target_mode merge needs an object, not {type(value).__name__}")
        current = node.setdefault(leaf, {})
        if not isinstance(current, dict):
            raise ValueError(f"target {target} holds a {type(current).__name__}, cannot merge into it")
        _merge(current, value)
    else:
        raise ValueError(f"unknown target_mode {mode!r}; one of {', '.join(TARGET_MODES)}")
