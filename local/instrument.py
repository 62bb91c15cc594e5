"""Counting and measuring what Annex asks of DynamoDB, with botocore's event hooks (used by tests and benchmarks)."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from annex.store.table import bulk_client, client, table


class Observer:
    """Botocore hooks on every client the store sends DynamoDB requests with (its table resource's,
    its bulk-read client, and the plain client Powertools idempotency writes with), registered
    while the observer is active (``with``)."""

    def hooks(self) -> dict[str, Callable[..., None]]:
        """The handlers, by botocore event name."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._emitters = [table().meta.client.meta.events, bulk_client().meta.events, client().meta.events]
        for events in self._emitters:
            for name, handler in self.hooks().items():
                events.register(name, handler)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for events in self._emitters:
            for name, handler in self.hooks().items():
                events.unregister(name, handler)


class DynamoCalls(Observer):
    """Counts DynamoDB requests by operation, and items read, while active.

    Every attempt the SDK sends counts (a retried request counts twice), because that is what
    DynamoDB bills and what adds latency. Items read are what DynamoDB reads to answer: a query's
    ``ScannedCount`` (before any filter), a found ``GetItem``, the items of a ``BatchGetItem``;
    ``items_by_target`` splits them by where they were read (``Query GSI1``, ``Query``, ...).
    """

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.items_by_target: Counter[str] = Counter()
        self._lock = threading.Lock()  # bulk reads run on several threads

    def hooks(self) -> dict[str, Callable[..., None]]:
        return {
            "before-parameter-build.dynamodb": self._parameters,
            "before-call.dynamodb": self._before,
            "after-call.dynamodb": self._after,
        }

    @property
    def requests(self) -> int:
        return sum(self.operations.values())

    @property
    def items_read(self) -> int:
        return sum(self.items_by_target.values())

    def _parameters(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["annex_target"] = " ".join(filter(None, (model.name, params.get("IndexName"))))

    def _before(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.operations[model.name] += 1

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        target = context.get("annex_target", model.name)
        read = 0
        if "ScannedCount" in parsed:
            read = int(parsed["ScannedCount"])
        elif model.name == "GetItem" and parsed.get("Item") is not None:
            read = 1
        elif model.name == "BatchGetItem":
            read = sum(len(items) for items in parsed.get("Responses", {}).values())
        with self._lock:
            self.items_by_target[target] += read


PARTITION_KEYS = frozenset({"PK", "GSI1PK", "GSI2PK", "GSI3PK", "GSI4PK"})
SORT_KEYS = frozenset({"SK", "GSI2SK"})
# A user id or channel url verbatim (the list's order, also in the metadata indexes), or a session's position
LIST_SORT_KEYS = frozenset({"GSI1SK", "GSI3SK", "GSI4SK"})
_REFERENCE = re.compile(r"#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|\b[A-Za-z_][A-Za-z0-9_]*\b")


def actions(name: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The actions of one request's JSON body, each as (kind, request naming its ``TableName``):
    a transaction's items (``Put``, ``Update``, ``Delete``, ``ConditionCheck``, ``Get``), a batch
    write's ``PutRequest``/``DeleteRequest``s, a batch get's tables (with their ``Keys``), or the
    request itself."""
    if name in ("TransactWriteItems", "TransactGetItems"):
        return [next(iter(entry.items())) for entry in body.get("TransactItems", [])]
    if name == "BatchWriteItem":
        return [
            (kind, {"TableName": table_name, **request})
            for table_name, requests in body.get("RequestItems", {}).items()
            for entry in requests
            for kind, request in entry.items()
        ]
    if name == "BatchGetItem":
        return [(name, {"TableName": t, **asked}) for t, asked in body.get("RequestItems", {}).items()]
    return [(name, body)]


@dataclass
class Worst:
    """The largest measure of one quota seen so far, and the request that produced it."""

    quota: int
    value: int = 0
    request: str = ""

    def see(self, value: int, request: str) -> None:
        if value > self.value:
            self.value, self.request = value, request

    @property
    def share(self) -> float:
        return self.value / self.quota


class DynamoQuotas(Observer):
    """Measures, while active, what every DynamoDB request Annex sends comes to against DynamoDB's
    quotas (``local/quotas.py``): the largest item (each item put, and each updated item as stored
    after the update),
    partition and sort key (of every item written, key named and query key condition; GSI1SK apart,
    as "list sort key"), expression,
    and transaction (actions, and the items' bytes: each the larger of before and after).

    Items are read back from moto's backend (not observed), so this is for tests on moto in process,
    one request at a time per item. ``label`` names the API request in progress in ``worst``.
    """

    def __init__(self) -> None:
        from local import quotas

        self.quotas = quotas
        self.worst = {
            "item bytes": Worst(quotas.MAX_ITEM_BYTES),
            "partition key bytes": Worst(quotas.MAX_PARTITION_KEY_BYTES),
            "sort key bytes": Worst(quotas.MAX_SORT_KEY_BYTES),
            "list sort key bytes": Worst(quotas.MAX_SORT_KEY_BYTES),
            "expression bytes": Worst(quotas.MAX_EXPRESSION_BYTES),
            "transaction actions": Worst(quotas.MAX_TRANSACTION_ACTIONS),
            "transaction bytes": Worst(quotas.MAX_TRANSACTION_BYTES),
        }
        self.label = ""
        self._lock = threading.Lock()
        self._region = table().meta.client.meta.region_name

    def hooks(self) -> dict[str, Callable[..., None]]:
        return {"before-call.dynamodb": self._before, "after-call.dynamodb": self._after}

    def _see(self, quota: str, value: int, operation: str) -> None:
        with self._lock:
            self.worst[quota].see(value, f"{self.label} ({operation})".strip())

    def _current(self, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """The item as moto holds it now, from its backend: a client's GetItem would cost a whole
        request's parsing and answer for every item measured (most of the limits suite's time)."""
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        item = dynamodb_backends[DEFAULT_ACCOUNT_ID][self._region].get_item(table_name, key)
        return None if item is None else dict(item.to_json()["Attributes"])

    def _key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in ("PK", "SK") if name in item}

    def _keys(self, attrs: dict[str, Any], operation: str) -> None:
        for name, value in attrs.items():
            if name in PARTITION_KEYS:
                self._see("partition key bytes", self.quotas.value_size(value), operation)
            elif name in SORT_KEYS:
                self._see("sort key bytes", self.quotas.value_size(value), operation)
            elif name in LIST_SORT_KEYS:
                self._see("list sort key bytes", self.quotas.value_size(value), operation)

    def _key_condition(self, request: dict[str, Any], operation: str) -> None:
        """Each value of a key condition, measured against the key it is compared with."""
        names = request.get("ExpressionAttributeNames", {})
        values = request.get("ExpressionAttributeValues", {})
        attribute = None
        for token in _REFERENCE.findall(request.get("KeyConditionExpression", "")):
            if token.startswith(":"):
                if attribute is not None and token in values:
                    self._keys({attribute: values[token]}, operation)
            elif token not in ("AND", "BETWEEN", "begins_with"):
                attribute = names.get(token, token)

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        body = json.loads(params.get("body") or b"{}")
        written: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []  # (table, key, before)
        for kind, request in actions(model.name, body):
            for field in self.quotas.EXPRESSIONS:
                if isinstance(request.get(field), str):
                    self._see("expression bytes", len(request[field].encode()), model.name)
            for key in [
                request.get("Key"),
                request.get("Item"),
                request.get("ExclusiveStartKey"),
                *request.get("Keys", []),
            ]:
                if isinstance(key, dict):
                    self._keys(key, model.name)
            self._key_condition(request, model.name)
            if kind in ("PutItem", "Put", "PutRequest"):  # the item as written: no need to read it
                self._see("item bytes", self.quotas.item_size(request["Item"]), model.name)
            if kind in ("Put", "UpdateItem", "Update", "Delete", "ConditionCheck"):
                key = request.get("Key") or self._key_of(request.get("Item", {}))
                before = self._current(request["TableName"], key) if model.name == "TransactWriteItems" else None
                written.append((request["TableName"], key, before))
        if model.name == "TransactWriteItems":
            self._see("transaction actions", len(body.get("TransactItems", [])), model.name)
        context["annex_written"] = written

    def _after(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code >= 300:
            return  # refused: nothing was written
        total = 0
        for table_name, key, before in context.get("annex_written", []):
            after = self._current(table_name, key)
            sizes = [self.quotas.item_size(image) for image in (before, after) if image is not None]
            if after is not None:
                self._see("item bytes", sizes[-1], model.name)
                self._keys(after, model.name)
            total += max(sizes, default=0)
        if model.name == "TransactWriteItems":
            self._see("transaction bytes", total, model.name)
