"""Users as the API shows them to colleagues (ELLA's ``users/``, ``users/<id>/`` and ``overviews/userstats/``).

A user sees the users of their own group only (ELLA lists the group's users; a user of another group is "not
found", as every object outside the caller's reach). Shown: ELLA's user fields without the password expiry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ella_app.db.models import AlleleInterpretation, AnalysisInterpretation, User, UserGroup
from ella_app.errors import NotFoundError
from ella_app.services import access
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids
from ella_app.services.list_filter import INT, TEXT, conditions

_FILTER = {
    "id": (User.id, INT),
    "username": (User.username, TEXT),
    "first_name": (User.first_name, TEXT),
    "last_name": (User.last_name, TEXT),
}


def abbreviated_name(first: str, last: str) -> str:
    """ELLA's ``abbrev_name``: the initials of the first name and of every last name but the final one, then the
    final last name ("Ada Maria van Dijk" -> "A. v. Dijk")."""
    *middle, final = last.split() or [""]
    initials = [f"{word[0]}." for word in [first, *middle] if word]
    return " ".join([*initials, final]).strip()


def _person(user: UserLike) -> dict[str, Any]:
    """The fields every view of a user shares: who they are, their names as ELLA writes them, whether active."""
    first, last = user.first_name or "", user.last_name or ""
    return {
        "id": user.id,
        "username": user.username,
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}".strip(),
        "abbrev_name": abbreviated_name(first, last),
        "active": user.active,
    }


def _user_json(user: UserLike, group: UserGroup) -> dict[str, Any]:
    return {**_person(user), "email": user.email, "group": {"id": group.id, "name": group.name}}


def colleague_json(user: UserLike, group_name: str) -> dict[str, Any]:
    """A user as ELLA's ``UserSchema`` shows them next to their work (e.g. the ``users`` of a work log): no
    e-mail, the group by name."""
    return {**_person(user), "user_group_name": group_name}


def colleagues(session: Session, user_ids: set[int]) -> list[dict[str, Any]]:
    """ELLA's ``UserSchema`` of these users, by id."""
    if not user_ids:
        return []
    rows = session.execute(
        select(User, UserGroup.name)
        .join(UserGroup, UserGroup.id == User.group_id)
        .where(User.id == int_ids(user_ids))
        .order_by(User.id)
    ).tuples()
    return [colleague_json(found, group_name) for found, group_name in rows]


def group_users(
    session: Session, caller: UserLike, q: Any, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The users of the caller's group matching ELLA's ``q`` filter, by username; (page, total)."""
    query = select(User).where(User.group_id == caller.group_id, *conditions(q, _FILTER))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(query.order_by(User.username).offset((page - 1) * per_page).limit(per_page))
    group = session.get(UserGroup, caller.group_id)
    assert group is not None
    return [_user_json(u, group) for u in rows], total


def group_user(session: Session, caller: UserLike, user_id: int) -> dict[str, Any]:
    found = session.get(User, user_id) if access.valid_id(user_id) else None
    if found is None or found.group_id != caller.group_id:
        raise NotFoundError(f"no user {user_id}")
    group = session.get(UserGroup, caller.group_id)
    assert group is not None
    return _user_json(found, group)


def user_stats(session: Session, caller: UserLike) -> dict[str, int]:
    """ELLA's dashboard figures: how many analyses and variants the caller has worked on (any round)."""
    analyses = session.scalar(
        select(func.count(func.distinct(AnalysisInterpretation.analysis_id))).where(
            AnalysisInterpretation.user_id == caller.id
        )
    )
    alleles = session.scalar(
        select(func.count(func.distinct(AlleleInterpretation.allele_id))).where(
            AlleleInterpretation.user_id == caller.id
        )
    )
    return {"analyses_cnt": int(analyses or 0), "alleles_cnt": int(alleles or 0)}
