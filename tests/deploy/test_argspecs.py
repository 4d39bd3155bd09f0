"""Every role's meta/argument_specs.yml is in step with its defaults/main.yml (same keys, same defaults,
typed and described), and role variables carry the role's prefix."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.conftest import ROLES, load_yaml, role_names
from tests.deploy.conftest import raw_defaults as defaults  # as written: argument specs repeat them verbatim

TYPES = {"str", "int", "bool", "list", "dict", "path", "float", "raw"}


def spec(role: str) -> dict[str, Any]:
    data = load_yaml(ROLES / role / "meta" / "argument_specs.yml")
    return data["argument_specs"]["main"]["options"]


def entry_points(role: str) -> dict[str, Any]:
    return load_yaml(ROLES / role / "meta" / "argument_specs.yml")["argument_specs"]


def test_every_role_has_an_argument_spec_and_defaults() -> None:
    roles = role_names()
    assert len(roles) >= 7, roles
    for role in roles:
        assert (ROLES / role / "meta" / "argument_specs.yml").is_file(), role
        assert (ROLES / role / "defaults" / "main.yml").is_file(), role


@pytest.mark.parametrize("role", role_names())
def test_same_keys(role: str) -> None:
    in_defaults = set(defaults(role))
    in_spec = set(spec(role))
    assert not in_defaults - in_spec, (
        f"{role}: in defaults/main.yml but not in argument_specs: {sorted(in_defaults - in_spec)}"
    )
    missing = {k for k in in_spec - in_defaults if not spec(role)[k].get("required")}
    assert not missing, f"{role}: in argument_specs but not in defaults/main.yml: {sorted(missing)}"


@pytest.mark.parametrize("role", role_names())
def test_same_default_values(role: str) -> None:
    values = defaults(role)
    for key, option in spec(role).items():
        if "default" in option:
            assert option["default"] == values[key], (
                f"{role}.{key}: argument_specs default {option['default']!r} != {values[key]!r}"
            )
        else:
            # only large structured defaults may be left to defaults/main.yml
            assert option["type"] in {"dict", "list"}, f"{role}.{key}: no default in argument_specs"


@pytest.mark.parametrize("role", role_names())
def test_options_are_typed_and_described(role: str) -> None:
    for key, option in spec(role).items():
        assert option.get("type") in TYPES, f"{role}.{key}: type {option.get('type')!r}"
        if option["type"] == "list":
            assert "elements" in option, f"{role}.{key}: list without elements"
        description = option.get("description")
        text = " ".join(description) if isinstance(description, list) else (description or "")
        assert len(text) > 10 and text.strip() != key, f"{role}.{key}: no real description"


@pytest.mark.parametrize("role", role_names())
def test_defaults_match_their_declared_types(role: str) -> None:
    python_types = {"str": str, "path": str, "int": int, "bool": bool, "list": list, "dict": dict, "float": float}
    for key, value in defaults(role).items():
        declared = spec(role)[key]["type"]
        if declared == "raw":
            continue
        if value is None:
            # "not set" (e.g. ella_app_uid): the description must say what null means
            assert "null" in str(spec(role)[key]["description"]), f"{role}.{key}: null default not described"
            continue
        assert isinstance(value, python_types[declared]), f"{role}.{key}: {value!r} is not {declared}"
        if declared == "int":
            assert not isinstance(value, bool), f"{role}.{key}: bool given for int"


@pytest.mark.parametrize("role", role_names())
def test_variables_carry_the_role_prefix(role: str) -> None:
    bad = [k for k in defaults(role) if not k.startswith(f"{role}_")]
    assert not bad, f"{role}: variables without the prefix {role}_: {bad}"


@pytest.mark.parametrize("role", role_names())
def test_secrets_are_marked_no_log(role: str) -> None:
    for key, option in spec(role).items():
        if key.endswith(("_password", "_db_url")):
            assert option.get("no_log") is True, f"{role}.{key}: secret without no_log"


@pytest.mark.parametrize("role", role_names())
def test_every_entry_point_is_a_tasks_file(role: str) -> None:
    for entry in entry_points(role):
        if entry != "main" or (ROLES / role / "tasks").is_dir():
            assert (ROLES / role / "tasks" / f"{entry}.yml").is_file(), f"{role}: entry point {entry} has no tasks file"


@pytest.mark.parametrize("role", role_names())
def test_other_entry_points_agree_with_the_defaults(role: str) -> None:
    """An option of an entry point other than main is a role default (with the same default) or the entry
    point's own input: required, or optional with what its absence means said."""
    values = defaults(role)
    for entry, entry_spec in entry_points(role).items():
        if entry == "main":
            continue
        assert entry_spec.get("short_description"), f"{role}.{entry}: no short_description"
        for key, option in entry_spec["options"].items():
            assert key.startswith(f"{role}_"), f"{role}.{entry}.{key}: no role prefix"
            assert option.get("type") in TYPES, f"{role}.{entry}.{key}: type {option.get('type')!r}"
            assert len(str(option.get("description", ""))) > 10, f"{role}.{entry}.{key}: no real description"
            if key in values:
                assert option.get("default") == values[key], (
                    f"{role}.{entry}.{key}: default differs from defaults/main.yml"
                )
                assert option == {**spec(role)[key], **option}, f"{role}.{entry}.{key}: differs from main's"
            else:
                assert option.get("required") or "unset" in str(option["description"]), (
                    f"{role}.{entry}.{key}: neither a default, nor required, nor says what unset means"
                )
