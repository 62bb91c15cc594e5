"""Multi-item writes: a ``TransactWriteItems`` being assembled, and update expressions with their
conditions, names and values (shared by the stores whose changes span several items)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from annex.store.table import table


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

    def put(self, item: dict[str, Any], condition: str | None = None, names: dict[str, str] | None = None) -> None:
        op: dict[str, Any] = {"TableName": table().name, "Item": item}
        if condition:
            op |= {"ConditionExpression": condition, "ExpressionAttributeNames": names or {}}
        self.items.append({"Put": op})

    def delete(self, key: dict[str, str]) -> None:
        self.items.append({"Delete": {"TableName": table().name, "Key": key}})

    def add(self, key: dict[str, str], counter: str, amount: int) -> None:
        """``ADD counter amount`` on the item at ``key`` (created when absent), unconditionally."""
        self.items.append(
            {
                "Update": {
                    "TableName": table().name,
                    "Key": key,
                    "UpdateExpression": "ADD #c :n",
                    "ExpressionAttributeNames": {"#c": counter},
                    "ExpressionAttributeValues": {":n": amount},
                }
            }
        )

    def update(self, key: dict[str, str], expression: Expression) -> None:
        op = {"TableName": table().name, "Key": key} | expression.request()
        op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self.items.append({"Update": op})

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


@dataclass
class Expression:
    """An UpdateExpression with its condition, names and values."""

    sets: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def n(self, name: str) -> str:
        ref = f"#{name}"
        self.names[ref] = name
        return ref

    def v(self, value: Any) -> str:
        ref = f":v{len(self.values)}"
        self.values[ref] = value
        return ref

    def set(self, name: str, value: Any) -> None:
        self.sets.append(f"{self.n(name)} = {self.v(value)}")

    def request(self) -> dict[str, Any]:
        parts = []
        if self.sets:
            parts.append("SET " + ", ".join(self.sets))
        if self.adds:
            parts.append("ADD " + ", ".join(self.adds))
        if self.removes:
            parts.append("REMOVE " + ", ".join(self.removes))
        out: dict[str, Any] = {"UpdateExpression": " ".join(parts), "ExpressionAttributeNames": self.names}
        if self.conditions:
            out["ConditionExpression"] = " AND ".join(self.conditions)
        if self.values:
            out["ExpressionAttributeValues"] = self.values
        return out
