"""Prepared statements (db/prepared.py): prepared once per connection, executed with the statement's values,
kept across rollbacks, prepared again on a new connection; and the variant detail's checks use them (issue 11:
planning was most of those queries' time)."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, bindparam, create_engine, make_url, select, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from ella_app.db.models import Allele
from ella_app.db.prepared import Prepared
from ella_app.db.session import get_engine, get_read_engine
from tests.support.statements import recorded

PLUS = Prepared("test_plus", text("SELECT CAST(:a AS integer) + :b AS total, :a * 0 + 1 AS one"))


def test_a_statement_is_prepared_once_per_connection_and_survives_a_rollback(db_url: str) -> None:
    engine = get_engine(db_url)
    with recorded(db_url) as statements, Session(engine) as session:
        assert PLUS.rows(session, {"a": 2, "b": 3}) == [(5, 1)]
        session.rollback()  # PREPARE is not transactional: the statement stays
        assert PLUS.first(session, {"b": 10, "a": 1}) == (11, 1)
        plans = session.execute(
            text("SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE name = 'test_plus'")
        ).scalar()
    assert plans == 2  # PostgreSQL's own count: one statement on this connection, executed twice
    assert [s.split(" AS ")[0] for s in statements if s.startswith("PREPARE")] == ["PREPARE test_plus"]
    assert statements.count("EXECUTE test_plus(%s, %s)") == 2
    assert "$1" in statements[0] and "$2" in statements[0] and ":a" not in statements[0]  # :a used twice: one $1


def test_a_new_connection_prepares_again(db_url: str) -> None:
    engine = get_engine(db_url)
    with Session(engine) as session:
        assert PLUS.first(session, {"a": 1, "b": 1}) == (2, 1)
    engine.dispose()  # PostgreSQL restarted, or the pool replaced its connections
    with recorded(db_url) as statements, Session(engine) as session:
        assert PLUS.first(session, {"a": 1, "b": 2}) == (3, 1)
        names = session.execute(text("SELECT name FROM pg_prepared_statements")).scalars().all()
    assert names == ["test_plus"]
    assert sum(s.startswith("PREPARE test_plus") for s in statements) == 1


def test_lists_go_through_any_and_a_missing_value_or_an_expanding_in_is_refused(db_url: str) -> None:
    by_ids = Prepared("test_by_ids", text("SELECT id FROM allele WHERE id = ANY(:ids) ORDER BY id"))
    with Session(get_engine(db_url)) as session:
        assert by_ids.rows(session, {"ids": []}) == [] and by_ids.first(session, {"ids": [-1]}) is None
        with pytest.raises(KeyError, match="no value for ids"):
            by_ids.rows(session, {})
    expanding = Prepared("test_expanding", select(Allele.id).where(Allele.id.in_(bindparam("ids", expanding=True))))
    with Session(get_engine(db_url)) as session, pytest.raises(ValueError, match="= ANY"):
        expanding.rows(session, {"ids": [1]})
    with pytest.raises(ValueError, match="lower-case"):
        Prepared("Robert'); DROP TABLE allele;--", select(Allele.id).where(Allele.id == bindparam("a", type_=Integer)))


def test_a_variant_detail_executes_its_checks_and_query_prepared(db_url: str, tmp_path) -> None:
    """The second detail request plans nothing of its own: the session check, the allele and analysis checks (one
    statement) and the detail query (with the analysis' samples) are EXECUTEs of statements the connection
    prepared on the first one, and nothing else is sent."""
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
    assert [s.split("(")[0] for s in statements] == [
        "EXECUTE auth_session_by_token",
        "EXECUTE access_allele_in_analysis",
        "EXECUTE variants_detail_one",
    ]
    cid = Api(make_app(db_url, tmp_path), db_url, world.users["cid"])  # another group: the prepared check says 404
    assert cid.get(path).status_code == 404
    assert cid.get(f"/api/v1/alleles/{world.alleles['hboc_rare']}/").status_code == 404

    listing = f"/api/v1/workflows/analyses/{world.analyses['hboc']}/interpretations/{world.interpretations['hboc']}"
    assert ada.get(f"{listing}/filteredalleles/").status_code == 200
    with recorded(db_url) as statements:
        assert ada.get(f"{listing}/filteredalleles/").status_code == 200
    assert "EXECUTE variants_round_context(%s, %s, %s)" in statements
    assert cid.get(f"{listing}/filteredalleles/").status_code == 404


def test_a_variant_detail_keeps_the_plans_of_its_statements(db_url: str, tmp_path) -> None:
    """PostgreSQL plans an EXECUTE again, every time, unless the statement's generic plan is no worse than one for
    the values at hand (it decides after five). The detail's statements must keep theirs: the array form of the
    detail query never did, and planning it was three quarters of its cost."""
    from tests.api.factories import Api, build_world, make_app, session_for

    with session_for(db_url) as session:
        world = build_world(session)
        session.commit()
    ada = Api(make_app(db_url, tmp_path), db_url, world.users["ada"])
    hboc = world.analyses["hboc"]
    for allele in ("hboc_rare", "hboc_common", "hboc_rare", "hboc_common") * 3:
        assert ada.get(f"/api/v1/alleles/{world.alleles[allele]}/?analysis_id={hboc}").status_code == 200
    # requests one after another use one pooled connection of the read engine: the one asked here
    with get_read_engine(db_url).connect() as connection:
        plans = dict(
            connection.execute(
                text("SELECT name, generic_plans > 0 AND custom_plans <= 5 FROM pg_prepared_statements")
            ).all()
        )
    assert plans == {
        "auth_session_by_token": True,
        "access_allele_in_analysis": True,
        "variants_detail_one": True,
    }


def test_errors_are_sqlalchemys_and_a_lost_connection_is_replaced_and_prepares_again(pg, db_url: str) -> None:
    """The API's handlers see the usual exceptions: a rejected value is a DataError (422), a dropped connection an
    OperationalError (503) that invalidates the connection, and the next use gets a new one."""
    engine = create_engine(db_url, pool_size=1)
    with Session(engine) as session:
        with pytest.raises(DataError, match="invalid input syntax"):
            PLUS.rows(session, {"a": "not a number", "b": 1})
        session.rollback()
        assert PLUS.first(session, {"a": 1, "b": 1}) == (2, 1)
        assert pg.drop_connections(make_url(db_url).database) >= 1
        with pytest.raises(OperationalError) as lost:
            PLUS.rows(session, {"a": 1, "b": 1})
        assert lost.value.connection_invalidated
        session.rollback()
        assert PLUS.first(session, {"a": 2, "b": 2}) == (4, 1)  # a new connection: prepared there again
    engine.dispose()


def test_the_one_round_trip_check_of_a_variant_in_an_analysis_names_what_is_not_visible(db_url: str, tmp_path) -> None:
    """access.allele_in_analysis answers as the two checks it replaces did: the allele first, then the analysis."""
    from tests.api.factories import Api, build_world, make_app, session_for

    with session_for(db_url) as session:
        world = build_world(session)
        session.commit()
    ada = Api(make_app(db_url, tmp_path), db_url, world.users["ada"])
    mine, theirs = world.alleles["hboc_rare"], world.alleles["cilio"]
    my_analysis, their_analysis = world.analyses["hboc"], world.analyses["cilio"]
    outside = 2**31  # beyond PostgreSQL's integer: an allele id in the path is not found, the query's is refused
    cases = {
        (mine, my_analysis): (200, None),
        (theirs, my_analysis): (404, f"no allele {theirs}"),
        (theirs, their_analysis): (404, f"no allele {theirs}"),
        (mine, their_analysis): (404, f"no analysis {their_analysis}"),
        (mine, outside): (422, "key 'analysis_id': must be between 1 and 2147483647"),
        (outside, my_analysis): (404, f"no allele {outside}"),
    }
    for (allele, analysis), (status, message) in cases.items():
        answer = ada.get(f"/api/v1/alleles/{allele}/?analysis_id={analysis}")
        assert answer.status_code == status, (allele, analysis, answer.json)
        if message is not None:
            assert answer.json["message"] == message
        else:
            assert answer.json["id"] == allele and answer.json["samples"]
