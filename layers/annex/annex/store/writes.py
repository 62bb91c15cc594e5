"""Multi-item writes: a ``TransactWriteItems`` being assembled from items, keys and expressions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from annex.store.expression import Expression
from annex.store.table import table

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit on one TransactWriteItems


def batch_write(puts: Iterable[dict[str, Any]] = (), deletes: Iterable[dict[str, str]] = ()) -> None:
    """Unconditioned puts and deletes, 25 items a ``BatchWriteItem`` (boto3 resends unprocessed items)."""
    with table().batch_writer() as batch:
        for put in puts:
            batch.put_item(Item=put)
        for key in deletes:
            batch.delete_item(Key=key)


@dataclass
class Tx:
    """A transaction being assembled."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def _op(self, kind: str, request: dict[str, Any]) -> None:
        self.items.append({kind: {"TableName": table().name} | request})

    def put(self, item: dict[str, Any], condition: Expression | None = None) -> None:
        self._op("Put", {"Item": item} | (condition.request() if condition else {}))

    def delete(self, key: dict[str, str], condition: Expression | None = None) -> None:
        """Delete the item at ``key`` (under ``condition``: its old item is the reason it failed)."""
        if condition is None:
            self._op("Delete", {"Key": key})
        else:
            self._op("Delete", {"Key": key, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"} | condition.request())

    def check(self, key: dict[str, str], condition: Expression) -> None:
        """No change: only ``condition`` on the item at ``key``."""
        self._op("ConditionCheck", {"Key": key} | condition.request())

    def add(self, key: dict[str, str], counter: str, amount: int) -> None:
        """``ADD counter amount`` on the item at ``key`` (created when absent), unconditionally."""
        ex = Expression()
        ex.add(counter, amount)
        self._op("Update", {"Key": key} | ex.request())

    def update(self, key: dict[str, str], expression: Expression) -> None:
        self._op("Update", {"Key": key, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"} | expression.request())

    def run(self) -> list[dict[str, Any]] | None:
        """Apply; None on success, else each item's cancellation reason (with the old item)."""
        try:
            table().meta.client.transact_write_items(TransactItems=self.items)  # type: ignore[arg-type]
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":  # not DynamoDB's answer to a transaction, but
                return [{"Code": "ConditionalCheckFailed"}]  # if one says so, no reason is known
            if code != "TransactionCanceledException":
                raise
            reasons: list[dict[str, Any]] = err.response.get("CancellationReasons", [])  # type: ignore[assignment]
            return reasons or [{"Code": "TransactionConflict"}]
        return None
