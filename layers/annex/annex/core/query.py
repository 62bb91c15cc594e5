"""The ``q`` query's parsed form and its typed matching (SPEC "The q query"): what the parser in
``annex.domain.query`` produces and what the store's q index (``store/qindex.py``) encodes.

Matching is exact and typed (``'5'`` is not ``5``, ``true`` is not ``1``); a path that holds an
array matches when an element matches; ``-`` negates a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    EQ = ":"
    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="


Scalar = str | int | Decimal | bool | None


@dataclass(frozen=True)
class Clause:
    base: str
    path: tuple[str, ...]
    op: Op
    value: Scalar
    negated: bool = False

    def matches(self, document: Any) -> bool:
        found = lookup(document, self.path)
        if found is MISSING:
            hit = False
        elif isinstance(found, list):
            hit = any(self._holds(item) for item in found)
        else:
            hit = self._holds(found)
        return hit != self.negated

    def _holds(self, stored: Any) -> bool:
        if self.op is Op.EQ:
            return same_value(stored, self.value)
        if not is_number(stored):
            return False
        left, right = Decimal(str(stored)), Decimal(str(self.value))
        return {
            Op.GT: left > right,
            Op.GTE: left >= right,
            Op.LT: left < right,
            Op.LTE: left <= right,
        }[self.op]


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    def matches(self, documents: dict[str, Any]) -> bool:
        """Whether every clause holds, each read from ``documents[clause.base]``."""
        return all(c.matches(documents.get(c.base)) for c in self.clauses)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def same_value(stored: Any, wanted: Scalar) -> bool:
    """Typed equality: numbers equal numbers (1 == 1.0), nothing else crosses types."""
    if is_number(stored) and is_number(wanted):
        return Decimal(str(stored)) == Decimal(str(wanted))
    return type(stored) is type(wanted) and stored == wanted


MISSING = object()  # what ``lookup`` finds at a path a document does not have


def lookup(document: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in a JSON document, or MISSING."""
    for key in path:
        if not isinstance(document, dict) or key not in document:
            return MISSING
        document = document[key]
    return document
