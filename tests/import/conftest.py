"""Fixtures of the analysis-import tests: a database holding a gene panel, query helpers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from .panels import make_panel

__all__ = ["count", "make_panel", "query"]


@pytest.fixture
def panel_db(db_url: str) -> str:
    """A database at head holding the panel HBOC_v1.0.0."""
    make_panel(db_url)
    return db_url


def query(db_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return rows


def count(db_url: str, table: str) -> int:
    return int(query(db_url, f'SELECT count(*) FROM "{table}"')[0][0])
