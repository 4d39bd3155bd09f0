"""WSGI entry point for gunicorn: ``gunicorn ella_app.api.wsgi:app``."""

from ella_app.api.app import create_app

app = create_app()
