"""Single-item records (users, channels): conditional create, read, update, delete."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from annex.errors import Conflict, NotFound
from annex.store.keys import PK, Ref
from annex.store.table import plain, reraise_unless_condition_failed, table

_KEY_ATTRS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})
# Free-form JSON documents are stored as their compact JSON text: any JSON (floats, empty keys,
# deep nesting) round-trips exactly, which DynamoDB's own types cannot promise.
DOCUMENTS = frozenset({"meta"})


def public(item: dict[str, Any]) -> dict[str, Any]:
    """The item as the API shows it: no key attributes, documents parsed."""
    return {k: json.loads(v) if k in DOCUMENTS else v for k, v in plain(item).items() if k not in _KEY_ATTRS}


def storable(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, separators=(",", ":"), ensure_ascii=False) if k in DOCUMENTS else v for k, v in fields.items()
    }


def create(ref: Ref, fields: dict[str, Any], exists: str) -> dict[str, Any]:
    try:
        table().put_item(
            Item=ref.attributes() | storable(fields),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": PK},
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        raise Conflict(exists, code="already_exists") from None
    return fields


def get(ref: Ref, missing: str) -> dict[str, Any]:
    item = table().get_item(Key=ref.key, ConsistentRead=True).get("Item")
    if item is None:
        raise NotFound(missing)
    return public(item)


def update(ref: Ref, fields: dict[str, Any], missing: str) -> dict[str, Any]:
    """Set ``fields`` on an existing record; the record after."""
    if not fields:
        return get(ref, missing)
    names = {"#pk": PK} | {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(storable(fields).values())}
    try:
        out = table().update_item(
            Key=ref.key,
            UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        raise NotFound(missing) from None
    return public(out["Attributes"])


def delete(ref: Ref, missing: str) -> None:
    """Delete the record and, with it, the data it holds in its own item."""
    try:
        table().delete_item(
            Key=ref.key, ConditionExpression="attribute_exists(#pk)", ExpressionAttributeNames={"#pk": PK}
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        raise NotFound(missing) from None
