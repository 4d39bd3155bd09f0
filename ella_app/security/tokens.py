"""Session tokens: 32 random bytes shown to the client as 64 hex characters; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A new session token for the client (never stored as is)."""
    return secrets.token_hex(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of a token (``usersession.token``)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), digest)


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: an HMAC keyed with the session token, so it is bound to that session (a
    token of another session, or one set by a sibling site, does not match) and needs no storage. Knowing it
    reveals nothing of the session token."""
    return hmac.new(session_token.encode("utf-8"), b"ella-csrf-v1", hashlib.sha256).hexdigest()
