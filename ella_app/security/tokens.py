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
