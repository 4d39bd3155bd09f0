"""Read ``ella_config.yml`` the way ELLA does: YAML with ``!env``-style tags, validated by a JSON schema."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ella_app.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env_lookup(loader: yaml.SafeLoader, node: yaml.Node, environ: Mapping[str, str]) -> tuple[str, Any]:
    """Return (variable name, raw value or default) for ``!env VAR`` or ``!env [VAR, default]``."""
    if isinstance(node, yaml.ScalarNode):
        name = loader.construct_scalar(node)
        if name not in environ:
            raise ConfigError(f"environment variable {name} is required by the config but not set")
        return str(name), environ[name]
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node)
        if len(items) != 2:
            raise ConfigError(f"{node.tag} takes [VARIABLE, default], got {items!r}")
        name, default = items
        return str(name), environ.get(str(name), default)
    raise ConfigError(f"{node.tag} takes a variable name or [VARIABLE, default]")


def _make_loader(environ: Mapping[str, str], base_dir: Path) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        return _env_lookup(loader, node, environ)[1]

    def env_bool(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
        name, value = _env_lookup(loader, node, environ)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"environment variable {name}={value!r} is not a boolean")

    def typed(kind: type) -> Any:
        def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
            name, value = _env_lookup(loader, node, environ)
            try:
                return kind(value)
            except (TypeError, ValueError):
                raise ConfigError(f"environment variable {name}={value!r} is not a valid {kind.__name__}") from None

        return construct

    def file_(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise ConfigError("!file takes a path relative to the config file")
        path = base_dir / str(loader.construct_scalar(node))
        if not path.exists():
            raise ConfigError(f"!file {path} does not exist")
        return str(path)

    Loader.add_constructor("!env", env)
    Loader.add_constructor("!env_bool", env_bool)
    Loader.add_constructor("!env_int", typed(int))
    Loader.add_constructor("!env_float", typed(float))
    Loader.add_constructor("!file", file_)
    return Loader


def config_schema() -> dict[str, Any]:
    text = resources.files("ella_app.config").joinpath("config.schema.json").read_text()
    return json.loads(text)


def _key_path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "additionalProperties":
        return ".".join(parts) or "(top level)"
    if error.validator == "required" and isinstance(error.instance, dict):
        return ".".join(parts) or "(top level)"
    return ".".join(parts) or "(top level)"


def validate_config(config: Any, source: str) -> None:
    """Raise ConfigError naming the first offending key (all offending keys are listed)."""
    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"key '{_key_path(e)}': {e.message}" for e in errors[:20]]
        raise ConfigError(f"{source} is invalid:\n  " + "\n  ".join(lines))


def load_config_file(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse and validate a config file; ``environ`` defaults to ``os.environ``."""
    path = Path(path)
    env = os.environ if environ is None else environ
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        config = yaml.load(text, Loader=_make_loader(env, path.parent))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    validate_config(config, str(path))
    return config
