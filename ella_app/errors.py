"""The exception hierarchy of ella_app.

Every error a user can cause is an :class:`EllaError`. The CLI turns them into a message and a
non-zero exit code, the API into a JSON body with a 4xx status. Anything else is a bug.
"""

from __future__ import annotations


class EllaError(Exception):
    """Base class of every expected, user-facing error."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(EllaError):
    """The application configuration (ella_config.yml or the environment) is invalid."""

    exit_code = 2


class InputError(EllaError):
    """A file or request body is malformed. Names the file, the line and/or the key when known."""

    exit_code = 2
    http_status = 422

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.line = line
        self.key = key
        where = []
        if source:
            where.append(str(source))
        if line is not None:
            where.append(f"line {line}")
        if key:
            where.append(f"key '{key}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {problem}" if prefix else problem)


class InputErrors(InputError):
    """Several input problems found in one pass; all are reported at once."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {e.message}" for e in errors)
        super().__init__(f"{len(errors)} problem(s) found:\n{lines}")
        self.message = f"{len(errors)} problem(s) found:\n{lines}"


class MissingDependencyError(EllaError):
    """Something refers to an object that does not exist (yet), e.g. a group naming an unknown panel."""

    exit_code = 3
    http_status = 422


class NotFoundError(EllaError):
    exit_code = 4
    http_status = 404


class ConflictError(EllaError):
    """The request conflicts with the current state (already imported, wrong workflow state, ...)."""

    exit_code = 5
    http_status = 409


class SchemaStateError(EllaError):
    """The database schema is not in the state the command needs (e.g. behind the migrations)."""

    exit_code = 1
    http_status = 503


class ExternalServiceError(EllaError):
    """A remote service (PubMed, IGV mirror, annotation service) could not be reached or answered badly."""

    exit_code = 6
    http_status = 502


class AuthError(EllaError):
    """Bad credentials, locked or inactive user."""

    http_status = 401


class ForbiddenError(EllaError):
    http_status = 403
