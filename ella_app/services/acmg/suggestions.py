"""Suggested ACMG criteria for alleles in a gene panel (ELLA's ``POST acmg/alleles/``).

The request names the alleles, the gene panel, and optionally reference assessments (usually unsaved ones of
the interpretation in progress). Alleles and the panel must be visible to the caller (services/access.py:
anything else is a 404). The answer has one entry per allele, ``{"<id>": {"codes": [...]}}``, every passed
rule with its code, source, operator, value and the data that matched, REQ codes included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Integer, Select, String, Text, bindparam, cast, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from ella_app.db.models import Annotation, CustomAnnotation
from ella_app.errors import ConfigError, InputError, NotFoundError
from ella_app.formats.acmg_config import AcmgSettings, app_frequency_groups, check_acmg_config
from ella_app.services import access
from ella_app.services.acmg.engine import apply_rules, rule_roots
from ella_app.services.acmg.facts import ANNOTATION_KEYS, ReferenceEvaluation, allele_data
from ella_app.services.acmg.language import RuleSet
from ella_app.services.config_merge import merged_user_config
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import load_panel

MAX_ALLELES = 1000
MAX_REFERENCE_ASSESSMENTS = 5000
MAX_EVALUATION_DEPTH = 8
_KEYS = {"allele_ids", "gp_name", "gp_version", "referenceassessments"}


@dataclass(frozen=True)
class SuggestionRequest:
    allele_ids: list[int]
    gp_name: str
    gp_version: str
    references: list[ReferenceEvaluation]


def _id(value: Any, key: str) -> int:
    """An id: a whole number, or its decimal string (ELLA's web client sends ``Object.keys``: strings)."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"must be an allele or reference id (a whole number), not {str(value)[:30]!r}", key=key)
    if not access.valid_id(value):
        raise InputError(f"{value} is not a valid id", key=key)
    return value


def _name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("is required (a gene panel name and version, e.g. HBOC and v1.0.0)", key=key)
    if len(value) > 200 or "\x00" in value:
        raise InputError("must be at most 200 characters, without NUL", key=key)
    return value


def _check_evaluation(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError("must be an object (the reference evaluation)", key=key)
    stack: list[tuple[Any, str, int]] = [(value, key, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_EVALUATION_DEPTH:
            raise InputError(f"nested more than {MAX_EVALUATION_DEPTH} levels deep", key=where)
        if isinstance(item, float) and not math.isfinite(item):
            raise InputError("numbers must be finite", key=where)
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}", depth + 1) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}.{i}", depth + 1) for i, v in enumerate(item))
    return value


def parse_request(body: Any) -> SuggestionRequest:
    """The JSON body of ``POST acmg/alleles/``; InputError naming the key of the first problem."""
    if not isinstance(body, dict):
        raise InputError(
            "the request body must be a JSON object {allele_ids, gp_name, gp_version, referenceassessments?}"
        )
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise InputError(f"unknown key (expected {', '.join(sorted(_KEYS))})", key=unknown[0])
    if "allele_ids" not in body:
        raise InputError("is required (a list of allele ids)", key="allele_ids")
    raw_ids = body["allele_ids"]
    if not isinstance(raw_ids, list):
        raise InputError("must be a list of allele ids", key="allele_ids")
    if len(raw_ids) > MAX_ALLELES:
        raise InputError(f"at most {MAX_ALLELES} alleles per request, not {len(raw_ids)}", key="allele_ids")
    ids = list(dict.fromkeys(_id(v, f"allele_ids.{i}") for i, v in enumerate(raw_ids)))
    name = _name(body.get("gp_name"), "gp_name")
    version = _name(body.get("gp_version"), "gp_version")
    raw_refs = body.get("referenceassessments", [])
    if raw_refs is None:
        raw_refs = []
    if not isinstance(raw_refs, list):
        raise InputError("must be a list of reference assessments", key="referenceassessments")
    if len(raw_refs) > MAX_REFERENCE_ASSESSMENTS:
        raise InputError(f"at most {MAX_REFERENCE_ASSESSMENTS} reference assessments", key="referenceassessments")
    references = []
    for i, item in enumerate(raw_refs):
        key = f"referenceassessments.{i}"
        if not isinstance(item, dict):
            raise InputError("must be an object {allele_id, reference_id, evaluation}", key=key)
        for name_ in ("allele_id", "reference_id", "evaluation"):
            if name_ not in item:
                raise InputError("is required", key=f"{key}.{name_}")
        references.append(
            ReferenceEvaluation(
                _id(item["allele_id"], f"{key}.allele_id"),
                _id(item["reference_id"], f"{key}.reference_id"),
                _check_evaluation(item["evaluation"], f"{key}.evaluation"),
            )
        )
    return SuggestionRequest(ids, name, version, references)


_settings: dict[bytes, AcmgSettings] = {}


def acmg_settings(app_config: Mapping[str, Any], user: UserLike) -> AcmgSettings:
    """The ``acmg`` of the caller's merged user config (ella_config ← group ← user); defaults when absent.
    Parsed once per distinct config."""
    value = merged_user_config(dict(app_config), user).get("acmg")
    if value is None:
        value = {}
    groups = app_frequency_groups(app_config)
    cache_key = orjson.dumps([value, groups], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    cached = _settings.get(cache_key)
    if cached is not None:
        return cached
    settings, errors = check_acmg_config(value, groups, key="acmg")
    if errors:
        raise ConfigError(
            f"no ACMG criteria can be suggested: the acmg config of user group '{user.group.name}', of the user or "
            f"of ella_config.yml (user.user_config) is invalid: {errors[0].message}"
        )
    assert settings is not None
    if len(_settings) > 64:
        _settings.clear()
    _settings[cache_key] = settings
    return settings


def _object(raw: str | None, keys: frozenset[str] | None = None) -> dict[str, Any]:
    data = orjson.loads(raw) if raw else None
    if not isinstance(data, dict):
        return {}
    return data if keys is None else {k: v for k, v in data.items() if k in keys}


@dataclass
class _Loaded:
    panel_visible: bool
    hidden: list[int]  # requested alleles the caller may not see (or that do not exist)
    annotations: dict[int, dict[str, Any]]
    custom: dict[int, dict[str, Any]]


_ANNOTATION, _CUSTOM = aliased(Annotation), aliased(CustomAnnotation)
_statements: dict[int, Select[Any]] = {}


def _statement(user: UserLike) -> Select[Any]:
    """The query of :func:`_load` for the user's group, built once (ids, panel name and version are bound):
    building it per request cost as much CPU as running it."""
    found = _statements.get(user.group_id)
    if found is not None:
        return found
    ids = func.unnest(bindparam("ids", type_=ARRAY(Integer))).table_valued("id").render_derived(name="ids")
    panel = tuple_(bindparam("gp_name", type_=String), bindparam("gp_version", type_=String)).in_(
        access.group_panels_query(user.group_id)
    )
    statement = (
        select(
            ids.c.id,
            panel.label("panel_visible"),
            access.allele_allowed(user, ids.c.id).label("visible"),
            cast(_ANNOTATION.annotation, Text).label("annotation"),
            cast(_CUSTOM.annotation, Text).label("custom"),
        )
        .select_from(ids)
        .outerjoin(_ANNOTATION, (_ANNOTATION.allele_id == ids.c.id) & _ANNOTATION.date_superceeded.is_(None))
        .outerjoin(_CUSTOM, (_CUSTOM.allele_id == ids.c.id) & _CUSTOM.date_superceeded.is_(None))
    )
    if len(_statements) > 256:
        _statements.clear()
    _statements[user.group_id] = statement
    return statement


def _load(session: Session, user: UserLike, request: SuggestionRequest, keys: Iterable[str]) -> _Loaded:
    """In one query: may the caller see the panel and each allele (services/access.py's conditions), and the
    current annotation (only its top-level ``keys``: nothing else is read) and custom annotation. The JSON comes
    as text and is parsed by orjson (several times faster than as jsonb)."""
    params = {"ids": request.allele_ids, "gp_name": request.gp_name, "gp_version": request.gp_version}
    wanted = frozenset(keys)
    loaded = _Loaded(False, [], {}, {})
    for allele_id, panel_visible, visible, raw, raw_custom in session.execute(_statement(user), params).tuples():
        loaded.panel_visible = bool(panel_visible)
        if not visible:
            loaded.hidden.append(allele_id)
            continue
        loaded.annotations[allele_id] = _object(raw, wanted)
        if raw_custom:
            loaded.custom[allele_id] = _object(raw_custom)
    return loaded


def suggest(
    session: Session, app_config: Mapping[str, Any], user: UserLike, request: SuggestionRequest, rules: RuleSet
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``{"<allele id>": {"codes": [passed rule, …]}}`` in the order of the request."""
    if not request.allele_ids:
        access.require_panel(session, user, request.gp_name, request.gp_version)
        return {}
    loaded = _load(session, user, request, {*ANNOTATION_KEYS, *rule_roots(rules)})
    if not loaded.panel_visible:
        raise NotFoundError(f"no gene panel {request.gp_name} {request.gp_version}")
    if loaded.hidden:
        hidden = set(loaded.hidden)
        named = [a for a in request.allele_ids if a in hidden][:20]
        raise NotFoundError(f"no allele(s) {', '.join(map(str, named))}")
    ids = request.allele_ids
    annotations, custom = loaded.annotations, loaded.custom
    settings = acmg_settings(app_config, user)
    panel = load_panel(session, request.gp_name, request.gp_version)
    by_allele: dict[int, list[ReferenceEvaluation]] = {}
    for ref in request.references:
        by_allele.setdefault(ref.allele_id, []).append(ref)
    result: dict[str, dict[str, list[dict[str, Any]]]] = {}
    memo: dict[Any, list[dict[str, Any]]] = {}
    genes: dict[int | None, dict[str, Any]] = {}
    for allele_id in ids:
        data = allele_data(
            allele_id,
            annotations.get(allele_id, {}),
            custom.get(allele_id),
            settings,
            panel,
            by_allele.get(allele_id, ()),
            genes,
        )
        result[str(allele_id)] = {"codes": apply_rules(rules, data, memo)}
    return result
