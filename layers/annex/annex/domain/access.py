"""Who is calling: the application an API token belongs to (the authorizer's one question)."""

from __future__ import annotations

from annex.store import tokens


def application_for(token: str) -> str | None:
    """The application of ``token``, or None for a missing, unknown or revoked token."""
    return tokens.application_for(token) if token else None
