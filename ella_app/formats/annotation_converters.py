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


# ---------------------------------------------------------------------------------------------- ClinVar, HGMD

_CLINVAR_RCV_FIELDS = ("traitnames", "clinical_significance_descr", "variant_id", "submitter", "last_evaluated")
_CLINVAR_LIST_FIELDS = _CLINVAR_RCV_FIELDS[:4]


def _is_clinvar_v1(data: Any) -> bool:
    """ELLA's CLINVAR_V1_INCOMING_SCHEMA: variant_description (str), variant_id (int), rcvs of objects with the
    five RCV fields, the first four lists of strings."""
    if not isinstance(data, dict) or not isinstance(data.get("variant_description"), str):
        return False
    if not isinstance(data.get("variant_id"), int) or isinstance(data.get("variant_id"), bool):
        return False
    rcvs = data.get("rcvs")
    if not isinstance(rcvs, dict):
        return False
    for rcv in rcvs.values():
        if not isinstance(rcv, dict) or any(k not in rcv for k in _CLINVAR_RCV_FIELDS):
            return False
        for k in _CLINVAR_LIST_FIELDS:
            if not isinstance(rcv[k], list) or not all(isinstance(v, str) for v in rcv[k]):
                return False
    return True


def clinvar_json(data: Any) -> Any:
    """ELLA's clinvarjson converter after decoding: the incoming (v1) form becomes the stored form
    ``{variant_description, variant_id, items: [{rcv, traitnames, …}]}`` with each list joined by ", "; any
    other JSON is kept as it is."""
    if not _is_clinvar_v1(data):
        return data
    items = []
    for rcv, value in data["rcvs"].items():
        item = {}
        for k in _CLINVAR_RCV_FIELDS:
            v = value[k]
            item[k] = ", ".join(map(str, v)) if isinstance(v, list) else v  # ELLA would join a string's characters
        item["rcv"] = rcv
        items.append(item)
    return {"items": items, "variant_description": data["variant_description"], "variant_id": data["variant_id"]}


_HGMD_CODES = (("@#EQ", "="), ("@#CM", ","), ("@#SC", ";"), ("@#SP", " "), ("@#TA", "\t"))
# ELLA's RefTag: HGMD's reference tags and what ELLA writes for them
REFTAGS = {
    "APR": "Additional phenotype",
    "FCR": "Functional characterisation",
    "MCR": "Molecular characterisation",
    "SAR": "Additional report",
}
NO_REFTAG = "Reftag not specified"


def hgmd_text(value: str) -> str:
    """HGMD's escapes of characters that mean something in a VCF (@#SP for a space …)."""
    if "@#" in value:
        for code, char in _HGMD_CODES:
            value = value.replace(code, char)
    return value


def hgmd_primary_report(raw: str, comments: str | None) -> list[dict[str, Any]]:
    """ELLA's hgmdprimaryreport: the HGMD primary PubMed id with "Primary literature report. <comments>"."""
    try:
        pmid = int(raw)
    except ValueError:
        return []  # ELLA logs a warning and leaves it out
    text = "No comments." if not comments or comments == "None" else comments
    return [{"pubmed_id": pmid, "source": "HGMD", "source_info": f"Primary literature report. {hgmd_text(text)}"}]


def hgmd_extrarefs_keys(description: str, source: str) -> list[str]:
    found = re.findall(r"Format: \((.*?)\)", description)
    if not found:
        raise ValueError(f"INFO {source}: its Description has no 'Format: (pmid|…)' list: {description!r}")
    keys = str(found[0]).split("|")
    if "pmid" not in keys:
        raise ValueError(f"INFO {source}: its Description's Format has no pmid: {description!r}")
    return keys


def hgmd_extrarefs(raw: str, keys: list[str]) -> list[dict[str, Any]]:
    """ELLA's hgmdextrarefs: each comma-separated reference (``|``-separated fields named by the header)."""
    references = []
    for extraref in raw.split(","):
        data = dict(zip(keys, extraref.split("|"), strict=False))
        try:
            pmid = int(data.get("pmid", ""))
        except ValueError:
            continue  # ELLA logs a warning and leaves it out
        tag = data.get("reftag") or ""
        reftag = REFTAGS.get(tag, NO_REFTAG)
        comments = data.get("comments") or "No comments."
        if tag == "APR" and comments == "No comments.":
            comments = data.get("disease", comments)
        references.append({"pubmed_id": pmid, "source": "HGMD", "source_info": f"{reftag}. {hgmd_text(comments)}"})
    return references
