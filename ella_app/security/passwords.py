"""Password hashing, the password policy of ``ella_config.yml`` (``user.auth``), expiry and one-time passwords.

This module is the one place for these rules; the CLI and the API both call it. It knows nothing of the
database: checks that need a user's old password hashes take them as arguments.

Hashes are argon2id (argon2-cffi). ELLA stored bcrypt (``$2b$…``); users migrated from ELLA
(``ella-cli database import-ella``) keep those hashes, which are verified here with bcrypt, and
``needs_rehash`` is true for them, so the first successful login stores an argon2 hash instead.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ella_app.errors import ConfigError, InputError

# A password that must be changed at the next login carries an expiry in the past (ELLA uses the epoch).
EXPIRED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Defaults for the optional keys of user.auth (ELLA hard-codes them).
DEFAULT_MAX_FAILED_LOGINS = 6
DEFAULT_OLD_PASSWORDS_KEPT = 13

# Characters of generated passwords: no look-alikes (0/O, 1/l/I) and no characters that need quoting in a
# shell or break a TSV line.
_UPPER = "".join(c for c in string.ascii_uppercase if c not in "IO")
_LOWER = "".join(c for c in string.ascii_lowercase if c not in "l")
_DIGITS = "23456789"
_SYMBOLS = "-_.,+=%@#"
_ALPHABET = _UPPER + _LOWER + _DIGITS + _SYMBOLS

_hasher = PasswordHasher()


class PasswordPolicyError(InputError):
    """A new password breaks the policy; the message lists every rule it breaks."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("password rejected: " + "; ".join(problems))


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    match_groups: tuple[str, ...] = ()
    match_groups_descr: tuple[str, ...] = ()
    num_match_groups: int = 0
    expiry_days: int = 90
    old_passwords_kept: int = DEFAULT_OLD_PASSWORDS_KEPT
    max_failed_logins: int = DEFAULT_MAX_FAILED_LOGINS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PasswordPolicy:
        """The policy of a validated ``ella_config.yml`` (the whole config or its ``user.auth`` part)."""
        auth = config["user"].get("auth", {}) if "user" in config else config
        try:
            groups = tuple(str(g) for g in auth.get("password_match_groups", ()))
            for pattern in groups:
                re.compile(pattern)
            policy = cls(
                minimum_length=int(auth["password_minimum_length"]),
                match_groups=groups,
                match_groups_descr=tuple(str(d) for d in auth.get("password_match_groups_descr", ())),
                num_match_groups=int(auth["password_num_match_groups"]),
                expiry_days=int(auth["password_expiry_days"]),
                old_passwords_kept=int(auth.get("old_passwords_kept", DEFAULT_OLD_PASSWORDS_KEPT)),
                max_failed_logins=int(auth.get("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS)),
            )
        except KeyError as exc:
            raise ConfigError(f"user.auth.{exc.args[0]} is missing from the config") from None
        except re.error as exc:
            raise ConfigError(f"user.auth.password_match_groups: invalid regular expression: {exc}") from None
        if policy.num_match_groups > len(policy.match_groups):
            raise ConfigError(
                f"user.auth.password_num_match_groups is {policy.num_match_groups} but only "
                f"{len(policy.match_groups)} password_match_groups are configured"
            )
        return policy

    def describe_group(self, index: int) -> str:
        if index < len(self.match_groups_descr):
            return self.match_groups_descr[index]
        return self.match_groups[index]

    def problems(self, password: str) -> list[str]:
        """Every rule of the policy ``password`` breaks (empty when it is acceptable)."""
        found = []
        if len(password) < self.minimum_length:
            found.append(f"shorter than {self.minimum_length} characters")
        matched = [i for i, pattern in enumerate(self.match_groups) if re.match(pattern, password)]
        if len(matched) < self.num_match_groups:
            missing = [self.describe_group(i) for i in range(len(self.match_groups)) if i not in matched]
            found.append(
                f"uses {len(matched)} of the required {self.num_match_groups} character groups "
                f"(missing: {', '.join(missing)})"
            )
        return found


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# ELLA's hashes: bcrypt's modular-crypt prefixes (the Python bcrypt package writes $2b$).
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


def is_bcrypt_hash(password_hash: str) -> bool:
    return password_hash.startswith(_BCRYPT_PREFIXES)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (argon2, or bcrypt as ELLA stored it); False for a
    mismatch or a hash we cannot read."""
    if is_bcrypt_hash(password_hash):
        try:
            # ELLA's bcrypt library used the first 72 bytes of a password; today's refuses longer ones.
            return bcrypt.checkpw(password.encode("utf-8")[:72], password_hash.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (or another algorithm) than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def check_new_password(
    policy: PasswordPolicy,
    password: str,
    *,
    current_hash: str | None = None,
    old_hashes: Iterable[str] = (),
) -> None:
    """Raise PasswordPolicyError unless ``password`` meets the policy and is neither the current password
    nor one of the last ``policy.old_passwords_kept`` old ones (``old_hashes``, newest first)."""
    found = policy.problems(password)
    if current_hash is not None and verify_password(current_hash, password):
        found.append("same as the current password")
    elif any(verify_password(h, password) for h in list(old_hashes)[: policy.old_passwords_kept]):
        found.append(f"one of the last {policy.old_passwords_kept} passwords")
    if found:
        raise PasswordPolicyError(found)


def password_expiry(policy: PasswordPolicy, now: dt.datetime | None = None) -> dt.datetime:
    """When a password set at ``now`` expires: the next 02:00 UTC, plus ``expiry_days`` days."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    next_two = now.replace(hour=2, minute=0, second=0, microsecond=0)
    if next_two <= now:
        next_two += dt.timedelta(days=1)
    return next_two + dt.timedelta(days=policy.expiry_days)


def is_expired(expiry: dt.datetime, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=dt.UTC)
    return expiry <= now


def generate_one_time_password(policy: PasswordPolicy, length: int = 16) -> str:
    """A random password (``secrets``) that satisfies ``policy``; at least ``length`` characters long.

    It has one character of each kind (upper, lower, digit, symbol), so the usual match groups are met;
    a policy whose groups it still misses gets a ConfigError after a number of attempts rather than a loop.
    """
    size = max(length, policy.minimum_length, 4)
    for _ in range(200):
        chars = [secrets.choice(pool) for pool in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(_ALPHABET) for _ in range(size - len(chars))]
        # Fisher-Yates with the secrets generator.
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        candidate = "".join(chars)
        if not policy.problems(candidate):
            return candidate
    raise ConfigError("cannot generate a password that satisfies user.auth.password_match_groups")
