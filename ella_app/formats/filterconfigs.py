"""ELLA's ``filterconfigs.json``: a JSON array of named filter configurations.

Each entry: ``name``; ``usergroups`` ``[{name, order}]`` (order 0 first: the first config that applies is
the default in the UI); ``requirements`` ``[{function: "analysis", params: {...}}]`` deciding for which
analyses the config is offered; ``filterconfig.filters`` run in order, each with a ``config`` and optional
``exceptions`` that rescue variants. Validated with our ``schemas/filterconfigs.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ella_app.errors import InputError, InputErrors
from ella_app.formats.jsonfile import entry_line, load_schema, read_json, validate_entries

SCHEMA = "filterconfigs.json"


@dataclass(frozen=True)
class GroupOrder:
    name: str
    order: int


@dataclass(frozen=True)
class FilterConfigEntry:
    name: str
    usergroups: tuple[GroupOrder, ...]
    requirements: list[dict[str, Any]]
    filterconfig: dict[str, Any]
    line: int | None = None


def read_filterconfigs(path: str | Path) -> list[FilterConfigEntry]:
    """Parse and validate the file: schema, regular expressions, names and groups given once."""
    source = str(path)
    data = read_json(path)
    validate_entries(path, data, load_schema(SCHEMA))
    text = Path(path).read_text(encoding="utf-8")
    errors: list[InputError] = []
    entries: list[FilterConfigEntry] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(data):
        line = entry_line(text, index)
        name = item["name"]
        if name in seen:
            first = f" (first on line {seen[name]})" if seen[name] else ""
            errors.append(
                InputError(
                    f"filter config '{name}' is defined twice{first}", source=source, line=line, key=f"{index}.name"
                )
            )
            continue
        seen[name] = line
        groups = [g["name"] for g in item["usergroups"]]
        for group in sorted({g for g in groups if groups.count(g) > 1}):
            errors.append(
                InputError(f"user group '{group}' is listed twice", source=source, line=line, key=f"{index}.usergroups")
            )
        for key, pattern in _patterns(item, index):
            try:
                re.compile(pattern)
            except re.error as exc:
                errors.append(
                    InputError(f"invalid regular expression '{pattern}': {exc}", source=source, line=line, key=key)
                )
        entries.append(
            FilterConfigEntry(
                name=name,
                usergroups=tuple(GroupOrder(g["name"], g["order"]) for g in item["usergroups"]),
                requirements=item.get("requirements", []),
                filterconfig=item["filterconfig"],
                line=line,
            )
        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return entries


def _patterns(item: dict[str, Any], index: int) -> Iterator[tuple[str, str]]:
    """Every regular expression in an entry, with its key path."""
    for r, requirement in enumerate(item.get("requirements", [])):
        for param in ("name", "genepanel_name"):
            if param in requirement["params"]:
                yield f"{index}.requirements.{r}.params.{param}", requirement["params"][param]
    for f, filter_ in enumerate(item["filterconfig"]["filters"]):
        for prefix, spec in [(f"{index}.filterconfig.filters.{f}", filter_)] + [
            (f"{index}.filterconfig.filters.{f}.exceptions.{e}", exc)
            for e, exc in enumerate(filter_.get("exceptions", []))
        ]:
            status = spec["config"].get("filter_status") if spec["name"] == "quality" else None
            if status and "pattern" in status:
                yield f"{prefix}.config.filter_status.pattern", status["pattern"]


def check_frequency_groups(
    entries: list[FilterConfigEntry], groups: Mapping[str, Mapping[str, list[str]]], source: str
) -> None:
    """Frequency filters may only name providers and populations of ``ella_config.yml frequencies.groups``."""
    errors = []
    for entry in entries:
        for index, filter_ in enumerate(entry.filterconfig["filters"]):
            if filter_["name"] != "frequency":
                continue
            for kind, providers in filter_["config"].get("groups", {}).items():
                known = groups.get(kind, {})
                for provider, populations in providers.items():
                    key = f"filterconfig.filters.{index}.config.groups.{kind}.{provider}"
                    if provider not in known:
                        errors.append(
                            InputError(
                                f"filter config '{entry.name}': frequency provider '{provider}' is not in "
                                f"frequencies.groups.{kind} of the application config "
                                f"({', '.join(known) or 'none configured'})",
                                source=source,
                                line=entry.line,
                                key=key,
                            )
                        )
                        continue
                    unknown = [p for p in populations if p not in known[provider]]
                    if unknown:
                        errors.append(
                            InputError(
                                f"filter config '{entry.name}': population(s) {', '.join(unknown)} of "
                                f"'{provider}' are not in the application config",
                                source=source,
                                line=entry.line,
                                key=key,
                            )
                        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
