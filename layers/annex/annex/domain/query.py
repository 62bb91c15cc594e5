"""The ``q`` query language: parsing and matching (SPEC "The q query").

Grammar (clauses joined by ``AND`` with whitespace on both sides, at most 10; the lark grammar
is in ``q_grammar.py``)::

    query   := clause (" AND " clause)*
    clause  := ["-"] base ("[" string "]")+ op value
    op      := ":" | ">" | ">=" | "<" | "<="
    value   := string | number | true | false | null
    string  := '...'   (backslash escapes \\' and \\\\)

``base`` is ``user_metadata`` for sessions and ``metadata`` / ``meta`` for users and channels.
Matching is exact and typed (``'5'`` is not ``5``, ``true`` is not ``1``); a path that holds an
array matches when an element matches; ``-`` negates a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from annex.errors import BadRequest

MAX_CLAUSES = 10


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


def parse(text: str, bases: frozenset[str]) -> Query:
    """Parse ``text``; any error is a 400 that names the character position (1-based)."""
    if not text.strip():
        raise BadRequest("q is empty", code="invalid_query")
    from annex.domain import q_grammar  # lark: imported by the lists that parse q, not by every cold start

    clauses = []
    for neg, base, path, op, value in q_grammar.clauses(text):
        if str(base) not in bases:
            at, allowed = (base.start_pos or 0) + 1, " or ".join(sorted(bases))
            raise BadRequest(f"Unknown base {str(base)!r} at character {at} of q; use {allowed}", code="invalid_query")
        clause = Clause(str(base), path, Op(str(op)), value, negated=neg is not None)
        if clause.op is not Op.EQ and not is_number(value):
            raise BadRequest(
                f"Operator {op} at character {(op.start_pos or 0) + 1} of q compares numbers only", code="invalid_query"
            )
        clauses.append(clause)
    if len(clauses) > MAX_CLAUSES:
        raise BadRequest(f"q has {len(clauses)} clauses; at most {MAX_CLAUSES}", code="invalid_query")
    return Query(tuple(clauses))
