"""`annex-admin`'s applications and API tokens: created, listed, revoked and deleted here, in the
table the command points the store at; the API and its functions only read them
(annex/store/tokens.py).

A token is a random secret shown once; only its SHA-256 hash is stored, in two items written
together: the application's record of it (``{app}#APP`` / ``TOKEN#{token_id}``, for listing and
revoking) and the authorizer's directory entry (``TOKEN#{hash}``, the one key the authorizer can
compute from the header alone).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from annex.errors import NotFound
from annex.store import keys
from annex.store.keys import PK, SK
from annex.store.table import plain, table
from annex.store.tokens import token_hash

TOKEN_PREFIX = "annex_"
_APP_SK, _TOKEN_SK = "APP", "TOKEN#"


def _now() -> int:
    return int(time.time() * 1000)


def _token_items(app_id: str, token_id: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    digest, now = token_hash(token), _now()
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
    """Create (or refresh) an application with a known token: `make run`'s dev application."""
    record, directory = _token_items(app_id, "dev", token)
    with table().batch_writer() as batch:
        batch.put_item(Item=keys.application(app_id).key | {"app_id": app_id, "name": name, "created_at": _now()})
        batch.put_item(Item=record)
        batch.put_item(Item=directory)
        batch.put_item(Item=keys.app_directory(app_id).key | {"app_id": app_id})


def create_application(name: str) -> tuple[dict[str, Any], str]:
    """A new application and its first token: (application, token). The token is not kept."""
    app_id = f"app_{secrets.token_hex(6)}"
    application: dict[str, Any] = {"app_id": app_id, "name": name, "created_at": _now()}
    table().put_item(
        Item=keys.application(app_id).key | application,
        ConditionExpression="attribute_not_exists(#pk)",
        ExpressionAttributeNames={"#pk": PK},
    )
    table().put_item(Item=keys.app_directory(app_id).key | {"app_id": app_id})
    token, _ = create_token(app_id)
    return application, token


def list_applications() -> list[dict[str, Any]]:
    """Every application (an admin scan: applications are few and this is not a request path)."""
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FilterExpression": Attr(SK).eq(_APP_SK)}
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
    client = table().meta.client
    name = table().name
    try:
        client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": keys.application(app_id).key,
                        "ConditionExpression": "attribute_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": PK},
                    }
                },
                {"Put": {"TableName": name, "Item": record}},
                {
                    "Put": {
                        "TableName": name,
                        "Item": directory,
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": PK},
                    }
                },
            ]
        )
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "TransactionCanceledException":
            raise NotFound(f"Application not found: {app_id}") from None
        raise
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


LIMITS = ("rate_limit", "burst_limit", "analytics_rate_limit", "analytics_burst_limit")


def set_limits(app_id: str, limits: dict[str, int]) -> dict[str, int]:
    """Keep the application's own rate limits (``LIMITS``) on its record; all of them as now kept."""
    names = {f"#l{i}": name for i, name in enumerate(limits)}
    values = {f":l{i}": value for i, value in enumerate(limits.values())}
    try:
        item = table().update_item(
            Key=keys.application(app_id).key,
            UpdateExpression="SET " + ", ".join(f"#l{i} = :l{i}" for i in range(len(limits))),
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames=names | {"#pk": PK},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )["Attributes"]
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise NotFound(f"Application not found: {app_id}") from None
        raise
    return {name: int(str(item[name])) for name in LIMITS if name in item}


def limits_of(app_id: str) -> dict[str, int]:
    """The application's own rate limits (none: the defaults apply)."""
    item = table().get_item(Key=keys.application(app_id).key).get("Item") or {}
    return {name: int(str(item[name])) for name in LIMITS if name in item}


def require_application(app_id: str) -> None:
    """404 unless the application exists."""
    if table().get_item(Key=keys.application(app_id).key, ConsistentRead=True).get("Item") is None:
        raise NotFound(f"Application not found: {app_id}")


# A token's answer stays cached in API Gateway for AuthorizerCacheSeconds (at most 10 s), and a
# request authorized just before its revocation may run for the functions' Timeout (10 s).
REVOCATION_SECONDS = 20.0


def delete_application(
    app_id: str, progress: Callable[[int], None] = lambda _: None, settle: float = REVOCATION_SECONDS
) -> int:
    """Delete the application and every item of it, in batches; the number of items deleted.

    Its tokens go first; the data only after ``settle`` seconds, when no cached answer for them
    remains and no request they authorized is still running, so none can write an orphan item."""
    require_application(app_id)
    deleted = 0
    for token in list_tokens(app_id):
        revoke_token(str(token["token_id"]))
        deleted += 2
        progress(2)
    time.sleep(settle)
    with table().batch_writer() as batch:
        for key in _keys_of(app_id):
            batch.delete_item(Key=key)
            deleted += 1
            progress(1)
    return deleted


def _keys_of(app_id: str) -> Iterator[dict[str, str]]:
    """Every key of the application: its partitions (``{app}#…``) and its token directory entries."""
    where = Attr(PK).begins_with(f"{app_id}#") | Attr("app_id").eq(app_id)
    kwargs: dict[str, Any] = {
        "FilterExpression": where,
        "ProjectionExpression": "#pk, #sk",
        "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
    }
    while True:
        page = table().scan(**kwargs)
        for item in page.get("Items", []):
            yield {PK: str(item[PK]), SK: str(item[SK])}
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
