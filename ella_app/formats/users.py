"""ELLA's ``users.json`` (``ella-cli users add_many``): a JSON array of
``{username, first_name, last_name, email?, group, config?}``.

Differences from ELLA, on purpose: a ``password`` (or ``password_expiry``) key is rejected — ELLA would
have stored it unhashed — and a username listed twice is an error instead of "last one wins".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.errors import InputError, InputErrors
from ella_app.formats.jsonfile import entry_line, load_schema, read_json, validate_entries

# Keys of ELLA's demo user files that we refuse to read.
PASSWORD_KEYS = ("password", "password_expiry")
# Keys that are copied onto the user when present (username is the identity, never updated from a file).
USER_FIELDS = ("first_name", "last_name", "email", "group", "config")


@dataclass(frozen=True)
class UserEntry:
    username: str
    group: str
    # The keys the file gives for this user (subset of USER_FIELDS); absent keys leave a user unchanged.
    fields: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


def parse_users(path: str | Path) -> list[UserEntry]:
    """Read and validate a users file; every problem names the file, the line and the key."""
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, list):
        raise InputError("expected a JSON array of users", source=str(path), line=1)
    text = path.read_text(encoding="utf-8")

    def line_of(index: int) -> int | None:
        return entry_line(text, index)

    problems: list[InputError] = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            continue
        for key in PASSWORD_KEYS:
            if key in entry:
                problems.append(
                    InputError(
                        "passwords are never read from a users file (they would be stored unhashed); remove the "
                        "key — new users get a one-time password, existing ones keep theirs "
                        "(see 'users reset_password')",
                        source=str(path),
                        line=line_of(index),
                        key=f"{index}.{key}",
                    )
                )
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)

    validate_entries(path, data, load_schema("users.json"))

    entries: list[UserEntry] = []
    first_seen: dict[str, int | None] = {}
    for index, entry in enumerate(data):
        line = line_of(index)
        username = entry["username"]
        if username in first_seen:
            problems.append(
                InputError(
                    f"duplicate username '{username}' (first listed at line {first_seen[username]})",
                    source=str(path),
                    line=line,
                    key=f"{index}.username",
                )
            )
            continue
        first_seen[username] = line
        fields = {key: entry[key] for key in USER_FIELDS if key in entry}
        entries.append(UserEntry(username=username, group=entry["group"], fields=fields, line=line))
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return entries
