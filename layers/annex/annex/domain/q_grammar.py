"""The ``q`` grammar (lark, LALR) and the tree-to-clauses step; ``annex.domain.query`` is its
only user and imports it on first parse, so paths that never parse q never import lark."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput, UnexpectedToken

from annex.errors import BadRequest

_GRAMMAR = r"""
    query: clause (AND clause)*
    clause: NEG? BASE segment+ OP value
    segment: "[" STRING "]"
    value: STRING -> string
         | NUMBER -> number
         | "true" -> true
         | "false" -> false
         | "null" -> null
    AND: /(?<=\s)AND(?=\s|$)/
    NEG: "-"
    BASE: /[a-z_]+/
    OP: ">=" | "<=" | ":" | ">" | "<"
    STRING: /'(?:[^'\\]|\\.)*'/
    NUMBER: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/
    %import common.WS
    %ignore WS
"""


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
        # Python refuses to convert integers of more than 4,300 digits to and from text: a longer
        # one stays a Decimal (it compares and encodes alike).
        return Decimal(text) if "." in text or len(text) > 4000 else int(text)

    def true(self, _: list[Token]) -> bool:
        return True

    def false(self, _: list[Token]) -> bool:
        return False

    def null(self, _: list[Token]) -> None:
        return None

    def segment(self, items: list[Token]) -> str:
        return _unquote(str(items[0]))

    def clause(self, items: list[Any]) -> tuple[Token | None, Token, tuple[str, ...], Token, Any]:
        negated = isinstance(items[0], Token) and items[0].type == "NEG"
        rest = items[1:] if negated else items
        base, *path, op, value = rest
        return (items[0] if negated else None, base, tuple(path), op, value)

    def query(self, items: list[Any]) -> list[Any]:
        return [item for item in items if not (isinstance(item, Token) and item.type == "AND")]


@functools.cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, start="query", parser="lalr", propagate_positions=False, maybe_placeholders=False)


def clauses(text: str) -> list[tuple[Token | None, Token, tuple[str, ...], Token, Any]]:
    """(negation, base, path, operator, value) of each clause; a syntax error is a 400 naming the
    character position (1-based)."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        at_end = isinstance(err, UnexpectedToken) and err.token.type == "$END"
        position = len(text) + 1 if at_end or err.pos_in_stream is None else err.pos_in_stream + 1
        raise BadRequest(f"Malformed q at character {position}: {_expected(err)}", code="invalid_query") from None
    found: list[tuple[Token | None, Token, tuple[str, ...], Token, Any]] = _Build().transform(tree)
    return found


def _expected(err: UnexpectedInput) -> str:
    expected = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or [])
    names = {
        "STRING": "a quoted string",
        "NUMBER": "a number",
        "OP": "an operator (: > >= < <=)",
        "LSQB": "'['",
        "RSQB": "']'",
        "AND": "' AND ' (spaces around it)",
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
