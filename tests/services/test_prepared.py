"""Prepared statements (db/prepared.py): prepared once per connection, executed with the statement's values,
kept across rollbacks, prepared again on a new connection; and the variant detail's checks use them (issue 11:
planning was most of those queries' time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Integer, bindparam, event, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import Allele
from ella_app.db.prepared import Prepared
from ella_app.db.session import get_engine

PLUS = Prepared("test_plus", text("SELECT CAST(:a AS integer) + :b AS total, :a * 0 + 1 AS one"))


@contextmanager
def recorded(db_url: str) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    engine = get_engine(db_url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_statement_is_prepared_once_per_connection_and_survives_a_rollback(db_url: str) -> None:
    engine = get_engine(db_url)
    with recorded(db_url) as statements, Session(engine) as session:
        assert PLUS.execute(session, {"a": 2, "b": 3}).one()._asdict() == {"total": 5, "one": 1}
        session.rollback()  # PREPARE is not transactional: the statement stays
        assert PLUS.execute(session, {"b": 10, "a": 1}).one().total == 11
    assert [s.split(" AS ")[0] for s in statements if s.startswith("PREPARE")] == ["PREPARE test_plus"]
    assert statements.count("EXECUTE test_plus(%s, %s)") == 2
    assert "$1" in statements[0] and "$2" in statements[0] and ":a" not in statements[0]  # :a used twice: one $1


def test_a_new_connection_prepares_again(db_url: str) -> None:
    engine = get_engine(db_url)
    with Session(engine) as session:
        assert PLUS.execute(session, {"a": 1, "b": 1}).scalar() == 2
    engine.dispose()  # PostgreSQL restarted, or the pool replaced its connections
    with recorded(db_url) as statements, Session(engine) as session:
        assert PLUS.execute(session, {"a": 1, "b": 2}).scalar() == 3
        names = session.execute(text("SELECT name FROM pg_prepared_statements")).scalars().all()
    assert names == ["test_plus"]
    assert sum(s.startswith("PREPARE test_plus") for s in statements) == 1


def test_lists_go_through_any_and_a_missing_value_or_an_expanding_in_is_refused(db_url: str) -> None:
    by_ids = Prepared("test_by_ids", text("SELECT id FROM allele WHERE id = ANY(:ids) ORDER BY id"))
    with Session(get_engine(db_url)) as session:
        assert by_ids.execute(session, {"ids": []}).all() == []
        with pytest.raises(KeyError, match="no value for ids"):
            by_ids.execute(session, {})
    expanding = Prepared("test_expanding", select(Allele.id).where(Allele.id.in_(bindparam("ids", expanding=True))))
    with Session(get_engine(db_url)) as session, pytest.raises(ValueError, match="= ANY"):
        expanding.execute(session, {"ids": [1]})
    with pytest.raises(ValueError, match="lower-case"):
        Prepared("Robert'); DROP TABLE allele;--", select(Allele.id).where(Allele.id == bindparam("a", type_=Integer)))


def test_a_variant_detail_executes_its_checks_and_query_prepared(db_url: str, tmp_path) -> None:
    """The second detail request plans nothing of its own: the allele and analysis checks, the samples and the
    detail query are EXECUTEs of statements the connection prepared on the first one."""
    from tests.api.factories import Api, build_world, make_app, session_for

    with session_for(db_url) as session:
        world = build_world(session)
        session.commit()
    ada = Api(make_app(db_url, tmp_path), db_url, world.users["ada"])
    path = f"/api/v1/alleles/{world.alleles['hboc_rare']}/?analysis_id={world.analyses['hboc']}"
    first = ada.get(path)
    assert first.status_code == 200 and first.json["id"] == world.alleles["hboc_rare"]
    with recorded(db_url) as statements:
        again = ada.get(path)
    assert again.status_code == 200 and again.json == first.json
    executed = {s.split("(")[0] for s in statements if s.startswith("EXECUTE")}
    assert executed == {
        "EXECUTE access_allele_visible",
        "EXECUTE access_analysis_panel",
        "EXECUTE variants_samples",
        "EXECUTE variants_detail",
    }
    assert not [s for s in statements if s.startswith("PREPARE")]
    cid = Api(make_app(db_url, tmp_path), db_url, world.users["cid"])  # another group: the prepared check says 404
    assert cid.get(path).status_code == 404
    assert cid.get(f"/api/v1/alleles/{world.alleles['hboc_rare']}/").status_code == 404

    listing = f"/api/v1/workflows/analyses/{world.analyses['hboc']}/interpretations/{world.interpretations['hboc']}"
    assert ada.get(f"{listing}/filteredalleles/").status_code == 200
    with recorded(db_url) as statements:
        assert ada.get(f"{listing}/filteredalleles/").status_code == 200
    assert "EXECUTE variants_round_context(%s, %s, %s)" in statements
    assert cid.get(f"{listing}/filteredalleles/").status_code == 404
