"""Everything a process needs at start: the validated config plus ELLA's environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.config.loader import load_config_file
from ella_app.errors import ConfigError

PATH_VARIABLES = ("ANALYSES_PATH", "ANALYSES_INCOMING", "ATTACHMENT_STORAGE", "IGV_DATA")


@dataclass(frozen=True)
class Settings:
    config: dict[str, Any]
    db_url: str
    config_path: Path | None = None
    paths: dict[str, Path | None] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        value = self.paths.get(name)
        if value is None:
            raise ConfigError(f"environment variable {name} is not set")
        return value


def load_settings(environ: Mapping[str, str] | None = None, *, require_db: bool = True) -> Settings:
    """Read ``ELLA_CONFIG`` and ``DB_URL`` (and the data paths) from the environment."""
    env = os.environ if environ is None else environ
    config_path = env.get("ELLA_CONFIG")
    if not config_path:
        raise ConfigError("ELLA_CONFIG is not set: point it at ella_config.yml")
    config = load_config_file(config_path, env)
    db_url = env.get("DB_URL", "")
    if require_db and not db_url:
        raise ConfigError("DB_URL is not set (e.g. postgresql://ella@localhost/ella)")
    paths = {name: (Path(env[name]) if env.get(name) else None) for name in PATH_VARIABLES}
    return Settings(config=config, db_url=db_url, config_path=Path(config_path), paths=paths)
