"""The Flask API: an app factory, one blueprint per resource under /api/v1, JSON errors."""

from ella_app.api.app import create_app

__all__ = ["create_app"]
