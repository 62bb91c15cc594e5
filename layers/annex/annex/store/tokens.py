"""What the functions read of applications and their API tokens: the application a token belongs
to (the authorizer) and every application's id (the timeout sweep).

A token is a random secret shown once; only its SHA-256 hash is stored. Applications and tokens
are created, listed and revoked by `annex-admin` (admin/applications.py), not by the API.
"""

from __future__ import annotations

import hashlib
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.store import keys
from annex.store.keys import PK, SK
from annex.store.table import table


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_for(token: str) -> str | None:
    """The application a token belongs to, or None for an unknown or revoked token."""
    item = table().get_item(Key=keys.token(token_hash(token)).key, ConsistentRead=True).get("Item")
    return str(item["app_id"]) if item else None


def application_ids() -> list[str]:
    """Every application's id, from the directory (what the timeout sweep walks)."""
    found: list[str] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key(PK).eq(keys.APPS)}
    while True:
        page = table().query(**kwargs)
        found += [str(item[SK]) for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
