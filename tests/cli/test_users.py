"""``ella-cli users add_many|list|reset_password|lock|unlock|modify``."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from ella_app.db.models import User, UserGroup, UserOldPassword, UserSession
from ella_app.security import passwords
from ella_app.security.tokens import new_token, token_digest
from tests.conftest import DEMO_FIXTURES, table_snapshot

USERS = DEMO_FIXTURES / "users.json"
GROUPS = ("testgroup01", "testgroup02", "testgroup03")


def make_groups(db_url: str, *names: str) -> None:
    """User groups straight through the models (the usergroups deposit is another module)."""
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        session.add_all(UserGroup(name=name, config={}) for name in names)
    engine.dispose()


def query(db_url: str, fn: Any) -> Any:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            return fn(session)
    finally:
        engine.dispose()


def users_by_name(db_url: str) -> dict[str, dict[str, Any]]:
    def read(session: Session) -> dict[str, dict[str, Any]]:
        rows = session.execute(select(User, UserGroup.name).join(UserGroup, User.group_id == UserGroup.id))
        return {
            u.username: {
                "password": u.password,
                "expiry": u.password_expiry,
                "group": group,
                "last_name": u.last_name,
                "active": u.active,
                "incorrect_logins": u.incorrect_logins,
            }
            for u, group in rows
        }

    return query(db_url, read)


def clilog_text(db_url: str) -> str:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM clilog")).all()
    engine.dispose()
    return json.dumps([list(map(str, row)) for row in rows])


def open_sessions(db_url: str, username: str, count: int = 2) -> None:
    def add(session: Session) -> None:
        user = session.scalar(select(User).where(User.username == username))
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        for _ in range(count):
            session.add(UserSession(user_id=user.id, token=token_digest(new_token()), expires=expires))
        user.incorrect_logins = 4

    query(db_url, add)


def open_session_count(db_url: str, username: str) -> int:
    return query(
        db_url,
        lambda s: s.scalar(
            text(
                'SELECT count(*) FROM usersession s JOIN "user" u ON u.id = s.user_id '
                "WHERE u.username = :u AND s.logged_out IS NULL"
            ),
            {"u": username},
        ),
    )


@pytest.fixture
def groups(db_url: str) -> None:
    make_groups(db_url, *GROUPS)


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


# --- add_many -------------------------------------------------------------------------------------------


def test_add_many_creates_users_with_expired_one_time_passwords_then_rerun_is_unchanged(cli, db_url, groups):
    first = cli.ok("users", "add_many", str(USERS), "--json").json()
    assert first["changed"] is True and first["created"] == 6 and first["updated"] == 0
    otps = first["passwords"]
    assert sorted(otps) == [f"testuser{i}" for i in range(1, 7)]
    stored = users_by_name(db_url)
    assert stored["testuser5"]["group"] == "testgroup02" and stored["testuser6"]["group"] == "testgroup03"
    for username, otp in otps.items():
        assert stored[username]["password"].startswith("$argon2id$")
        assert passwords.verify_password(stored[username]["password"], otp)
        assert passwords.is_expired(stored[username]["expiry"]), "must be changed at the first login"
    assert otp not in clilog_text(db_url)

    before = table_snapshot(db_url)
    second = cli.ok("users", "add_many", str(USERS), "--json").json()
    assert second["changed"] is False and second["created"] == 0 and second["unchanged"] == 6
    assert "passwords" not in second
    assert table_snapshot(db_url) == before, "a re-run must not reset passwords"


def test_add_many_human_output_shows_passwords_once_and_never_logs_them(cli, db_url, groups):
    out = cli.ok("users", "add_many", str(USERS)).stdout
    assert "users: 6 created, 0 updated, 0 unchanged" in out
    shown = dict(line.strip().split("\t") for line in out.splitlines() if line.startswith("  testuser"))
    assert len(shown) == 6
    log = clilog_text(db_url)
    stored = users_by_name(db_url)
    for username, otp in shown.items():
        assert passwords.verify_password(stored[username]["password"], otp)
        assert otp not in log
    again = cli.ok("users", "add_many", str(USERS)).stdout
    assert "0 created" in again and "One-time passwords" not in again


def test_add_many_passwords_file_is_private_and_passwords_stay_off_stdout(cli, db_url, groups, tmp_path):
    target = tmp_path / "otp.tsv"
    human = cli.ok("users", "add_many", str(USERS), "--passwords-file", str(target), "--group", "testgroup01")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = target.read_text().splitlines()
    written = dict(line.split("\t") for line in lines)
    assert sorted(written) == ["testuser1", "testuser2", "testuser3", "testuser4"]
    assert f"4 one-time password(s) written to {target}" in human.stdout
    stored = users_by_name(db_url)
    for username, otp in written.items():
        assert passwords.verify_password(stored[username]["password"], otp)
        assert otp not in human.stdout and otp not in human.stderr

    as_json = cli.ok("users", "add_many", str(USERS), "--passwords-file", str(target), "--json")
    result = as_json.json()
    assert result["created"] == 2 and "passwords" not in result and result["passwords_file"] == str(target)
    all_written = dict(line.split("\t") for line in target.read_text().splitlines())
    assert len(all_written) == 6, "the file is appended to"
    log = clilog_text(db_url)
    for otp in all_written.values():
        assert otp not in as_json.stdout and otp not in log


def test_add_many_updates_existing_users_and_keeps_their_password(cli, db_url, groups, tmp_path):
    cli.ok("users", "add_many", str(USERS))
    before = users_by_name(db_url)
    data = json.loads(USERS.read_text())
    data[0]["last_name"] = "Byron"
    data[1]["group"] = "testgroup03"
    changed = write_json(tmp_path / "users.json", data)
    result = cli.ok("users", "add_many", str(changed), "--json").json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 4)
    assert result["names"]["updated"] == ["testuser1", "testuser2"] and "passwords" not in result
    after = users_by_name(db_url)
    assert after["testuser1"]["last_name"] == "Byron" and after["testuser2"]["group"] == "testgroup03"
    assert all(after[u]["password"] == before[u]["password"] for u in before)


def test_add_many_unknown_group_names_user_and_group_and_writes_nothing(cli, db_url, tmp_path):
    make_groups(db_url, "testgroup01")
    before = table_snapshot(db_url)
    result = cli("users", "add_many", str(USERS))
    assert result.exit_code == 3
    assert "user 'testuser5' names unknown group 'testgroup02'" in result.stderr
    assert "user 'testuser6' names unknown group 'testgroup03'" in result.stderr
    assert table_snapshot(db_url) == before


def test_add_many_unknown_group_option_is_an_error(cli, db_url, groups):
    result = cli("users", "add_many", str(USERS), "--group", "nosuchgroup")
    assert result.exit_code == 3 and "nosuchgroup" in result.stderr


def test_add_many_dry_run_writes_nothing(cli, db_url, groups, tmp_path):
    before = table_snapshot(db_url)
    result = cli.ok("users", "add_many", str(USERS), "--dry-run", "--json").json()
    assert result["created"] == 6 and result["dry_run"] is True and "passwords" not in result
    assert table_snapshot(db_url) == before
    assert "dry run" in cli.ok("users", "add_many", str(USERS), "-dry").stdout


BAD_USERS = {
    "malformed": ('[\n  {"username": "a",\n   "first_name": }\n]', "line 3", None),
    "wrong type": (
        '[\n  {"username": "a", "first_name": "A", "last_name": "B", "group": "testgroup01"},\n'
        '  {"username": "b", "first_name": 5, "last_name": "B", "group": "testgroup01"}\n]',
        "line 3",
        "key '1.first_name'",
    ),
    "unknown key": (
        '[\n  {"username": "a", "first_name": "A", "last_name": "B", "group": "testgroup01", "role": "x"}\n]',
        "line 2",
        "key '0.role'",
    ),
    "missing key": ('[\n  {"username": "a", "first_name": "A", "group": "testgroup01"}\n]', "line 2", "last_name"),
    "duplicate username": (
        '[\n  {"username": "a", "first_name": "A", "last_name": "B", "group": "testgroup01"},\n'
        '  {"username": "a", "first_name": "C", "last_name": "D", "group": "testgroup01"}\n]',
        "line 3",
        "duplicate username 'a' (first listed at line 2)",
    ),
    "password key": (
        '[\n  {"username": "a", "first_name": "A", "last_name": "B", "group": "testgroup01",\n'
        '   "password": "demo"}\n]',
        "line 2",
        "key '0.password'",
    ),
    "not an array": ('{"username": "a"}', "expected a JSON array", None),
}


@pytest.mark.parametrize("case", sorted(BAD_USERS))
def test_add_many_bad_input_names_file_line_and_key_and_changes_nothing(cli, db_url, groups, tmp_path, case):
    content, where, detail = BAD_USERS[case]
    path = tmp_path / "users.json"
    path.write_text(content)
    before = table_snapshot(db_url)
    result = cli("users", "add_many", str(path))
    assert result.exit_code == 2, result.stderr
    assert str(path) in result.stderr and where in result.stderr
    if detail:
        assert detail in result.stderr
    assert table_snapshot(db_url) == before


# --- list -----------------------------------------------------------------------------------------------


def test_list_filters_by_group_and_username(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS))
    everyone = cli.ok("users", "list", "--json").json()["users"]
    assert len(everyone) == 6 and all(u["password_expired"] for u in everyone)
    assert "password" not in everyone[0]
    some = cli.ok("users", "list", "--group", "testgroup02", "--group", "testgroup03", "--json").json()["users"]
    assert [u["username"] for u in some] == ["testuser5", "testuser6"]
    one = cli.ok("users", "list", "--username", "testuser3", "--json").json()["users"]
    assert [(u["username"], u["group"], u["email"]) for u in one] == [
        ("testuser3", "testgroup01", "testuser3@example.org")
    ]
    table = cli.ok("users", "list", "--group", "testgroup02").stdout.splitlines()
    assert table[0].startswith("username\t") and table[1].startswith("testuser5\tEdward\tJenner")
    missing = cli("users", "list", "--username", "nobody")
    assert missing.exit_code == 4 and "nobody" in missing.stderr


# --- reset_password, lock, unlock -------------------------------------------------------------------------


def test_reset_password_logs_out_sessions_and_never_logs_the_password(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS), "--group", "testgroup01", "--json")
    open_sessions(db_url, "testuser2")
    old = users_by_name(db_url)["testuser2"]["password"]
    assert open_session_count(db_url, "testuser2") == 2

    result = cli.ok("users", "reset_password", "testuser2", "--json", "--reason", "forgot it").json()
    new_password = result["passwords"]["testuser2"]
    assert result["changed"] is True and result["sessions_logged_out"] == 2
    user = users_by_name(db_url)["testuser2"]
    assert passwords.verify_password(user["password"], new_password) and user["password"] != old
    assert passwords.is_expired(user["expiry"]) and user["incorrect_logins"] == 0
    assert open_session_count(db_url, "testuser2") == 0
    kept = query(db_url, lambda s: s.scalars(select(UserOldPassword.password)).all())
    assert kept == [old], "the previous hash is kept for the no-reuse rule"
    log = clilog_text(db_url)
    assert new_password not in log and "forgot it" in log and "reset_password" in log


def test_reset_password_human_and_passwords_file(cli, db_url, groups, tmp_path):
    cli.ok("users", "add_many", str(USERS), "--group", "testgroup02")
    shown = cli.ok("users", "reset_password", "testuser5").stdout
    otp = next(line.split("\t")[1] for line in shown.splitlines() if line.startswith("  testuser5\t"))
    assert passwords.verify_password(users_by_name(db_url)["testuser5"]["password"], otp)

    target = tmp_path / "reset.tsv"
    quiet = cli.ok("users", "reset_password", "testuser5", "--passwords-file", str(target))
    otp2 = target.read_text().strip().split("\t")[1]
    assert otp2 not in quiet.stdout and otp2 not in clilog_text(db_url)
    assert passwords.verify_password(users_by_name(db_url)["testuser5"]["password"], otp2)
    assert cli("users", "reset_password", "nobody").exit_code == 4


def test_lock_logs_out_and_unlock_restores(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS), "--group", "testgroup03")
    open_sessions(db_url, "testuser6", count=3)
    locked = cli.ok("users", "lock", "testuser6", "--reason", "left the lab", "--json").json()
    assert locked["changed"] is True and locked["sessions_logged_out"] == 3
    assert users_by_name(db_url)["testuser6"]["active"] is False
    assert open_session_count(db_url, "testuser6") == 0
    assert cli.ok("users", "lock", "testuser6", "--json").json()["changed"] is False

    unlocked = cli.ok("users", "unlock", "testuser6", "--json").json()
    assert unlocked["changed"] is True
    user = users_by_name(db_url)["testuser6"]
    assert user["active"] is True and user["incorrect_logins"] == 0
    assert cli.ok("users", "unlock", "testuser6", "--json").json()["changed"] is False
    assert cli("users", "lock", "nobody").exit_code == 4
    assert "left the lab" in clilog_text(db_url)


# --- modify ---------------------------------------------------------------------------------------------


def test_modify_answer_no_changes_nothing(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS))
    before = table_snapshot(db_url)
    result = cli("users", "modify", "testuser1", "--last-name", "Byron", "--group", "testgroup02", input="n\n")
    assert result.exit_code == 1 and "nothing was changed" in result.stderr
    assert "last_name: 'Lovelace' -> 'Byron'" in result.stderr
    assert table_snapshot(db_url) == before
    empty_answer = cli("users", "modify", "testuser1", "--last-name", "Byron", input="\n")
    assert empty_answer.exit_code == 1 and table_snapshot(db_url) == before


def test_modify_applies_after_yes(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS))
    result = cli.ok(
        "users", "modify", "testuser1", "--new_username", "ada", "--email", "ada@example.org",
        "--user_group", "testgroup03", "--json", input="y\n",
    ).json()  # fmt: skip
    assert result["changed"] is True and sorted(result["fields"]) == ["email", "group", "username"]
    stored = users_by_name(db_url)
    assert "testuser1" not in stored and stored["ada"]["group"] == "testgroup03"
    same = cli.ok("users", "modify", "ada", "--email", "ada@example.org", "--json").json()
    assert same["changed"] is False
    forced = cli.ok("users", "modify", "ada", "--first-name", "Augusta", "--yes", "--json").json()
    assert forced["updated"] == 1


def test_modify_errors(cli, db_url, groups):
    cli.ok("users", "add_many", str(USERS))
    before = table_snapshot(db_url)
    assert cli("users", "modify", "testuser1", "--group", "nogroup", "--yes").exit_code == 3
    taken = cli("users", "modify", "testuser1", "--new-username", "testuser2", "--yes")
    assert taken.exit_code == 5 and "taken" in taken.stderr
    assert cli("users", "modify", "nobody", "--email", "x@y", "--yes").exit_code == 4
    assert cli("users", "modify", "testuser1").exit_code == 2
    assert table_snapshot(db_url) == before
