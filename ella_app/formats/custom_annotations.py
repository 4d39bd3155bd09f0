"""ELLA's custom annotation file (``ella-cli deposit custom_annotation``): JSON Lines, one custom annotation
per line, ``{"allele_id": int, "annotations": {...}, "user_id": int?}`` (the columns of ELLA's
``customannotation`` table). Unknown keys are an error; every problem names the file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ella_app.errors import InputError, InputErrors
from ella_app.formats.jsonfile import read_json_lines

KEYS = ("allele_id", "annotations", "user_id")


@dataclass(frozen=True)
class CustomAnnotationEntry:
    allele_id: int
    annotations: dict[str, Any]
    user_id: int | None
    line: int


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def parse_custom_annotations(path: str | Path) -> list[CustomAnnotationEntry]:
    source = str(path)
    problems: list[InputError] = []
    entries: list[CustomAnnotationEntry] = []
    first: dict[int, int] = {}
    for line, value in read_json_lines(path):

        def bad(problem: str, key: str | None = None, line: int = line) -> None:
            problems.append(InputError(problem, source=source, line=line, key=key))

        if not isinstance(value, dict):
            bad("each line must be a JSON object")
            continue
        unknown = sorted(set(value) - set(KEYS))
        if unknown:
            bad(f"unknown key; allowed: {', '.join(KEYS)}", unknown[0])
            continue
        allele_id, annotations, user_id = value.get("allele_id"), value.get("annotations"), value.get("user_id")
        if not _int(allele_id):
            bad("is required: an allele id (a positive integer)", "allele_id")
            continue
        if not isinstance(annotations, dict):
            bad("is required: a JSON object", "annotations")
            continue
        if user_id is not None and not _int(user_id):
            bad("must be a user id (a positive integer)", "user_id")
            continue
        if allele_id in first:
            bad(f"allele {allele_id} is listed twice (also on line {first[allele_id]})", "allele_id")
            continue
        first[allele_id] = line
        entries.append(CustomAnnotationEntry(allele_id, annotations, user_id, line))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(problems)
    return entries
