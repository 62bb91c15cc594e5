"""Counting what Annex asks of DynamoDB, with botocore's event hooks (used by tests and benchmarks)."""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import Any

from annex.store.table import client, table


class DynamoCalls:
    """Counts DynamoDB requests by operation, and items read, while active.

    Every attempt the SDK sends counts (a retried request counts twice), because that is what
    DynamoDB bills and what adds latency.
    """

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.items_read = 0
        # The store's table resource, and the plain client Powertools idempotency writes with.
        self._emitters = [table().meta.client.meta.events, client().meta.events]

    @property
    def requests(self) -> int:
        return sum(self.operations.values())

    def _before(self, model: Any, **_: Any) -> None:
        self.operations[model.name] += 1

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if "ScannedCount" in parsed:
            self.items_read += int(parsed["ScannedCount"])
        elif model.name == "GetItem" and parsed.get("Item") is not None:
            self.items_read += 1
        elif model.name == "BatchGetItem":
            self.items_read += sum(len(items) for items in parsed.get("Responses", {}).values())

    def __enter__(self) -> DynamoCalls:
        for events in self._emitters:
            events.register("before-call.dynamodb", self._before)
            events.register("after-call.dynamodb", self._after)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for events in self._emitters:
            events.unregister("before-call.dynamodb", self._before)
            events.unregister("after-call.dynamodb", self._after)
