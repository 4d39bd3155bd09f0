"""ELLA's ``usergroups.json``: a JSON array of user groups.

Each group: ``name``; ``genepanels`` as ``[name]`` (every official version present) or ``[name, version]``;
optional ``default_import_genepanel`` (same shape; ``[name]`` means the newest version); ``import_groups``
(defaults to the group's own name); ``config`` (an object, stored as given). The deposit rules
``config.deposit.analysis[]`` are checked as the importer reads them: ``pattern`` a regular expression,
``prefilters`` lists of known criteria (none empty), ``postprocess`` known postprocessors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ella_app.errors import InputError, InputErrors
from ella_app.formats.acmg_config import check_acmg_config
from ella_app.formats.jsonfile import entry_line, load_schema, read_json, validate_entries

SCHEMA = "usergroups.json"


@dataclass(frozen=True)
class PanelRef:
    name: str
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.name}_{self.version}" if self.version else f"{self.name} (all versions)"


@dataclass(frozen=True)
class UserGroupEntry:
    name: str
    genepanels: tuple[PanelRef, ...] | None
    """None when the key is absent (an existing group keeps its panels)."""
    default_import_genepanel: PanelRef | None
    has_default_import_genepanel: bool
    import_groups: tuple[str, ...]
    config: dict[str, Any] | None
    """None when the key is absent (an existing group keeps its config)."""
    line: int | None = None
    warnings: tuple[str, ...] = ()
    """Accepted, but worth telling the operator (e.g. a key ELLA ignores)."""


def _panel(value: list[str]) -> PanelRef:
    return PanelRef(value[0], value[1] if len(value) > 1 else None)


def read_usergroups(path: str | Path, names: tuple[str, ...] = ()) -> list[UserGroupEntry]:
    """Parse and validate the file; ``names`` keeps only those groups (each must be in the file)."""
    source = str(path)
    data = read_json(path)
    validate_entries(path, data, load_schema(SCHEMA))
    text = Path(path).read_text(encoding="utf-8")
    errors: list[InputError] = []
    entries: list[UserGroupEntry] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(data):
        line = entry_line(text, index)
        name = item["name"]
        if name in seen:
            where = f" on line {seen[name]}" if seen[name] else ""
            errors.append(
                InputError(
                    f"user group '{name}' is defined twice (first{where})",
                    source=source,
                    line=line,
                    key=f"{index}.name",
                )
            )
            continue
        seen[name] = line
        errors.extend(_check_patterns(item, index, source, line))
        panels = item.get("genepanels")
        entries.append(
            UserGroupEntry(
                name=name,
                genepanels=None if panels is None else tuple(dict.fromkeys(_panel(p) for p in panels)),
                default_import_genepanel=(
                    _panel(item["default_import_genepanel"]) if item.get("default_import_genepanel") else None
                ),
                has_default_import_genepanel="default_import_genepanel" in item,
                import_groups=tuple(item.get("import_groups", [name])),
                config=item.get("config"),
                line=line,
                warnings=tuple(_deposit_warnings(item, index, source, line)),
            )
        )
    if names:
        unknown = [n for n in names if n not in seen]
        if unknown:
            errors.append(
                InputError(f"group(s) named with --name are not in the file: {', '.join(unknown)}", source=source)
            )
        entries = [e for e in entries if e.name in names]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return entries


def _check_patterns(item: dict[str, Any], index: int, source: str, line: int | None) -> list[InputError]:
    """``config.deposit.analysis[].pattern`` are regular expressions: they must compile."""
    errors = []
    rules = (item.get("config") or {}).get("deposit", {}).get("analysis", [])
    for position, rule in enumerate(rules):
        try:
            re.compile(rule["pattern"])
        except re.error as exc:
            errors.append(
                InputError(
                    f"invalid regular expression: {exc}",
                    source=source,
                    line=line,
                    key=f"{index}.config.deposit.analysis.{position}.pattern",
                )
            )
    return errors


def _deposit_warnings(item: dict[str, Any], index: int, source: str, line: int | None) -> list[str]:
    """ELLA's documentation calls the prefilter key ``prefilter``, its code reads only ``prefilters``: a
    ``prefilter`` key is accepted (as by ELLA) but does nothing, which the operator should know."""
    warnings = []
    rules = (item.get("config") or {}).get("deposit", {}).get("analysis", [])
    for position, rule in enumerate(rules):
        if "prefilter" in rule:
            where = f"{source}, line {line}" if line else source
            warnings.append(
                f"warning: {where}, key '{index}.config.deposit.analysis.{position}.prefilter': ignored, as by ELLA "
                "(no variant is prefiltered by it); prefilters are given as 'prefilters': [[criteria...], ...]"
            )
    return warnings


def check_acmg_frequency_groups(
    entries: list[UserGroupEntry], groups: Mapping[str, Mapping[str, list[str]]], source: str
) -> None:
    """``config.acmg`` of every group: the rule engine's input (formats/acmg_config.py), checked against the
    application's ``frequencies.groups``; every problem named by group, key and line."""
    known = {group: {p: tuple(pops) for p, pops in providers.items()} for group, providers in groups.items()}
    errors: list[InputError] = []
    for entry in entries:
        acmg = (entry.config or {}).get("acmg")
        if acmg is not None:
            key = f"{entry.name}.config.acmg"
            errors.extend(check_acmg_config(acmg, known, key=key, source=source, line=entry.line)[1])
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
