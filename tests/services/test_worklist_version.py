"""The worklists' version (migration 0008, read by services/overview.analyses_version): it changes exactly when a
transaction that changed a table the worklists read commits, and it never holds up a writer while another
transaction runs."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from tests.api.factories import build_world, session_for

# What each worklist table gets in the test: an update that changes nothing but writes the row.
TOUCH = {
    "analysis": "UPDATE analysis SET name = name",
    "analysisinterpretation": "UPDATE analysisinterpretation SET status = status",
    "interpretationlog": "UPDATE interpretationlog SET review_comment = review_comment",
    "sample": "UPDATE sample SET identifier = identifier",
    "user": 'UPDATE "user" SET first_name = first_name',
    "usergroup_genepanel": "UPDATE usergroup_genepanel SET genepanel_name = genepanel_name",
}


def _version(connection: Connection) -> str:
    return str(connection.execute(text("SELECT version || ':' || xmin::text FROM worklistversion")).scalar_one())


@pytest.fixture
def world_db(db_url: str) -> str:
    with session_for(db_url) as session:
        world = build_world(session)
        session.flush()
        session.execute(
            text("INSERT INTO interpretationlog (analysis_id, user_id, review_comment) VALUES (:a, :u, 'x')"),
            {"a": world.analyses["hboc"], "u": world.users["ada"]},
        )
        session.commit()
    return db_url


@pytest.mark.parametrize("table", sorted(TOUCH))
def test_a_committed_change_to_each_worklist_table_changes_the_version_once(world_db: str, table: str) -> None:
    engine = create_engine(world_db)
    with engine.connect() as reader, engine.connect() as writer:
        before = _version(reader)
        reader.commit()
        writer.execute(text(TOUCH[table]))
        writer.execute(text(TOUCH[table]))  # two statements, many rows: one transaction, one step
        assert _version(reader) == before  # not committed yet
        reader.commit()
        writer.commit()
        after = _version(reader)
    engine.dispose()
    assert after != before
    assert int(after.split(":")[0]) == int(before.split(":")[0]) + 1


def test_a_rolled_back_change_and_a_change_elsewhere_leave_the_version(world_db: str) -> None:
    engine = create_engine(world_db)
    with engine.connect() as connection:
        before = _version(connection)
        connection.execute(text(TOUCH["analysis"]))
        connection.rollback()
        connection.execute(text("UPDATE allele SET vcf_pos = vcf_pos"))  # no worklist reads variants
        connection.execute(text("UPDATE genepanel SET version = version"))
        connection.commit()
        assert _version(connection) == before
    engine.dispose()


def test_a_long_transaction_does_not_hold_up_the_others(world_db: str) -> None:
    """The version row is written when a transaction commits, so an import that writes an analysis for many
    seconds does not block another user's workflow change meanwhile (only a lock timeout would tell)."""
    engine = create_engine(world_db)
    with engine.connect() as long_one, engine.connect() as other:
        before = _version(other)
        other.commit()
        long_one.execute(text(TOUCH["sample"]))  # holds the sample rows, not the version row
        other.execute(text("SET lock_timeout = '2s'"))
        other.execute(text(TOUCH["interpretationlog"]))
        other.commit()
        middle = _version(other)
        other.commit()
        long_one.commit()
        after = _version(other)
    engine.dispose()
    assert len({before, middle, after}) == 3


def test_truncating_a_worklist_table_changes_the_version(world_db: str) -> None:
    engine = create_engine(world_db)
    with engine.connect() as connection:
        before = _version(connection)
        connection.commit()
        connection.execute(text("TRUNCATE interpretationlog"))
        connection.commit()
        assert _version(connection) != before
    engine.dispose()
