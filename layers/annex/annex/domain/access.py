"""Who is calling: the application an API token belongs to (the authorizer's one question)."""

from __future__ import annotations

from annex.store import tokens


def application_for(token: str) -> str | None:
    """The application of ``token``, or None for a missing, unknown or revoked token."""
    return tokens.application_for(token) if token else None


def usage_key(app_id: str) -> str:
    """The application's API key in API Gateway's usage plans (``ApiKeySourceType: AUTHORIZER``):
    which plan's rate limit its requests count against. Not a secret: only the authorizer names it."""
    return f"annex-usage-plan-key-{app_id}"  # API Gateway takes 20 characters or more
