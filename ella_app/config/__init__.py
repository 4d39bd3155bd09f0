"""Application configuration: ``ella_config.yml`` (with ELLA's YAML tags) plus the environment."""

from ella_app.config.loader import load_config_file
from ella_app.config.settings import Settings, load_settings

__all__ = ["Settings", "load_config_file", "load_settings"]
