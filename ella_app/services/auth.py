"""Logging in and out: ELLA's rules (lock-out, expiry, inactive users) on top of security.passwords.

``login`` never raises for bad credentials: the failed-login counter must be committed even though the
attempt fails, so it returns an outcome and the caller commits, then answers 401.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from ella_app.db.models import User, UserSession
from ella_app.security import passwords, tokens
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import users as user_service

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


# One round trip for the session, its user and the user's group: every authenticated request pays it. Built once:
# building the statement per request (its clauses and their cache key) cost about as much as running it.
_SESSION_BY_TOKEN = (
    select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .options(joinedload(User.group))
    .where(UserSession.token == bindparam("token"))
)


def user_for_token(session: Session, token: str) -> tuple[User, UserSession] | None:
    """The user behind a session token, if the session is open, unexpired and the user active."""
    if not token or len(token) != 2 * tokens.TOKEN_BYTES:
        return None
    found = session.execute(_SESSION_BY_TOKEN, {"token": tokens.token_digest(token)}).first()
    now = _now()
    if found is None:
        return None
    row, user = found
    if row.logged_out is not None or row.expires <= now or not user.active:
        return None
    if now - row.lastactivity > LAST_ACTIVITY_RESOLUTION:
        row.lastactivity = now
    return user, row


def logout(session: Session, user_session: UserSession) -> None:
    user_session.logged_out = _now()
    session.flush()
