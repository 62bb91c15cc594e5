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

from annex.core.query import MISSING, Clause, Op, Query, Scalar, is_number, lookup, same_value
from annex.errors import BadRequest

# The parsed form is core's (the store's index encodes it too); the domain's modules name it here.
__all__ = ["MAX_CLAUSES", "MISSING", "Clause", "Op", "Query", "Scalar", "is_number", "lookup", "parse", "same_value"]

MAX_CLAUSES = 10


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
