"""``services.users.change_password``: the policy, no reuse of recent passwords, expiry, sessions ended."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from ella_app.db.models import User, UserGroup, UserSession
from ella_app.security import passwords
from ella_app.security.passwords import PasswordPolicy, PasswordPolicyError
from ella_app.services.users import change_password

POLICY = PasswordPolicy(
    minimum_length=8, match_groups=(".*[a-z].*", ".*[0-9].*"), num_match_groups=2, expiry_days=30, old_passwords_kept=2
)


@pytest.fixture
def session(db_url):
    engine = create_engine(db_url)
    with Session(engine) as session:
        group = UserGroup(name="g", config={})
        session.add(group)
        session.flush()
        user = User(
            username="u",
            first_name="U",
            last_name="V",
            group_id=group.id,
            password=passwords.hash_password("first0pass"),
            password_expiry=passwords.EXPIRED,
            incorrect_logins=3,
            config={},
        )
        session.add(user)
        session.flush()
        session.add(UserSession(user_id=user.id, token="a" * 64, expires=dt.datetime.now(dt.UTC)))
        session.flush()
        yield session
        session.rollback()
    engine.dispose()


def test_change_password_sets_hash_expiry_and_ends_sessions(session):
    user = session.scalar(select(User))
    now = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    change_password(session, user, "second0pass", POLICY, now)
    assert passwords.verify_password(user.password, "second0pass")
    assert user.password_expiry == dt.datetime(2024, 6, 1, 2, 0, tzinfo=dt.UTC)
    assert user.incorrect_logins == 0
    assert all(s.logged_out == now for s in session.scalars(select(UserSession)))


def test_change_password_refuses_weak_current_and_recent_passwords(session):
    user = session.scalar(select(User))
    with pytest.raises(PasswordPolicyError, match="shorter than 8"):
        change_password(session, user, "a1", POLICY)
    with pytest.raises(PasswordPolicyError, match="current password"):
        change_password(session, user, "first0pass", POLICY)
    change_password(session, user, "second0pass", POLICY)
    change_password(session, user, "third0pass", POLICY)
    with pytest.raises(PasswordPolicyError, match="one of the last 2 passwords"):
        change_password(session, user, "first0pass", POLICY)
    change_password(session, user, "fourth0pass", POLICY)
    change_password(session, user, "first0pass", POLICY)  # now older than the last two
