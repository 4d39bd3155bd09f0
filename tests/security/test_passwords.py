"""The password rules: hashing, policy from the config, no reuse, expiry, one-time passwords, tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from argon2 import PasswordHasher

from ella_app.config import load_config_file
from ella_app.errors import ConfigError
from ella_app.security import passwords
from ella_app.security.passwords import PasswordPolicy, PasswordPolicyError
from ella_app.security.tokens import new_token, token_digest, token_matches
from tests.conftest import EXAMPLE_CONFIG

POLICY = PasswordPolicy(
    minimum_length=10,
    match_groups=(".*[A-Z].*", ".*[a-z].*", ".*[0-9].*", ".*[^A-Za-z0-9].*"),
    match_groups_descr=("upper", "lower", "digit", "special"),
    num_match_groups=3,
    expiry_days=90,
    old_passwords_kept=3,
)


def test_policy_from_the_example_config():
    policy = PasswordPolicy.from_config(load_config_file(str(EXAMPLE_CONFIG), {}))
    assert policy.minimum_length == 12 and policy.num_match_groups == 3 and len(policy.match_groups) == 4
    assert policy.expiry_days == 90
    assert policy.old_passwords_kept == 13 and policy.max_failed_logins == 6


def test_policy_config_errors():
    auth = {"password_minimum_length": 8, "password_num_match_groups": 2, "password_expiry_days": 1}
    with pytest.raises(ConfigError, match="only 1 password_match_groups"):
        PasswordPolicy.from_config({**auth, "password_match_groups": ["[a-z]"]})
    with pytest.raises(ConfigError, match="invalid regular expression"):
        PasswordPolicy.from_config({**auth, "password_match_groups": ["[a-z", "x"]})
    with pytest.raises(ConfigError, match=r"user\.auth\.password_num_match_groups is missing"):
        PasswordPolicy.from_config({"user": {"auth": {"password_minimum_length": 8}}})


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short1!", "shorter than 10 characters"),
        ("alllowercaseletters", "uses 1 of the required 3 character groups (missing: upper, digit, special)"),
        ("lowerUPPERonly", "uses 2 of the required 3"),
    ],
)
def test_weak_passwords_are_rejected(password, problem):
    with pytest.raises(PasswordPolicyError, match=re.escape(problem)):
        passwords.check_new_password(POLICY, password)


def test_good_password_is_accepted():
    passwords.check_new_password(POLICY, "Correct horse 42")
    passwords.check_new_password(POLICY, "correcthorse42!")  # lower + digit + special = 3 of 4


def test_no_reuse_of_current_or_recent_passwords():
    current = passwords.hash_password("Current-pass-1")
    old = [passwords.hash_password(f"Older-pass-{i}") for i in range(5)]  # newest first
    with pytest.raises(PasswordPolicyError, match="same as the current password"):
        passwords.check_new_password(POLICY, "Current-pass-1", current_hash=current, old_hashes=old)
    with pytest.raises(PasswordPolicyError, match="one of the last 3 passwords"):
        passwords.check_new_password(POLICY, "Older-pass-2", current_hash=current, old_hashes=old)
    # Older than the last three: allowed again.
    passwords.check_new_password(POLICY, "Older-pass-4", current_hash=current, old_hashes=old)


def test_hash_verify_and_rehash():
    hashed = passwords.hash_password("Secret-Value-9")
    assert hashed.startswith("$argon2id$") and "Secret" not in hashed
    assert passwords.verify_password(hashed, "Secret-Value-9")
    assert not passwords.verify_password(hashed, "secret-value-9")
    assert not passwords.verify_password("$2b$12$notanargonhash", "x"), "a malformed bcrypt hash verifies nothing"
    assert not passwords.verify_password("plain-text", "plain-text"), "a raw stored password never matches"
    assert not passwords.needs_rehash(hashed)
    assert passwords.needs_rehash(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash("x"))
    assert passwords.needs_rehash("$2b$12$notanargonhash")


def test_ella_bcrypt_hashes_verify_and_need_rehash():
    """ELLA hashed with bcrypt.hashpw(password, bcrypt.gensalt()) (src/api/util/useradmin.py); such hashes of
    migrated users verify, and need a rehash to argon2. Also the old-password check reads them."""
    import bcrypt

    ella_hash = bcrypt.hashpw(b"Ella-Pass-42", bcrypt.gensalt(rounds=4)).decode()
    assert passwords.is_bcrypt_hash(ella_hash)
    assert passwords.verify_password(ella_hash, "Ella-Pass-42")
    assert not passwords.verify_password(ella_hash, "ella-pass-42")
    assert passwords.needs_rehash(ella_hash)
    long_password = "Ab1-" + "x" * 80  # ELLA's bcrypt used the first 72 bytes
    long_hash = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    assert passwords.verify_password(long_hash, long_password)
    with pytest.raises(passwords.PasswordPolicyError, match="one of the last"):
        passwords.check_new_password(
            POLICY, "Ella-Pass-42", current_hash=passwords.hash_password("Now-9x"), old_hashes=[ella_hash]
        )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2024, 3, 1, 1, 59, tzinfo=dt.UTC), dt.datetime(2024, 3, 3, 2, 0, tzinfo=dt.UTC)),
        (dt.datetime(2024, 3, 1, 2, 0, tzinfo=dt.UTC), dt.datetime(2024, 3, 4, 2, 0, tzinfo=dt.UTC)),
        (dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC), dt.datetime(2024, 3, 4, 2, 0, tzinfo=dt.UTC)),
        # 03:30 in Oslo (UTC+1) is 02:30 UTC: the next 02:00 UTC is tomorrow.
        (
            dt.datetime(2024, 3, 1, 3, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            dt.datetime(2024, 3, 4, 2, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_expiry_is_next_0200_utc_plus_days(now, expected):
    policy = PasswordPolicy(expiry_days=2)
    assert passwords.password_expiry(policy, now) == expected


def test_expired():
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert passwords.is_expired(passwords.EXPIRED, now)
    assert passwords.is_expired(now, now)
    assert not passwords.is_expired(now + dt.timedelta(seconds=1), now)
    assert passwords.is_expired(dt.datetime(2023, 12, 31), now), "naive datetimes are UTC"


def test_one_time_passwords_meet_the_policy_and_differ():
    strict = PasswordPolicy(minimum_length=20, match_groups=POLICY.match_groups, num_match_groups=4)
    generated = {passwords.generate_one_time_password(strict) for _ in range(50)}
    assert len(generated) == 50
    for password in generated:
        assert len(password) == 20 and strict.problems(password) == []
        assert not set(password) & set("0O1lI\t\n '\"\\$`")
    assert len(passwords.generate_one_time_password(PasswordPolicy(minimum_length=4))) == 16


def test_impossible_policy_is_a_config_error():
    impossible = PasswordPolicy(match_groups=("^never$",), num_match_groups=1)
    with pytest.raises(ConfigError):
        passwords.generate_one_time_password(impossible)


def test_session_tokens_are_random_and_stored_hashed():
    token = new_token()
    assert re.fullmatch(r"[0-9a-f]{64}", token) and token != new_token()
    digest = token_digest(token)
    assert digest != token and len(digest) == 64
    assert token_matches(token, digest) and not token_matches(new_token(), digest)
