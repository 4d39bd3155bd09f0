"""ELLA's ``filterconfigs.json``: a JSON array of named filter configurations, and the one validator of a
filter configuration.

Each entry: ``name``; ``usergroups`` ``[{name, order}]`` (order 0 first: the first config that applies is
the default in the UI); ``requirements`` ``[{function: "analysis", params: {...}}]`` deciding for which
analyses the config is offered; ``filterconfig.filters`` run in order, each with a ``config`` and optional
``exceptions`` that rescue variants.

What a filter's ``config`` may hold is written once, in ``schemas/filterconfigs.json`` (after ELLA's
``filterconfig_v3.json`` and what ELLA's filters read), plus the rules a schema cannot say (regular
expressions compile, frequency thresholds name configured groups): :func:`filterconfig_problems`.
``ella-cli filterconfigs update`` refuses a file that breaks them, and the filtering engine refuses to run a
stored config that does (``services/filtering.py``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ella_app.errors import InputError, InputErrors
from ella_app.formats.jsonfile import entry_line, load_schema, read_json

SCHEMA = "filterconfigs.json"
Problem = tuple[str, str]  # (key path, what is wrong)


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


@functools.cache
def _validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    """Validators of a whole file and of one ``filterconfig`` object (the same definitions)."""
    schema = load_schema(SCHEMA)
    single = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/filterconfig"}
    return jsonschema.Draft202012Validator(schema), jsonschema.Draft202012Validator(single)


def filter_names() -> list[str]:
    """Every filter name ELLA accepts (and we run)."""
    return list(load_schema(SCHEMA)["$defs"]["filterName"]["enum"])


def _describe(error: jsonschema.ValidationError) -> Problem:
    parts = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ".".join(map(str, [*parts, *extra[:1]])), f"unknown key(s): {', '.join(extra)}"
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return ".".join(map(str, [*parts, *missing[:1]])), f"missing required key(s): {', '.join(missing)}"
    if error.validator == "enum" and parts and parts[-1] == "name" and "filters" in parts:
        return ".".join(map(str, parts)), (
            f"unknown filter {error.instance!r}; the filters are: {', '.join(error.validator_value)}"
        )
    return ".".join(map(str, parts)), error.message


def _schema_problems(validator: jsonschema.Draft202012Validator, data: Any) -> list[Problem]:
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return list(dict.fromkeys(_describe(e) for e in errors))[:50]  # one 'required' error per missing key


def _filters(filterconfig: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every filter and exception of a (schema-valid) config, with its key path."""
    for f, spec in enumerate(filterconfig["filters"]):
        yield f"filters.{f}", spec
        for e, exception in enumerate(spec.get("exceptions", [])):
            yield f"filters.{f}.exceptions.{e}", exception


def _rule_problems(filterconfig: dict[str, Any]) -> list[Problem]:
    """What the schema cannot say, for a schema-valid config."""
    problems: list[Problem] = []
    for prefix, spec in _filters(filterconfig):
        config = spec["config"]
        if spec["name"] == "quality" and "filter_status" in config:
            try:
                re.compile(config["filter_status"]["pattern"])
            except re.error as exc:
                pattern = config["filter_status"]["pattern"]
                problems.append(
                    (f"{prefix}.config.filter_status.pattern", f"invalid regular expression '{pattern}': {exc}")
                )
        if spec["name"] == "ppy" and config["ppy_tract_region"][0] > config["ppy_tract_region"][1]:
            problems.append((f"{prefix}.config.ppy_tract_region", "give the tract as [from, to] with from <= to"))
        if spec["name"] == "frequency":
            groups = set(config["groups"])
            thresholds = [(f"thresholds.{mode}", value) for mode, value in config["thresholds"].items()] + [
                (f"genes.{gene}.thresholds", override["thresholds"])
                for gene, override in config.get("genes", {}).items()
            ]
            for key, value in thresholds:
                for group in sorted(set(value) - groups):
                    problems.append(
                        (
                            f"{prefix}.config.{key}.{group}",
                            f"a threshold for group '{group}', which 'groups' does not define",
                        )
                    )
    return problems


@functools.lru_cache(maxsize=256)
def _problems_of(text: str) -> tuple[Problem, ...]:
    data = json.loads(text)
    problems = _schema_problems(_validators()[1], data)
    return tuple(problems or _rule_problems(data))


def filterconfig_problems(filterconfig: Any) -> list[Problem]:
    """(key, reason) for every way ``filterconfig`` (``{"filters": [...]}``) breaks the rules; [] when valid."""
    try:
        text = json.dumps(filterconfig, sort_keys=True)
    except (TypeError, ValueError):
        return [("", "not JSON data")]
    return list(_problems_of(text))


def read_filterconfigs(path: str | Path) -> list[FilterConfigEntry]:
    """Parse and validate the file: schema, regular expressions, names and groups given once."""
    source = str(path)
    data = read_json(path)
    text = Path(path).read_text(encoding="utf-8")
    errors: list[InputError] = []

    def line_of(key: str) -> int | None:
        first = key.split(".", 1)[0]
        return entry_line(text, int(first)) if first.isdigit() and text.lstrip().startswith("[") else None

    for key, problem in _schema_problems(_validators()[0], data):
        errors.append(InputError(problem, source=source, line=line_of(key), key=key or None))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
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
        for key, problem in _rule_problems(item["filterconfig"]):
            errors.append(InputError(problem, source=source, line=line, key=f"{index}.filterconfig.{key}"))
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
    """The regular expressions of an entry's requirements, with their key path."""
    for r, requirement in enumerate(item.get("requirements", [])):
        for param in ("name", "genepanel_name"):
            if param in requirement["params"]:
                yield f"{index}.requirements.{r}.params.{param}", requirement["params"][param]


def check_frequency_groups(
    entries: list[FilterConfigEntry], groups: Mapping[str, Mapping[str, list[str]]], source: str
) -> None:
    """Frequency filters may only name providers and populations of ``ella_config.yml frequencies.groups``."""
    errors = []
    for entry in entries:
        for prefix, filter_ in _filters(entry.filterconfig):
            if filter_["name"] != "frequency":
                continue
            for kind, providers in filter_["config"].get("groups", {}).items():
                known = groups.get(kind, {})
                for provider, populations in providers.items():
                    key = f"filterconfig.{prefix}.config.groups.{kind}.{provider}"
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


def check_classes(entries: list[FilterConfigEntry], options: list[Any], source: str) -> None:
    """Classification filters may only name classes of ``ella_config.yml classification.options``.

    ELLA refuses classes outside its fixed list; ours come from the application config."""
    known = [str(o["value"]) for o in options if isinstance(o, dict) and "value" in o]
    errors = []
    for entry in entries:
        for prefix, filter_ in _filters(entry.filterconfig):
            if filter_["name"] != "classification":
                continue
            unknown = [c for c in filter_["config"]["classes"] if c not in known]
            if unknown:
                errors.append(
                    InputError(
                        f"filter config '{entry.name}': class(es) {', '.join(unknown)} are not in "
                        f"classification.options of the application config ({', '.join(known) or 'none'})",
                        source=source,
                        line=entry.line,
                        key=f"filterconfig.{prefix}.config.classes",
                    )
                )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


def check_against_config(entries: list[FilterConfigEntry], app_config: Mapping[str, Any], source: str) -> None:
    """What a file may name that only the application config knows: frequency groups, classes."""
    check_frequency_groups(entries, app_config.get("frequencies", {}).get("groups", {}), source)
    check_classes(entries, app_config.get("classification", {}).get("options", []), source)
