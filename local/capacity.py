"""What each DynamoDB request Annex sends would consume in AWS, in write and read capacity units.

The embedded engine's own figure is fake (moto answers a fixed 0.5 for any write), so this model
computes the units by DynamoDB's documented rules from the items themselves, with botocore's
event hooks like ``local.instrument.DynamoCalls``. Tests and benchmarks share it.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from annex.store.table import table
from local.instrument import Observer, actions
from local.quotas import item_size

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4 * 1024
INDEX_ITEM_OVERHEAD = 100  # bytes DynamoDB adds to each index item
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "Put", "Update", "Delete", "ConditionCheck")
BATCH_WRITES = ("PutRequest", "DeleteRequest")
FAILED_WRITES = ("ConditionalCheckFailedException", "TransactionCanceledException")
_REPLAY_DROPS = (
    "FilterExpression",
    "ProjectionExpression",
    "Select",
    "AttributesToGet",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
    "ReturnConsumedCapacity",
    "Limit",
)

_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
Item = Mapping[str, Any]  # DynamoDB JSON attributes


def write_units(size: int) -> int:
    """Write units for an item of ``size`` bytes: one per KB started, at least one."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, consistent: bool) -> float:
    """Read units for ``size`` bytes read in one request: one per 4 KB started, at least one,
    halved when eventually consistent (DynamoDB reports the half: 1.5, not 2)."""
    return max(1, math.ceil(size / READ_UNIT_BYTES)) * (1.0 if consistent else 0.5)


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Schema:
    """A table's key attributes and its global secondary indexes (from DescribeTable)."""

    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()

    @classmethod
    def described(cls, description: Mapping[str, Any]) -> Schema:
        indexes = tuple(
            Index(
                index["IndexName"],
                tuple(part["AttributeName"] for part in index["KeySchema"]),
                index["Projection"]["ProjectionType"],
                frozenset(index["Projection"].get("NonKeyAttributes", ())),
            )
            for index in description.get("GlobalSecondaryIndexes", [])
        )
        return cls(tuple(part["AttributeName"] for part in description["KeySchema"]), indexes)

    def key_of(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.keys if name in item}

    def index(self, name: str) -> Index | None:
        return next((index for index in self.indexes if index.name == name), None)

    def index_item(self, index: Index, item: Item | None) -> dict[str, Any] | None:
        """The item ``index`` holds for a table item (None: the item lacks an index key, so the
        index does not hold it): its projected attributes with the table's and the index's keys."""
        if item is None or any(name not in item for name in index.keys):
            return None
        if index.projection == "ALL":
            return dict(item)
        names = {*self.keys, *index.keys, *(index.included if index.projection == "INCLUDE" else ())}
        return {name: value for name, value in item.items() if name in names}


def index_item_size(projected: Item) -> int:
    return item_size(projected) + INDEX_ITEM_OVERHEAD


def index_writes(schema: Schema, before: Item | None, after: Item | None) -> dict[str, int]:
    """Write units each index spends when a table item goes from ``before`` to ``after`` (None:
    absent): a put when the item enters the index, a delete when it leaves, both when an index
    key attribute changes, an update (the larger size) when only projected attributes change,
    nothing when nothing the index holds changes."""
    spent: dict[str, int] = {}
    for index in schema.indexes:
        old, new = schema.index_item(index, before), schema.index_item(index, after)
        if old == new:
            continue
        sizes = [index_item_size(image) for image in (old, new) if image is not None]
        if old is not None and new is not None and any(old[name] != new[name] for name in index.keys):
            units = sum(write_units(size) for size in sizes)  # a delete and a put
        else:
            units = write_units(max(sizes))  # a put, a delete, or an update in place
        spent[index.name] = units
    return spent


@dataclass
class _Write:
    kind: str
    table: str
    key: dict[str, Any]
    before: dict[str, Any] | None


class DynamoCapacity(Observer):
    """Write and read units every DynamoDB request consumes while active, by DynamoDB's rules.

    Writes (items are read before and after the request with a client of its own, not observed,
    so this is for tests and benchmarks, one request at a time per item):

    - ``PutItem``/``UpdateItem``/``DeleteItem``: one unit per KB started of the larger of the item
      before and after, at least 1; each item of a ``BatchWriteItem`` alike (the engine never
      leaves any unprocessed; unprocessed items would be counted too);
    - a write refused by its condition still consumes the units of the item as it was (at least 1);
      other errors (validation, throttling) consume nothing;
    - ``TransactWriteItems``: twice each item's units. Assumptions: a ``ConditionCheck`` costs
      twice the checked item's units (at least 2); a cancelled transaction costs twice each item's
      units as it was, and no index writes;
    - each global secondary index (from DescribeTable, once per table) spends its own writes on
      each item written (``index_writes``), counted under ``"<operation> <index>"``. Assumption:
      a transaction doubles these too. An index item's size is its projected attributes with the
      table's and the index's keys, plus 100 bytes (``INDEX_ITEM_OVERHEAD``).

    Reads (half a unit per 4 KB when eventually consistent, whole units when consistent):

    - ``GetItem``: one unit per 4 KB started of the whole item (a projection does not lower it),
      at least one even when the item is absent; each key of a ``BatchGetItem`` alike;
      ``TransactGetItems`` twice that, always consistent;
    - ``Query``/``Scan``: the sizes of every item it evaluated (before its filter and projection;
      index items for an index), summed, then rounded up to 4 KB once per request (at least 1),
      then halved unless ``ConsistentRead``: 10 items of 1 KB eventually consistent are 1.5. The
      items are found by asking the same request again, unobserved, without filter and projection,
      limited to its ``ScannedCount``.

    ``writes`` and ``reads`` count the units by operation (and ``"Query GSI1"``, ``"UpdateItem
    GSI2"``...); ``write_units`` and ``read_units`` are the totals.
    """

    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()
        self.reads: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._schemas: dict[str, Schema] = {}
        observed = table().meta.client.meta
        self._reader = boto3.client("dynamodb", endpoint_url=observed.endpoint_url, region_name=observed.region_name)

    def hooks(self) -> dict[str, Callable[..., None]]:
        return {"before-call.dynamodb": self._before, "after-call.dynamodb": self._after}

    @property
    def write_units(self) -> int:
        return int(sum(self.writes.values()))

    @property
    def read_units(self) -> float:
        return float(sum(self.reads.values()))

    def schema(self, table_name: str) -> Schema:
        with self._lock:
            known = self._schemas.get(table_name)
        if known is None:
            known = Schema.described(self._reader.describe_table(TableName=table_name)["Table"])
            with self._lock:
                self._schemas[table_name] = known
        return known

    def _current(self, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._reader.get_item(TableName=table_name, Key=key, ConsistentRead=True).get(
            "Item"
        )
        return found

    def _spend(self, writes: Counter[str], reads: Mapping[str, float]) -> None:
        with self._lock:
            self.writes.update(writes)
            for target, units in reads.items():
                self.reads[target] += units

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        body = json.loads(params.get("body") or b"{}")
        pending: list[_Write] = []
        for kind, request in actions(model.name, body):
            if kind in WRITES or kind in BATCH_WRITES:
                name = request["TableName"]
                key = request.get("Key") or self.schema(name).key_of(request["Item"])
                pending.append(_Write(kind, name, key, self._current(name, key)))
        context["annex_capacity"] = (body, pending)

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        body, pending = context.pop("annex_capacity", ({}, []))
        writes: Counter[str] = Counter()
        reads: defaultdict[str, float] = defaultdict(float)
        factor = 2 if model.name in ("TransactWriteItems", "TransactGetItems") else 1
        if http_response.status_code >= 300:
            if parsed.get("Error", {}).get("Code") in FAILED_WRITES:
                for write in pending:
                    writes[model.name] += factor * write_units(_size(write.before))
            self._spend(writes, reads)
            return
        for write in pending:
            after = self._current(write.table, write.key)
            if write.kind == "ConditionCheck":
                writes[model.name] += factor * write_units(_size(write.before))
                continue
            writes[model.name] += factor * write_units(max(_size(write.before), _size(after)))
            for index, units in index_writes(self.schema(write.table), write.before, after).items():
                writes[f"{model.name} {index}"] += factor * units
        if model.name in ("Query", "Scan"):
            target = " ".join(filter(None, (model.name, body.get("IndexName"))))
            reads[target] += read_units(
                self._evaluated_bytes(model.name, body, parsed), bool(body.get("ConsistentRead"))
            )
        elif model.name in ("GetItem", "BatchGetItem", "TransactGetItems"):
            for _kind, request in actions(model.name, body):
                consistent = model.name == "TransactGetItems" or bool(request.get("ConsistentRead"))
                for key in request.get("Keys", [request.get("Key")]):
                    size = _size(self._current(request["TableName"], key))
                    reads[model.name] += factor * read_units(size, consistent)
        self._spend(writes, reads)

    def _evaluated_bytes(self, operation: str, body: dict[str, Any], parsed: dict[str, Any]) -> int:
        """The bytes of the items a query or scan evaluated: the same request asked again without
        filter or projection, limited to the number it evaluated."""
        scanned = int(parsed.get("ScannedCount", 0))
        if scanned == 0:
            return 0
        replay = {name: value for name, value in body.items() if name not in _REPLAY_DROPS}
        kept = set(_PLACEHOLDER.findall(replay.get("KeyConditionExpression", "")))
        for field in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            used = {name: value for name, value in replay.pop(field, {}).items() if name in kept}
            if used:
                replay[field] = used
        replay["Limit"] = scanned
        items = (self._reader.query if operation == "Query" else self._reader.scan)(**replay)["Items"]
        schema = self.schema(body["TableName"])
        index = schema.index(body["IndexName"]) if "IndexName" in body else None
        if index is None:
            return sum(item_size(item) for item in items)
        projected = (schema.index_item(index, item) for item in items)
        return sum(index_item_size(item) for item in projected if item is not None)


def _size(item: Item | None) -> int:
    return 0 if item is None else item_size(item)
