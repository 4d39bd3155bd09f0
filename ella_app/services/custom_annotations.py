"""Custom annotations: annotation users add to a variant (ELLA's ``customannotations/``; e.g. a prediction or a
link to an external database).

As ELLA: a new custom annotation is merged over the variant's current one (top-level keys replaced), leaves
set to null are dropped (at any depth), and the result becomes the current custom annotation; the old one is
kept, superseded (``date_superceeded``), and the new one points back to it (``previous_annotation_id``). The
API calls the JSON ``annotations``; ``user_id`` in a request is ignored (the caller is the author).

Who may see and write: whoever may see the variant (``services/access``); anything else is a 404.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ella_app.db.models import CustomAnnotation
from ella_app.errors import InputError
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.list_filter import INT, NULLABLE, conditions

MAX_BYTES = 100_000
MAX_DEPTH = 20
_KEYS = ("allele_id", "annotations", "user_id")


@dataclass(frozen=True)
class NewCustomAnnotation:
    allele_id: int
    annotations: dict[str, Any]


def _check_values(value: Any, path: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", key=path)
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError("must not contain NUL characters", key=path)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InputError("numbers must be finite", key=path)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1:
        raise InputError("number out of range", key=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                raise InputError("keys must not contain NUL characters", key=path)
            _check_values(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, f"{path}.{index}", depth + 1)


def parse_new(raw: Any) -> NewCustomAnnotation:
    """The POST body ``{"allele_id": int, "annotations": {...}}``; InputError naming the key."""
    if not isinstance(raw, dict):
        raise InputError("the request body must be a JSON object")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise InputError(f"unknown key; allowed: {', '.join(_KEYS)}", key=str(unknown[0]))
    allele_id = raw.get("allele_id")
    if isinstance(allele_id, bool) or not isinstance(allele_id, int) or not access.valid_id(allele_id):
        raise InputError("is required: an allele id", key="allele_id")
    annotations = raw.get("annotations")
    if not isinstance(annotations, dict):
        raise InputError("is required: a JSON object", key="annotations")
    _check_values(annotations, "annotations")
    if len(orjson.dumps(annotations)) > MAX_BYTES:
        raise InputError(f"must be at most {MAX_BYTES} bytes of JSON", key="annotations")
    return NewCustomAnnotation(allele_id, annotations)


def _drop_null_leaves(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _drop_null_leaves(v) if isinstance(v, dict) else v for k, v in value.items() if v is not None}


def create(session: Session, user: UserLike, new: NewCustomAnnotation) -> CustomAnnotation:
    access.require_allele(session, user, new.allele_id)
    current = session.scalar(
        select(CustomAnnotation)
        .where(CustomAnnotation.allele_id == new.allele_id, CustomAnnotation.date_superceeded.is_(None))
        .with_for_update()
    )
    merged = {**(copy.deepcopy(current.annotation) if current is not None else {}), **new.annotations}
    if current is not None:
        current.date_superceeded = dt.datetime.now(dt.UTC)
        session.flush()
    row = CustomAnnotation(
        allele_id=new.allele_id,
        annotation=_drop_null_leaves(merged),
        user_id=user.id,
        previous_annotation_id=current.id if current is not None else None,
    )
    session.add(row)
    session.flush()
    return row


_FILTER = {
    "id": (CustomAnnotation.id, INT),
    "allele_id": (CustomAnnotation.allele_id, INT),
    "user_id": (CustomAnnotation.user_id, INT),
    "date_superceeded": (CustomAnnotation.date_superceeded, NULLABLE),
}


def list_annotations(
    session: Session, user: UserLike, q: Any, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    query = select(CustomAnnotation).where(
        access.allele_allowed(user, CustomAnnotation.allele_id), *conditions(q, _FILTER)
    )
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(CustomAnnotation.id).offset((page - 1) * per_page).limit(per_page))
    return as_json(list(rows)), total


def as_json(rows: Sequence[CustomAnnotation]) -> list[dict[str, Any]]:
    """ELLA's CustomAnnotationSchema."""
    return [
        {
            "id": row.id,
            "allele_id": row.allele_id,
            "user_id": row.user_id,
            "annotations": row.annotation,
            "date_superceeded": row.date_superceeded.isoformat() if row.date_superceeded else None,
            "date_created": row.date_created.isoformat(),
        }
        for row in rows
    ]
