"""Annotation configs as ``GET /api/v1/annotationconfigs/`` serves them (ELLA: ``id`` and ``view``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import AnnotationConfig
from ella_app.errors import NotFoundError


def configs_by_id(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = {c.id: c for c in session.scalars(select(AnnotationConfig).where(AnnotationConfig.id.in_(list(ids))))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFoundError(f"no annotation config {missing[0]}")
    return [{"id": i, "view": rows[i].view or []} for i in ids]
