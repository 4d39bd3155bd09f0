"""ELLA's references file (``ella-cli deposit references``): JSON Lines, one reference per line with
``pubmed_id`` (int, unique), ``authors``, ``title``, ``journal``, ``abstract``, ``year`` (string) and
``published`` (bool). Unknown keys are an error, as in ELLA.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ella_app.errors import InputError, InputErrors
from ella_app.formats.jsonfile import load_schema, read_json_lines, validate_entries

REFERENCE_FIELDS = ("authors", "title", "journal", "abstract", "year", "published")


@dataclass(frozen=True)
class ReferenceEntry:
    pubmed_id: int
    # The keys the line gives (subset of REFERENCE_FIELDS); absent keys leave a stored reference unchanged.
    fields: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


def _with_line(error: InputError, line: int) -> InputError:
    return InputError(error.problem, source=error.source, line=line, key=error.key)


def parse_references(path: str | Path) -> list[ReferenceEntry]:
    """Read and validate a references file; every problem names the file, the line and the key."""
    path = Path(path)
    schema = load_schema("references.json")
    problems: list[InputError] = []
    entries: list[ReferenceEntry] = []
    first_seen: dict[int, int] = {}
    for line, value in read_json_lines(path):
        try:
            validate_entries(path, value, schema)
        except InputErrors as many:
            problems.extend(_with_line(e, line) for e in many.errors)
            continue
        except InputError as one:
            problems.append(_with_line(one, line))
            continue
        pubmed_id = value["pubmed_id"]
        if pubmed_id in first_seen:
            problems.append(
                InputError(
                    f"duplicate pubmed_id {pubmed_id} (first at line {first_seen[pubmed_id]})",
                    source=str(path),
                    line=line,
                    key="pubmed_id",
                )
            )
            continue
        first_seen[pubmed_id] = line
        fields = {key: value[key] for key in REFERENCE_FIELDS if key in value}
        entries.append(ReferenceEntry(pubmed_id=pubmed_id, fields=fields, line=line))
        if len(problems) >= 50:
            break
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return entries


def write_references(references: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """Write references as JSON Lines (the format ``deposit references`` reads); returns the count."""
    count = 0
    for reference in references:
        out.write(json.dumps(dict(reference), ensure_ascii=False, sort_keys=False))
        out.write("\n")
        count += 1
    return count
