"""The ``q`` query language: parsing and matching (SPEC "The q query").

Grammar (clauses joined by ``AND``, at most 10)::

    query   := clause ("AND" clause)*
    clause  := ["-"] base ("[" string "]")+ op value
    op      := ":" | ">" | ">=" | "<" | "<="
    value   := string | number | true | false | null
    string  := '...'   (backslash escapes \\' and \\\\)

``base`` is ``user_metadata`` for sessions and ``metadata`` / ``meta`` for users and channels.
Matching is exact and typed (``'5'`` is not ``5``, ``true`` is not ``1``); a path that holds an
array matches when an element matches; ``-`` negates a clause.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput, UnexpectedToken

from annex.errors import BadRequest

MAX_CLAUSES = 10

_GRAMMAR = r"""
    query: clause ("AND" clause)*
    clause: NEG? BASE segment+ OP value
    segment: "[" STRING "]"
    value: STRING -> string
         | NUMBER -> number
         | "true" -> true
         | "false" -> false
         | "null" -> null
    NEG: "-"
    BASE: /[a-z_]+/
    OP: ">=" | "<=" | ":" | ">" | "<"
    STRING: /'(?:[^'\\]|\\.)*'/
    NUMBER: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/
    %import common.WS
    %ignore WS
"""


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


def _unquote(token: str) -> str:
    body = token[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


class _Build(Transformer[Token, Any]):
    def string(self, items: list[Token]) -> str:
        return _unquote(str(items[0]))

    def number(self, items: list[Token]) -> int | Decimal:
        text = str(items[0])
        return Decimal(text) if "." in text else int(text)

    def true(self, _: list[Token]) -> bool:
        return True

    def false(self, _: list[Token]) -> bool:
        return False

    def null(self, _: list[Token]) -> None:
        return None

    def segment(self, items: list[Token]) -> str:
        return _unquote(str(items[0]))

    def clause(self, items: list[Any]) -> tuple[Token | None, str, tuple[str, ...], str, Scalar]:
        negated = isinstance(items[0], Token) and items[0].type == "NEG"
        rest = items[1:] if negated else items
        base, *path, op, value = rest
        return (items[0] if negated else None, str(base), tuple(path), str(op), value)

    def query(self, items: list[Any]) -> list[Any]:
        return items


@functools.cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, start="query", parser="lalr", propagate_positions=False, maybe_placeholders=False)


def parse(text: str, bases: frozenset[str]) -> Query:
    """Parse ``text``; any error is a 400 that names the character position (1-based)."""
    if not text.strip():
        raise BadRequest("q is empty", code="invalid_query")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        at_end = isinstance(err, UnexpectedToken) and err.token.type == "$END"
        position = len(text) + 1 if at_end or err.pos_in_stream is None else err.pos_in_stream + 1
        raise BadRequest(f"Malformed q at character {position}: {_expected(err)}", code="invalid_query") from None
    clauses = []
    for neg, base, path, op, value in _Build().transform(tree):
        if base not in bases:
            raise BadRequest(f"Unknown base {base!r} in q; use {' or '.join(sorted(bases))}", code="invalid_query")
        clause = Clause(base, path, Op(op), value, negated=neg is not None)
        if clause.op is not Op.EQ and not is_number(value):
            raise BadRequest(f"Operator {op} compares numbers only", code="invalid_query")
        clauses.append(clause)
    if len(clauses) > MAX_CLAUSES:
        raise BadRequest(f"q has {len(clauses)} clauses; at most {MAX_CLAUSES}", code="invalid_query")
    return Query(tuple(clauses))


def _expected(err: UnexpectedInput) -> str:
    expected = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or [])
    names = {
        "STRING": "a quoted string",
        "NUMBER": "a number",
        "OP": "an operator (: > >= < <=)",
        "LSQB": "'['",
        "RSQB": "']'",
        "AND": "AND",
        "BASE": "a base such as user_metadata",
        "NEG": "'-'",
        "TRUE": "true",
        "FALSE": "false",
        "NULL": "null",
        "$END": "the end",
    }
    if not expected:
        return "unexpected character"
    return "expected " + ", ".join(dict.fromkeys(names.get(e, e) for e in expected))
