"""One database session per request (api/db.py): what a request did not commit is gone when it ends, and the
pooled connection goes back with no transaction open, whether the view returned or raised."""

from __future__ import annotations

from sqlalchemy import func, select, text

from ella_app.api.db import db
from ella_app.db.models import Broadcast
from tests.api.factories import make_app, session_for


def test_what_a_request_did_not_commit_is_gone_after_it(db_url, tmp_path):
    app = make_app(db_url, tmp_path)

    @app.get("/test-uncommitted/<int:fail>")
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
    answer = client.get("/test-uncommitted/0")
    assert answer.status_code == 200 and answer.json == {"status": True}
    assert client.get("/test-uncommitted/1").status_code == 500
    with session_for(db_url) as session:
        kept = session.scalar(select(func.count()).select_from(Broadcast).where(Broadcast.message == "never committed"))
    assert kept == 0
    # the next request on the same pool sees a clean connection: its statement runs (no aborted transaction)
    assert client.get("/test-transaction").json == {"found": 0}
