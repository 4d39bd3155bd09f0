"""One database session per request (api/db.py): what a request did not commit is gone when it ends, and the
pooled connection goes back with no transaction open, whether the view returned or raised. A GET's session is
read-only (db/session.py's read engine): a write there fails and leaves nothing."""

from __future__ import annotations

from sqlalchemy import func, select, text

from ella_app.api.db import db
from ella_app.db.models import Broadcast
from tests.api.factories import make_app, session_for


def test_what_a_request_did_not_commit_is_gone_after_it(db_url, tmp_path):
    app = make_app(db_url, tmp_path)

    @app.post("/test-uncommitted/<int:fail>")
    def uncommitted(fail: int):
        db().add(Broadcast(message="never committed", active=True))
        db().flush()  # the row is in the database's open transaction
        if fail:
            raise RuntimeError("the view failed after writing")
        return {"status": db().execute(text("SELECT txid_current_if_assigned() IS NOT NULL")).scalar()}

    @app.get("/test-transaction")
    def transaction():
        found = db().execute(text("SELECT count(*) FROM broadcast WHERE message = 'never committed'")).scalar()
        return {"found": found}

    app.testing = False  # a failing view answers 500 instead of raising into the test
    client = app.test_client()
    answer = client.post("/test-uncommitted/0")
    assert answer.status_code == 200 and answer.json == {"status": True}
    assert client.post("/test-uncommitted/1").status_code == 500
    with session_for(db_url) as session:
        kept = session.scalar(select(func.count()).select_from(Broadcast).where(Broadcast.message == "never committed"))
    assert kept == 0
    # the next request on the same pool sees a clean connection: its statement runs (no aborted transaction)
    assert client.get("/test-transaction").json == {"found": 0}


def test_a_read_only_request_runs_outside_a_transaction_and_cannot_write(db_url, tmp_path):
    app = make_app(db_url, tmp_path)

    @app.get("/test-read")
    def read():
        in_transaction = db().execute(text("SELECT now() <> statement_timestamp()")).scalar()
        read_only = db().execute(text("SHOW transaction_read_only")).scalar()
        return {"in_transaction": in_transaction, "read_only": read_only}

    @app.get("/test-write")
    def write():
        db().add(Broadcast(message="written on a GET", active=True))
        db().commit()
        return {}

    app.testing = False
    client = app.test_client()
    # now() is the transaction's start, statement_timestamp() the statement's: equal when each statement is its own
    assert client.get("/test-read").json == {"in_transaction": False, "read_only": "on"}
    assert client.get("/test-write").status_code == 500  # a programming error, not the client's
    with session_for(db_url) as session:
        written = Broadcast.message == "written on a GET"
        kept = session.scalar(select(func.count()).select_from(Broadcast).where(written))
    assert kept == 0
