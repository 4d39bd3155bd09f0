"""Database layer: engine and sessions, typed models, Alembic migrations, schema administration."""
