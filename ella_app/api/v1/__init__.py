"""Blueprints of /api/v1."""
