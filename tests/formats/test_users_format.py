"""ELLA's users.json and references JSON Lines: parsing and the error messages."""

from __future__ import annotations

import json

import pytest

from ella_app.errors import InputError, InputErrors
from ella_app.formats.references import parse_references
from ella_app.formats.users import parse_users
from tests.conftest import DEMO_FIXTURES


def test_demo_users_fixture():
    entries = parse_users(DEMO_FIXTURES / "users.json")
    assert [e.username for e in entries] == [f"testuser{i}" for i in range(1, 7)]
    assert [e.group for e in entries] == ["testgroup01"] * 4 + ["testgroup02", "testgroup03"]
    assert entries[0].line == 2 and entries[1].line == 9
    assert set(entries[0].fields) == {"first_name", "last_name", "email", "group"}


def test_optional_keys_are_only_set_when_given(tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"username": "a", "first_name": "A", "last_name": "B", "group": "g"}]))
    [entry] = parse_users(path)
    assert "email" not in entry.fields and "config" not in entry.fields


def test_every_password_key_is_reported(tmp_path):
    path = tmp_path / "users.json"
    base = {"first_name": "A", "last_name": "B", "group": "g"}
    path.write_text(
        json.dumps(
            [
                {"username": "a", **base, "password": "x"},
                {"username": "b", **base, "password_expiry": "1970-01-01"},
            ],
            indent=1,
        )
    )
    with pytest.raises(InputErrors) as caught:
        parse_users(path)
    keys = [e.key for e in caught.value.errors]
    assert keys == ["0.password", "1.password_expiry"]
    assert "never read from a users file" in caught.value.message


def test_username_must_not_be_blank_or_contain_spaces(tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"username": "a b", "first_name": "A", "last_name": "B", "group": "g"}]))
    with pytest.raises(InputError) as caught:
        parse_users(path)
    assert caught.value.key == "0.username"


REFERENCE = {"pubmed_id": 1, "title": "T", "year": "2001", "published": True}


def write_lines(path, *lines):
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_references_lines_and_blank_lines(tmp_path):
    path = write_lines(tmp_path / "refs.txt", REFERENCE, "", {"pubmed_id": 2})
    first, second = parse_references(path)
    assert (first.pubmed_id, first.line, first.fields["title"]) == (1, 1, "T")
    assert (second.pubmed_id, second.line, second.fields) == (2, 3, {})


@pytest.mark.parametrize(
    ("bad", "line", "key", "problem"),
    [
        ({**REFERENCE, "pubmed_id": 2, "doi": "x"}, 2, "doi", "unknown key(s): doi"),
        ({**REFERENCE, "pubmed_id": "2"}, 2, "pubmed_id", "is not of type 'integer'"),
        ({**REFERENCE, "pubmed_id": 2, "year": 2001}, 2, "year", "is not of type"),
        ({"title": "no id"}, 2, "pubmed_id", "missing required key(s): pubmed_id"),
        (REFERENCE, 2, "pubmed_id", "duplicate pubmed_id 1 (first at line 1)"),
        ('{"pubmed_id": 2,', 2, None, "invalid JSON"),
    ],
)
def test_reference_errors_name_line_and_key(tmp_path, bad, line, key, problem):
    path = write_lines(tmp_path / "refs.txt", REFERENCE, bad)
    with pytest.raises(InputError) as caught:
        parse_references(path)
    assert caught.value.line == line and caught.value.key == key and caught.value.source == str(path)
    assert problem in caught.value.message
