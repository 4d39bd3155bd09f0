"""Logging in and out: ELLA's rules (lock-out, expiry, inactive users) on top of security.passwords.

``login`` never raises for bad credentials: the failed-login counter must be committed even though the
attempt fails, so it returns an outcome and the caller commits, then answers 401.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ella_app.db.models import User, UserGroup, UserSession
from ella_app.db.prepared import Prepared
from ella_app.db.session import writable
from ella_app.security import passwords, tokens
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import users as user_service
from ella_app.services.current_user import CurrentGroup, CurrentUser

# Last activity is written at most this often, so that reads do not each cost a write.
LAST_ACTIVITY_RESOLUTION = dt.timedelta(minutes=1)

_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash to verify against when the username is unknown, made with the current hashing parameters, so
    that unknown users cost the same argon2 work as known ones."""
    global _dummy_hash
    if _dummy_hash is None or passwords.needs_rehash(_dummy_hash):
        _dummy_hash = passwords.hash_password(tokens.new_token())
    return _dummy_hash


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    reason: str  # ok | invalid | inactive | locked | expired
    token: str | None = None
    user: User | None = None

    @property
    def message(self) -> str:
        return {
            "ok": "logged in",
            "invalid": "invalid username or password",
            "inactive": "this user is deactivated; ask an administrator",
            "locked": "too many failed logins; ask an administrator to reset your password",
            "expired": "the password has expired and must be changed",
        }[self.reason]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_credentials(session: Session, username: str, password: str, policy: PasswordPolicy) -> LoginOutcome:
    """Verify a username and password; counts failures and applies ELLA's lock-out.

    No account enumeration: a wrong password answers "invalid" alike for unknown, locked, deactivated and
    ordinary users, after the same argon2 verification (a dummy hash for unknown users). Only the holder of
    the right password learns that the account is locked or deactivated. The failed-login counter stops at
    the lock-out limit (no write for a locked account, as for an unknown one).
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        passwords.verify_password(_dummy(), password)
        return LoginOutcome(False, "invalid")
    if not passwords.verify_password(user.password, password):
        if user.active and user.incorrect_logins < policy.max_failed_logins:
            user.incorrect_logins += 1
            session.flush()
        return LoginOutcome(False, "invalid", user=user)
    if not user.active:
        return LoginOutcome(False, "inactive", user=user)
    if user.incorrect_logins >= policy.max_failed_logins:
        return LoginOutcome(False, "locked", user=user)
    if passwords.needs_rehash(user.password):
        user.password = passwords.hash_password(password)
    user.incorrect_logins = 0
    session.flush()
    return LoginOutcome(True, "ok", user=user)


def login(session: Session, username: str, password: str, policy: PasswordPolicy) -> LoginOutcome:
    """Check the credentials and open a session whose token is returned once (only its hash is stored)."""
    outcome = check_credentials(session, username, password, policy)
    if not outcome.ok:
        return outcome
    user = outcome.user
    assert user is not None
    if passwords.is_expired(user.password_expiry):
        return LoginOutcome(False, "expired", user=user)
    token = tokens.new_token()
    session.add(UserSession(user_id=user.id, token=tokens.token_digest(token), expires=user.password_expiry))
    session.flush()
    return LoginOutcome(True, "ok", token=token, user=user)


def change_password(
    session: Session, username: str, password: str, new_password: str, policy: PasswordPolicy
) -> LoginOutcome:
    """Change a password with the current one (works for an expired or one-time password)."""
    outcome = check_credentials(session, username, password, policy)
    if outcome.ok and outcome.user is not None:
        user_service.change_password(session, outcome.user, new_password, policy)
    return outcome


@dataclass(frozen=True)
class OpenSession:
    """The login session a request came with (``id``), and whether its last activity is due to be recorded."""

    id: int
    activity_due: bool


def _columns(model: type[Any], names: Sequence[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


_USER_FIELDS = [f.name for f in fields(CurrentUser) if f.name != "group"]
_GROUP_FIELDS = [f.name for f in fields(CurrentGroup)]
# Every authenticated request runs this: one prepared statement for the session, its user and the user's group,
# read as plain columns into a CurrentUser (an ORM User per request cost a quarter of the whole request).
_SESSION_BY_TOKEN = Prepared(
    "auth_session_by_token",
    select(
        UserSession.id,
        UserSession.logged_out,
        UserSession.expires,
        UserSession.lastactivity,
        *_columns(User, _USER_FIELDS),
        *_columns(UserGroup, _GROUP_FIELDS),
    )
    .join(User, User.id == UserSession.user_id)
    .join(UserGroup, UserGroup.id == User.group_id)
    .where(UserSession.token == bindparam("token")),
)


def user_for_token(session: Session, token: str) -> tuple[CurrentUser, OpenSession] | None:
    """The user behind a session token, if the session is open, unexpired and the user active."""
    if not token or len(token) != 2 * tokens.TOKEN_BYTES:
        return None
    found = _SESSION_BY_TOKEN.first(session, {"token": tokens.token_digest(token)})
    if found is None:
        return None
    session_id, logged_out, expires, lastactivity = found[:4]
    user = dict(zip(_USER_FIELDS, found[4 : 4 + len(_USER_FIELDS)], strict=True))
    group = CurrentGroup(*found[4 + len(_USER_FIELDS) :])
    now = _now()
    if logged_out is not None or expires <= now or not user["active"]:
        return None
    current = CurrentUser(**user, group=group)
    return current, OpenSession(session_id, activity_due=now - lastactivity > LAST_ACTIVITY_RESOLUTION)


def record_activity(session: Session, open_session: OpenSession) -> None:
    """Write the session's last activity, in a transaction of its own (a read-only request's session cannot)."""
    with Session(writable(session.get_bind().engine)) as own, own.begin():
        own.execute(update(UserSession).where(UserSession.id == open_session.id).values(lastactivity=_now()))


def logout(session: Session, open_session: OpenSession) -> None:
    session.execute(update(UserSession).where(UserSession.id == open_session.id).values(logged_out=_now()))
