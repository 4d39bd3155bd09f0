"""``POST /api/v1/ui/exceptionlog/``: the web UI reports an error it caught in the browser (ELLA's
``uiexception`` table). A session is optional, as in ELLA (errors on the login page count too); nginx limits
how often one client may report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from ella_app.api.db import db
from ella_app.api.openapi import op
from ella_app.api.validation import body
from ella_app.errors import InputError
from ella_app.services import resourcelog

MAX_REPORT = 200_000  # bytes of one report

bp = Blueprint("ui", __name__)


@bp.post("/ui/exceptionlog/")
def exceptionlog() -> Any:
    if (request.content_length or 0) > MAX_REPORT:
        raise InputError(f"an error report may have at most {MAX_REPORT} bytes")
    data = body("UiException")
    user, user_session = g.get("user"), g.get("user_session")
    resourcelog.record_ui_exception(
        db(),
        user_id=user.id if user is not None else None,
        usersession_id=user_session.id if user_session is not None else None,
        message=data["message"],
        location=data.get("location"),
        stacktrace=data.get("stacktrace"),
        state=data.get("state"),
    )
    db().commit()
    return Response(status=204)


PATHS = {
    "/ui/exceptionlog/": {
        "post": op(
            "Report an error the web UI caught (stored in uiexception with the session, if any)",
            "meta",
            body="UiException",
            status="204",
            public=True,
        )
    }
}
