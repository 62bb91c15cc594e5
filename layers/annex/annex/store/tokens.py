"""Applications and their API tokens. Tokens are stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import time

from annex.store import keys
from annex.store.table import table


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_for(token: str) -> str | None:
    """The application a token belongs to, or None for an unknown or revoked token."""
    item = table().get_item(Key=keys.token(token_hash(token)).key, ConsistentRead=True).get("Item")
    return str(item["app_id"]) if item else None


def register(app_id: str, name: str, token: str) -> None:
    """Create (or refresh) an application and one token for it; idempotent."""
    now = int(time.time() * 1000)
    with table().batch_writer() as batch:
        batch.put_item(Item=keys.application(app_id).key | {"app_id": app_id, "name": name, "created_at": now})
        batch.put_item(
            Item=keys.token(token_hash(token)).key | {"app_id": app_id, "prefix": token[:6], "created_at": now}
        )
