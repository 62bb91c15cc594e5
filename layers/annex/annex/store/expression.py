"""The one builder of the store's DynamoDB expressions: update, condition, filter and projection,
with their name and value placeholders.

Attribute names and map keys may hold any character, so none is its own placeholder: each name
gets ``#e0``, ``#e1``… (the same one every time it is named), each value ``:e0``, ``:e1``… (not
boto3's ``#n0``/``:v0``, so a request may also carry a ``Key(...)`` key condition). A request
carries exactly the placeholders its expressions use (DynamoDB refuses others).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annex.store.keys import PK, VERSION

# DynamoDB allows 4 KB per expression: a caller whose expression passes this pins less instead.
EXPRESSION_CHARS = 3000
_PLACEHOLDER = re.compile(r"[#:]\w+")


@dataclass
class Expression:
    """An update expression (``sets``, ``adds``, ``removes``) and the ``conditions`` it is applied
    under (a ConditionExpression, or a FilterExpression for a read), with names and values."""

    sets: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # DELETE: members taken out of a set
    conditions: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    _refs: dict[str, str] = field(default_factory=dict, repr=False)

    def n(self, name: str) -> str:
        """The placeholder of an attribute name or map key (the same one each time)."""
        ref = self._refs.get(name)
        if ref is None:
            ref = self._refs[name] = f"#e{len(self.names)}"
            self.names[ref] = name
        return ref

    def path(self, *names: str) -> str:
        """The placeholder path of a nested attribute (``#e0.#e1`` for key ``k`` of map ``m``)."""
        return ".".join(self.n(name) for name in names)

    def v(self, value: Any) -> str:
        ref = f":e{len(self.values)}"
        self.values[ref] = value
        return ref

    def set(self, name: str, value: Any) -> None:
        self.sets.append(f"{self.n(name)} = {self.v(value)}")

    def add(self, name: str, amount: Any) -> None:
        """``ADD name amount``: a number added (from 0 when absent), or members to a set."""
        self.adds.append(f"{self.n(name)} {self.v(amount)}")

    def bump(self) -> None:
        """The record's version goes up by one (every write to a record does this)."""
        self.add(VERSION, 1)

    def exists(self, path: str | None = None) -> None:
        """Condition: the item (its key) or the attribute at the placeholder ``path`` exists."""
        self.conditions.append(f"attribute_exists({path or self.n(PK)})")

    def absent(self, path: str | None = None) -> None:
        """Condition: the item (its key) or the attribute at the placeholder ``path`` does not exist."""
        self.conditions.append(f"attribute_not_exists({path or self.n(PK)})")

    def expect(self, expected: int | None) -> None:
        """Condition: the record is at version ``expected`` (the If-Match), when one is given."""
        if expected is not None:
            self.conditions.append(f"{self.n(VERSION)} = {self.v(expected)}")

    def update(self) -> str:
        parts = [("SET ", self.sets), ("ADD ", self.adds), ("REMOVE ", self.removes), ("DELETE ", self.deletes)]
        return " ".join(verb + ", ".join(clauses) for verb, clauses in parts if clauses)

    def condition(self) -> str:
        return " AND ".join(self.conditions)

    def fits(self) -> bool:
        """Whether both expressions stay within what DynamoDB takes (with room to spare)."""
        return len(self.update()) <= EXPRESSION_CHARS and len(self.condition()) <= EXPRESSION_CHARS

    def request(self) -> dict[str, Any]:
        """The arguments of an ``UpdateItem``, a conditional ``PutItem``/``DeleteItem`` or one
        operation of a transaction."""
        out: dict[str, Any] = {}
        if update := self.update():
            out["UpdateExpression"] = update
        if self.conditions:
            out["ConditionExpression"] = self.condition()
        return out | self._placeholders(*out.values())

    def read(self, projection: Iterable[str] = (), key: str = "") -> dict[str, Any]:
        """The arguments of a read: a ``Query`` of the ``key`` condition (built with ``n`` and ``v``)
        or a ``Scan``, keeping the items that meet the conditions, and of any read, just the
        placeholder paths ``projection`` (from ``n``, ``path``)."""
        out: dict[str, Any] = {}
        if key:
            out["KeyConditionExpression"] = key
        if self.conditions:
            out["FilterExpression"] = self.condition()
        if paths := ", ".join(projection):
            out["ProjectionExpression"] = paths
        return out | self._placeholders(*out.values())

    def _placeholders(self, *expressions: str) -> dict[str, Any]:
        used = set(_PLACEHOLDER.findall(" ".join(expressions)))
        out: dict[str, Any] = {}
        if names := {ref: name for ref, name in self.names.items() if ref in used}:
            out["ExpressionAttributeNames"] = names
        if values := {ref: value for ref, value in self.values.items() if ref in used}:
            out["ExpressionAttributeValues"] = values
        return out


def if_absent() -> Expression:
    """The condition of a write that creates an item: none with its key exists yet."""
    ex = Expression()
    ex.absent()
    return ex


def if_exists(expected: int | None = None) -> Expression:
    """The condition of a write to an existing item (at version ``expected``, when given)."""
    ex = Expression()
    ex.exists()
    ex.expect(expected)
    return ex
