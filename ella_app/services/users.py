"""Users: deposit from ``users.json``, list, reset password, lock/unlock, modify, change password.

Passwords never leave these functions inside a ChangeReport (whose summary goes to the audit log): the
one-time passwords of new or reset users are returned separately, in clear exactly once, for the caller
to hand over. Only argon2 hashes are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ella_app.db.models import User, UserGroup, UserOldPassword, UserSession
from ella_app.errors import ConflictError, MissingDependencyError, NotFoundError
from ella_app.formats.users import UserEntry
from ella_app.security import passwords
from ella_app.security.passwords import PasswordPolicy
from ella_app.services.current_user import UserLike
from ella_app.services.results import ChangeReport, ProgressFn, no_progress


@dataclass
class UserChange:
    """A ChangeReport plus the one-time passwords it produced (kept out of the report on purpose)."""

    report: ChangeReport
    one_time_passwords: dict[str, str] = field(default_factory=dict)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _groups_by_name(session: Session, names: Iterable[str]) -> dict[str, UserGroup]:
    wanted = sorted(set(names))
    if not wanted:
        return {}
    return {g.name: g for g in session.scalars(select(UserGroup).where(UserGroup.name.in_(wanted)))}


def user_summary(user: UserLike) -> dict[str, Any]:
    """The user as the API shows them to themselves (``currentuser``, the answer to a login)."""
    return {
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "group": {"id": user.group.id, "name": user.group.name},
        "password_expiry": user.password_expiry.isoformat(),
        "active": user.active,
    }


def session_max_age(user: UserLike, now: dt.datetime | None = None) -> int:
    """Seconds the session cookie lives: until the password expires (ELLA's session expiry)."""
    return max(0, int((user.password_expiry - (now or _now())).total_seconds()))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user '{username}'")
    return user


def logout_sessions(session: Session, user: UserLike, now: dt.datetime | None = None) -> int:
    """End every open session of ``user``; returns how many were open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.logged_out.is_(None))
        .values(logged_out=now or _now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _set_new_password(session: Session, user: User, password_hash: str, expiry: dt.datetime) -> None:
    """Replace the password, keeping the previous hash in the history (for the no-reuse rule)."""
    if user.password:
        session.add(UserOldPassword(user_id=user.id, password=user.password))
    user.password = password_hash
    user.password_expiry = expiry


def add_users(
    session: Session,
    entries: Sequence[UserEntry],
    policy: PasswordPolicy,
    *,
    only_groups: Sequence[str] = (),
    progress: ProgressFn = no_progress,
) -> UserChange:
    """Upsert users by username (ELLA's ``users add_many``).

    New users get a random one-time password that is already expired, so it must be changed at the first
    login. Existing users get the given fields; their password is left alone. A user naming an unknown
    group is an error before anything is written. ``only_groups`` restricts the deposit to those groups.
    """
    groups = _groups_by_name(session, [e.group for e in entries] + list(only_groups))
    unknown_filter = [g for g in only_groups if g not in groups]
    if unknown_filter:
        raise MissingDependencyError(f"unknown user group(s) given with --group: {', '.join(unknown_filter)}")
    selected = [e for e in entries if not only_groups or e.group in only_groups]
    missing = [e for e in selected if e.group not in groups]
    if missing:
        details = "; ".join(f"user '{e.username}' names unknown group '{e.group}'" for e in missing)
        raise MissingDependencyError(f"{details} — deposit the user groups first ('users add_groups')")

    existing = {
        u.username: u for u in session.scalars(select(User).where(User.username.in_([e.username for e in selected])))
    }
    change = UserChange(ChangeReport(kind="users"))
    report = change.report
    for done, entry in enumerate(selected, start=1):
        values: dict[str, Any] = {k: v for k, v in entry.fields.items() if k != "group"}
        values["group_id"] = groups[entry.group].id
        user = existing.get(entry.username)
        if user is None:
            one_time = passwords.generate_one_time_password(policy)
            values.setdefault("email", None)
            values.setdefault("config", {})
            session.add(
                User(
                    username=entry.username,
                    password=passwords.hash_password(one_time),
                    password_expiry=passwords.EXPIRED,
                    **values,
                )
            )
            change.one_time_passwords[entry.username] = one_time
            report.created.append(entry.username)
        else:
            changed = {k: v for k, v in values.items() if getattr(user, k) != v}
            for key, value in changed.items():
                setattr(user, key, value)
            (report.updated if changed else report.unchanged).append(entry.username)
        progress("users", done, len(selected))
    session.flush()
    return change


def list_users(session: Session, groups: Sequence[str] = (), username: str | None = None) -> list[dict[str, Any]]:
    """Users with their group, state and last activity, ordered by group and username."""
    if groups:
        known = _groups_by_name(session, groups)
        unknown = [g for g in groups if g not in known]
        if unknown:
            raise NotFoundError(f"no user group(s): {', '.join(unknown)}")
    last_activity = (
        select(UserSession.user_id, func.max(UserSession.lastactivity).label("last"))
        .group_by(UserSession.user_id)
        .subquery()
    )
    query = (
        select(User, UserGroup.name, last_activity.c.last)
        .join(UserGroup, User.group_id == UserGroup.id)
        .outerjoin(last_activity, last_activity.c.user_id == User.id)
        .order_by(UserGroup.name, User.username)
    )
    if groups:
        query = query.where(UserGroup.name.in_(list(groups)))
    if username:
        query = query.where(User.username == username)
    now = _now()
    rows = []
    for user, group, last in session.execute(query):
        rows.append(
            {
                "id": user.id,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "group": group,
                "active": user.active,
                "incorrect_logins": user.incorrect_logins,
                "password_expiry": user.password_expiry.isoformat(),
                "password_expired": passwords.is_expired(user.password_expiry, now),
                "last_activity": last.isoformat() if last else None,
            }
        )
    if username and not rows:
        raise NotFoundError(f"no user '{username}'" + (f" in group(s) {', '.join(groups)}" if groups else ""))
    return rows


def reset_password(session: Session, username: str, policy: PasswordPolicy) -> UserChange:
    """A new one-time password (expired, so it must be changed at login); failed-login counter to 0; all
    sessions logged out. Does not re-activate a locked user (that is ``unlock``)."""
    user = get_user(session, username)
    one_time = passwords.generate_one_time_password(policy)
    _set_new_password(session, user, passwords.hash_password(one_time), passwords.EXPIRED)
    user.incorrect_logins = 0
    ended = logout_sessions(session, user)
    report = ChangeReport(kind="password reset", updated=[username], extra={"sessions_logged_out": ended})
    if not user.active:
        report.messages.append(f"user '{username}' is locked; 'users unlock {username}' lets them log in again")
    session.flush()
    return UserChange(report, {username: one_time})


def lock_user(session: Session, username: str) -> ChangeReport:
    """Deactivate the user and end their sessions (no login until ``unlock``)."""
    user = get_user(session, username)
    ended = logout_sessions(session, user)
    report = ChangeReport(kind="user lock", extra={"sessions_logged_out": ended})
    if user.active or ended:
        user.active = False
        report.updated.append(username)
    else:
        report.unchanged.append(username)
        report.messages.append(f"user '{username}' was already locked")
    session.flush()
    return report


def unlock_user(session: Session, username: str) -> ChangeReport:
    """Re-activate the user and clear the failed-login counter (the password is unchanged)."""
    user = get_user(session, username)
    report = ChangeReport(kind="user unlock")
    if not user.active or user.incorrect_logins:
        user.active = True
        user.incorrect_logins = 0
        report.updated.append(username)
        if passwords.is_expired(user.password_expiry):
            report.messages.append(f"the password of '{username}' has expired; see 'users reset_password'")
    else:
        report.unchanged.append(username)
    session.flush()
    return report


MODIFIABLE = ("username", "first_name", "last_name", "email", "group")


def plan_modify(session: Session, username: str, changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The (field, old, new) differences ``modify_user`` would apply; checks the user, group and new name."""
    user = get_user(session, username)
    unknown_keys = set(changes) - set(MODIFIABLE)
    if unknown_keys:
        raise ValueError(f"cannot modify {', '.join(sorted(unknown_keys))}")
    current = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "group": user.group.name,
    }
    if "group" in changes and not _groups_by_name(session, [changes["group"]]):
        raise MissingDependencyError(f"no user group '{changes['group']}'")
    new_name = changes.get("username")
    if new_name and new_name != username and session.scalar(select(User.id).where(User.username == new_name)):
        raise ConflictError(f"username '{new_name}' is taken")
    return [(key, current[key], value) for key, value in changes.items() if current[key] != value]


def modify_user(session: Session, username: str, changes: dict[str, Any]) -> ChangeReport:
    diff = plan_modify(session, username, changes)
    user = get_user(session, username)
    report = ChangeReport(kind="users")
    for key, _old, new in diff:
        if key == "group":
            user.group_id = _groups_by_name(session, [new])[new].id
        else:
            setattr(user, key, new)
    if diff:
        report.updated.append(user.username)
        report.extra["fields"] = [key for key, _old, _new in diff]
    else:
        report.unchanged.append(username)
    session.flush()
    return report


def change_password(
    session: Session,
    user: User,
    new_password: str,
    policy: PasswordPolicy,
    now: dt.datetime | None = None,
) -> None:
    """Set a password the user chose (the API's ``changepassword``): the policy, no reuse of the current or
    the last ``old_passwords_kept`` passwords, new expiry, counter reset, every session logged out."""
    old_hashes = session.scalars(
        select(UserOldPassword.password)
        .where(UserOldPassword.user_id == user.id)
        .order_by(UserOldPassword.expired.desc(), UserOldPassword.id.desc())
        .limit(policy.old_passwords_kept)
    ).all()
    passwords.check_new_password(policy, new_password, current_hash=user.password, old_hashes=old_hashes)
    now = now or _now()
    _set_new_password(session, user, passwords.hash_password(new_password), passwords.password_expiry(policy, now))
    user.incorrect_logins = 0
    logout_sessions(session, user, now)
    session.flush()
