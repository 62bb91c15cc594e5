"""Paginated queries of a list index with opaque cursors that cannot leave their list."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.store import cursor as cursor_codec
from annex.store.expression import Expression
from annex.store.keys import GSI1, GSI1PK, GSI1SK, PK, SK, application_of
from annex.store.records import public
from annex.store.table import table

# DynamoDB's key quotas: a partition key of at most 2,048 bytes, a sort key of at most 1,024.
_MOST_BYTES = {PK: 2048, GSI1PK: 2048, SK: 1024, GSI1SK: 1024}
# A page's JSON stays well under Lambda's 6 MB response limit (the proxy envelope escapes it again).
MAX_PAGE_BYTES = 2 * 1024 * 1024
# A filtered page reads at most this many pages of 100 items, then answers with a cursor, so a
# rare filter over many records cannot run past the function's timeout.
MAX_FILTERED_READS = 10


COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class Filter:
    """What DynamoDB keeps of a list of users or channels: the records whose metadata key exists
    (holding one of ``metadata_values``, when any), whose metacounter key exists within
    ``counter_bounds`` (``gt``, ``gte``, ``lt``, ``lte``)."""

    metadata_key: str | None = None
    metadata_values: list[str] | None = None
    counter_key: str | None = None
    counter_bounds: Mapping[str, int] = field(default_factory=dict)

    def expression(self) -> Expression:
        ex = Expression()
        if self.metadata_key is not None:
            path = ex.path("metadata", self.metadata_key)
            if self.metadata_values:
                ex.conditions.append(f"{path} IN ({', '.join(ex.v(v) for v in self.metadata_values)})")
            else:
                ex.exists(path)
        if self.counter_key is not None:
            path = ex.path("metacounter", self.counter_key)
            ex.exists(path)
            ex.conditions += [f"{path} {COMPARISONS[op]} {ex.v(bound)}" for op, bound in self.counter_bounds.items()]
        return ex


def encode_cursor(item: dict[str, Any]) -> str:
    """The item's list position: ``[PK, SK, GSI1SK]``, where PK leaves out the id it ends with
    (GSI1SK) and GSI1PK is the list's own, so the longest ids (255 four-byte characters in both PK
    and GSI1SK) still make a cursor of under 1,500 characters."""
    pk, sk, listed = str(item[PK]), str(item[SK]), str(item[GSI1SK])
    short = pk[: -len(listed)] if pk.endswith(listed) else None
    return cursor_codec.pack_json([short, sk, listed] if short is not None else [pk, sk, listed, 0])


def decode_cursor(cursor: str, list_pk: str) -> dict[str, str]:
    """The key a page of ``list_pk`` ended at; 400 for a cursor of another list or none at all."""
    packed = cursor_codec.unpack_json(cursor)
    key: dict[str, Any] = {}
    if isinstance(packed, list) and len(packed) in (3, 4) and all(isinstance(v, str) for v in packed[:3]):
        pk = packed[0] + packed[2] if len(packed) == 3 else packed[0]
        key = {PK: pk, SK: packed[1], GSI1PK: list_pk, GSI1SK: packed[2]}
    if (
        not key
        or not all(_fits(value, _MOST_BYTES[name]) for name, value in key.items())
        or not key[PK].startswith(application_of(list_pk) + "#")
    ):
        cursor_codec.invalid()
    return key


def _fits(value: object, most: int) -> bool:
    """Whether ``value`` is a key string DynamoDB takes: valid UTF-8 of 1 to ``most`` bytes."""
    try:
        return isinstance(value, str) and 0 < len(value.encode()) <= most
    except UnicodeEncodeError:  # a lone surrogate, which no key of ours holds
        return False


def list_page(
    list_pk: str,
    limit: int,
    cursor: str | None,
    where: Filter | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` items of the list ``list_pk`` matching ``where`` (in DynamoDB) and ``keep``
    (in Python, on the record as shown), and the cursor of the rest.

    Reads at most one item past the page, so ``next`` is null exactly when nothing follows.
    """
    kwargs: dict[str, Any] = {"IndexName": GSI1, "KeyConditionExpression": Key(GSI1PK).eq(list_pk)}
    kwargs |= where.expression().read() if where is not None else {}
    filtered = "FilterExpression" in kwargs or keep is not None
    if cursor:
        kwargs["ExclusiveStartKey"] = decode_cursor(cursor, list_pk)
    found: list[dict[str, Any]] = []
    resume: str | None = None  # where to go on from when the read budget ends the page
    for _ in range(MAX_FILTERED_READS):
        page = table().query(Limit=100 if filtered else limit + 1, **kwargs)
        found.extend(i for i in page.get("Items", []) if keep is None or keep(public(i)))
        last = page.get("LastEvaluatedKey")
        if len(found) > limit or not last:
            break
        kwargs["ExclusiveStartKey"] = last
    else:
        resume = encode_cursor(last) if last else None
    shown: list[dict[str, Any]] = []
    size = 0
    for item in found[:limit]:
        record = public(item)
        size += len(json.dumps(record, separators=(",", ":"), default=str))
        if shown and size > MAX_PAGE_BYTES:  # Lambda answers at most 6 MB: end the page early
            return shown, encode_cursor(found[len(shown) - 1])
        shown.append(record)
    return shown, encode_cursor(found[limit - 1]) if len(found) > limit else resume
