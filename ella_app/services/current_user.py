"""Who makes a request, as the services read it: :class:`UserLike`, met by the ORM ``User`` and by the plain
:class:`CurrentUser` the session check builds for every authenticated request (services/auth.py).

Services that only read the caller (their id, group, names, config) take a ``UserLike``; the few that change a
user load the ORM ``User`` themselves (services/users.py). Building an ORM object per request cost a quarter of
what an authenticated request that does nothing costs (issue 11); a frozen dataclass costs almost nothing, and it
cannot be changed by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol


class GroupLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def config(self) -> Any: ...
    @property
    def default_import_genepanel_name(self) -> str | None: ...
    @property
    def default_import_genepanel_version(self) -> str | None: ...


class UserLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def group_id(self) -> int: ...
    @property
    def password_expiry(self) -> dt.datetime: ...
    @property
    def active(self) -> bool: ...
    @property
    def config(self) -> Any: ...
    @property
    def group(self) -> GroupLike: ...


@dataclass(frozen=True, slots=True)
class CurrentGroup:
    id: int
    name: str
    config: Any
    default_import_genepanel_name: str | None
    default_import_genepanel_version: str | None


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The logged-in user of a request (no password hash: nothing in a request needs it)."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str | None
    group_id: int
    password_expiry: dt.datetime
    active: bool
    config: Any
    group: CurrentGroup
