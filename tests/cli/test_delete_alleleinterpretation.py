"""``ella-cli delete alleleinterpretation ALLELE_ID [--delete-all]``: the variant workflow's rounds since it was
last finalized (or all) go with their state history; assessments, reports and the work log stay.

Mirrors ELLA src/cli/commands/delete/delete.py::cmd_alleleinterpretation_delete (rounds created after the last
finalized one; --delete-all: every round; confirmation 'y'; reason).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import (
    AlleleAssessment,
    AlleleInterpretation,
    InterpretationLog,
    InterpretationStateHistory,
    User,
)
from tests.cli.test_delete import PANEL, build_world
from tests.conftest import table_snapshot


def add_rounds(db_url: str, allele_id: int, finalized: list[bool | None]) -> list[int]:
    """Rounds of the variant workflow, oldest first, a state history row each; the work log gets a comment."""
    engine = create_engine(db_url)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = []
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User)).first()
        for i, done in enumerate(finalized):
            status = "Done" if done is not None else "Ongoing"
            row = AlleleInterpretation(
                allele_id=allele_id, user_id=user.id, status=status, finalized=done, date_created=start
                + dt.timedelta(days=i), **PANEL,
            )  # fmt: skip
            session.add(row)
            session.flush()
            session.add(InterpretationStateHistory(alleleinterpretation_id=row.id, state={"round": i}))
            ids.append(row.id)
        session.add(InterpretationLog(allele_id=allele_id, review_comment="check the family", user_id=user.id))
    engine.dispose()
    return ids


def rows(db_url: str) -> dict[str, int | list[int]]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        result: dict[str, int | list[int]] = {
            "rounds": list(session.scalars(select(AlleleInterpretation.id).order_by(AlleleInterpretation.id))),
            "history": session.scalar(select(func.count()).select_from(InterpretationStateHistory)
                                      .where(InterpretationStateHistory.alleleinterpretation_id.is_not(None))),
            "assessments": session.scalar(select(func.count()).select_from(AlleleAssessment)),
            "log": session.scalar(select(func.count()).select_from(InterpretationLog)
                                  .where(InterpretationLog.allele_id.is_not(None))),
        }  # fmt: skip
    engine.dispose()
    return result


def test_rounds_since_the_last_finalized_one_are_deleted(cli, db_url):
    ids = build_world(db_url)
    rounds = add_rounds(db_url, ids["allele"], [True, False, True, False, None])  # finalized: 1st and 3rd
    result = cli.ok("delete", "alleleinterpretation", str(ids["allele"]), "--force", "--reason", "redo", "--json")
    report = result.json()
    assert report["changed"] is True and report["deleted"] == 2 and report["rounds_deleted"] == 2
    after = rows(db_url)
    assert after["rounds"] == rounds[:3] and after["history"] == 3
    assert (after["assessments"], after["log"]) == (1, 1)  # kept
    engine = create_engine(db_url)
    with engine.connect() as conn:
        log = conn.execute(text("SELECT groupcommand, command, reason FROM clilog")).one()
    engine.dispose()
    assert tuple(log) == ("delete", "alleleinterpretation", "redo")
    again = cli.ok("delete", "alleleinterpretation", str(ids["allele"]), "--force", "--json").json()
    assert again["changed"] is False and "nothing to delete" in again["messages"][0]


def test_delete_all_and_a_variant_never_finalized(cli, db_url):
    ids = build_world(db_url)
    add_rounds(db_url, ids["allele"], [False, None])
    assert cli.ok("delete", "alleleinterpretation", str(ids["allele"]), "--force", "--json").json()["deleted"] == 2
    add_rounds(db_url, ids["allele"], [True, True, None])
    everything = cli.ok("delete", "alleleinterpretation", str(ids["allele"]), "--delete-all", "--force", "--json")
    assert everything.json()["deleted"] == 3
    assert rows(db_url)["rounds"] == [] and rows(db_url)["assessments"] == 1


def test_asks_for_y_shows_the_rounds_and_refuses_unknown_alleles(cli, db_url):
    ids = build_world(db_url)
    add_rounds(db_url, ids["allele"], [True, False])
    before = table_snapshot(db_url)
    refused = cli("delete", "alleleinterpretation", str(ids["allele"]), input="n\n")
    assert refused.exit_code == 1 and "nothing was deleted" in refused.stderr
    assert "13-32890572-G-A (GRCh37)" in refused.stderr and "overview comment: check the family" in refused.stderr
    assert "  2 - Interpretation - testuser1 - 20" in refused.stderr  # the 2nd round: the one to go
    assert table_snapshot(db_url) == before
    done = cli.ok("delete", "alleleinterpretation", str(ids["allele"]), input="y\n")
    assert "alleleinterpretation: 1 deleted" in done.stdout
    unknown = cli("delete", "alleleinterpretation", "999999", "--force")
    assert unknown.exit_code == 4 and "no allele with id 999999" in unknown.stderr
