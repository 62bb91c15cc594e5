"""Counting what Annex asks of DynamoDB, with botocore's event hooks (used by tests and benchmarks)."""

from __future__ import annotations

import threading
from collections import Counter
from types import TracebackType
from typing import Any

from annex.store.table import bulk_client, client, table


class DynamoCalls:
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
        # The store's table resource, its bulk-read client, and the plain client Powertools idempotency writes with.
        self._emitters = [table().meta.client.meta.events, bulk_client().meta.events, client().meta.events]

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

    def __enter__(self) -> DynamoCalls:
        for events in self._emitters:
            events.register("before-parameter-build.dynamodb", self._parameters)
            events.register("before-call.dynamodb", self._before)
            events.register("after-call.dynamodb", self._after)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for events in self._emitters:
            events.unregister("before-parameter-build.dynamodb", self._parameters)
            events.unregister("before-call.dynamodb", self._before)
            events.unregister("after-call.dynamodb", self._after)
