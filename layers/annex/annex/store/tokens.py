"""Applications and their API tokens.

A token is a random secret shown once; only its SHA-256 hash is stored, in two items written
together: the application's record of it (``{app}#APP`` / ``TOKEN#{token_id}``, for listing and
revoking) and the authorizer's directory entry (``TOKEN#{hash}``, the one key the authorizer can
compute from the header alone).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.core.clock import now_ms
from annex.errors import NotFound
from annex.store import keys
from annex.store.expression import Expression, if_absent, if_exists
from annex.store.keys import PK, SK
from annex.store.table import plain, table
from annex.store.writes import Tx

TOKEN_PREFIX = "annex_"
_APP_SK, _TOKEN_SK = "APP", "TOKEN#"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_for(token: str) -> str | None:
    """The application a token belongs to, or None for an unknown or revoked token."""
    item = table().get_item(Key=keys.token(token_hash(token)).key, ConsistentRead=True).get("Item")
    return str(item["app_id"]) if item else None


def _token_items(app_id: str, token_id: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    digest, now = token_hash(token), now_ms()
    record = keys.application(app_id).pk, f"{_TOKEN_SK}{token_id}"
    return (
        {
            PK: record[0],
            SK: record[1],
            "token_id": token_id,
            "token_hash": digest,
            "prefix": token[:10],
            "created_at": now,
        },
        keys.token(digest).key | {"app_id": app_id, "token_id": token_id, "created_at": now},
    )


def register(app_id: str, name: str, token: str) -> None:
    """Create (or refresh) an application with a known token: the local dev application."""
    record, directory = _token_items(app_id, "dev", token)
    with table().batch_writer() as batch:
        batch.put_item(Item=keys.application(app_id).key | {"app_id": app_id, "name": name, "created_at": now_ms()})
        batch.put_item(Item=record)
        batch.put_item(Item=directory)
        batch.put_item(Item=keys.app_directory(app_id).key | {"app_id": app_id})


def create_application(name: str) -> tuple[dict[str, Any], str]:
    """A new application and its first token: (application, token). The token is not kept."""
    app_id = f"app_{secrets.token_hex(6)}"
    application: dict[str, Any] = {"app_id": app_id, "name": name, "created_at": now_ms()}
    table().put_item(Item=keys.application(app_id).key | application, **if_absent().request())
    table().put_item(Item=keys.app_directory(app_id).key | {"app_id": app_id})
    token, _ = create_token(app_id)
    return application, token


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


def list_applications() -> list[dict[str, Any]]:
    """Every application (an admin scan: applications are few and this is not a request path)."""
    found: list[dict[str, Any]] = []
    ex = Expression()
    ex.conditions.append(f"{ex.n(SK)} = {ex.v(_APP_SK)}")
    kwargs: dict[str, Any] = ex.read()
    while True:
        page = table().scan(**kwargs)
        found += [{k: plain(v) for k, v in i.items() if k not in (PK, SK)} for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return sorted(found, key=lambda a: a["created_at"])
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def create_token(app_id: str) -> tuple[str, str]:
    """A new token for an existing application: (token, token_id). 256 random bits."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = f"{app_id}:{secrets.token_hex(4)}"
    record, directory = _token_items(app_id, token_id, token)
    tx = Tx()
    tx.check(keys.application(app_id).key, if_exists())
    tx.put(record)
    tx.put(directory, if_absent())
    if tx.run() is not None:
        raise NotFound(f"Application not found: {app_id}")
    return token, token_id


def list_tokens(app_id: str) -> list[dict[str, Any]]:
    """The application's tokens: id, prefix and creation time (never the token or its hash)."""
    items = (
        table()
        .query(KeyConditionExpression=Key(PK).eq(keys.application(app_id).pk) & Key(SK).begins_with(_TOKEN_SK))
        .get("Items", [])
    )
    return [{"token_id": i["token_id"], "prefix": i["prefix"], "created_at": plain(i["created_at"])} for i in items]


def revoke_token(token_id: str) -> None:
    app_id = token_id.split(":", 1)[0]
    record_key = {PK: keys.application(app_id).pk, SK: f"{_TOKEN_SK}{token_id}"}
    record = table().get_item(Key=record_key, ConsistentRead=True).get("Item")
    if record is None:
        raise NotFound(f"Token not found: {token_id}")
    name = table().name
    table().meta.client.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": name, "Key": record_key}},
            {"Delete": {"TableName": name, "Key": keys.token(str(record["token_hash"])).key}},
        ]
    )


def require_application(app_id: str) -> None:
    """404 unless the application exists."""
    if table().get_item(Key=keys.application(app_id).key, ConsistentRead=True).get("Item") is None:
        raise NotFound(f"Application not found: {app_id}")


def delete_application(app_id: str, progress: Callable[[int], None] = lambda _: None) -> int:
    """Delete the application and every item of it, in batches; the number of items deleted."""
    require_application(app_id)
    deleted = 0
    with table().batch_writer() as batch:
        for key in _keys_of(app_id):
            batch.delete_item(Key=key)
            deleted += 1
            progress(1)
    return deleted


def _keys_of(app_id: str) -> Iterator[dict[str, str]]:
    """Every key of the application: its partitions (``{app}#…``) and its token directory entries."""
    ex = Expression()
    ex.conditions.append(f"begins_with({ex.n(PK)}, {ex.v(f'{app_id}#')}) OR {ex.n('app_id')} = {ex.v(app_id)}")
    kwargs: dict[str, Any] = ex.read([ex.n(PK), ex.n(SK)])
    while True:
        page = table().scan(**kwargs)
        for item in page.get("Items", []):
            yield {PK: str(item[PK]), SK: str(item[SK])}
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
