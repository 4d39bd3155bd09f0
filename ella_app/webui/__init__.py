"""The web UI's built static files (``static/``), served by nginx."""

from importlib import resources
from pathlib import Path


def static_dir() -> Path:
    return Path(str(resources.files("ella_app.webui").joinpath("static")))
