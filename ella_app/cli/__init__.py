"""``ella-cli``: a thin click face over ella_app.services."""
