"""The q language: every operator, typed values, escapes, negation, arrays, and malformed forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from annex.domain.query import MAX_CLAUSES, Clause, Op, parse
from annex.errors import BadRequest

BASES = frozenset({"user_metadata"})


def q(text: str) -> Any:
    return parse(text, BASES)


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("user_metadata['order']['status']:'shipped'", Clause("user_metadata", ("order", "status"), Op.EQ, "shipped")),
        ("user_metadata['n']:5", Clause("user_metadata", ("n",), Op.EQ, 5)),
        ("user_metadata['n']:-1.25", Clause("user_metadata", ("n",), Op.EQ, Decimal("-1.25"))),
        ("user_metadata['n']>5", Clause("user_metadata", ("n",), Op.GT, 5)),
        ("user_metadata['n']>=5", Clause("user_metadata", ("n",), Op.GTE, 5)),
        ("user_metadata['n']<5", Clause("user_metadata", ("n",), Op.LT, 5)),
        ("user_metadata['n'] <= 5", Clause("user_metadata", ("n",), Op.LTE, 5)),
        ("user_metadata['b']:true", Clause("user_metadata", ("b",), Op.EQ, True)),
        ("user_metadata['b']:false", Clause("user_metadata", ("b",), Op.EQ, False)),
        ("user_metadata['b']:null", Clause("user_metadata", ("b",), Op.EQ, None)),
        ("-user_metadata['s']:'x'", Clause("user_metadata", ("s",), Op.EQ, "x", negated=True)),
        (r"user_metadata['it\'s']:'a\'b\\c'", Clause("user_metadata", ("it's",), Op.EQ, "a'b\\c")),
        ("user_metadata['with space']:'ünï'", Clause("user_metadata", ("with space",), Op.EQ, "ünï")),
    ],
)
def test_parses_each_form(text: str, clause: Clause) -> None:
    assert q(text).clauses == (clause,)


def test_and_joins_clauses() -> None:
    parsed = q("user_metadata['a']:1 AND user_metadata['b']:'x' AND -user_metadata['c']>2")
    assert [c.path for c in parsed.clauses] == [("a",), ("b",), ("c",)]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("user_metadata['a']:", 20),
        ("user_metadata['a'] 'x'", 20),
        ("user_metadata:'x'", 14),
        ("user_metadata['a':1", 18),
        ("user_metadata['a']:'unterminated", 20),
        ("user_metadata['a']:1 AND", 25),
        ("user_metadata['a']:1 OR user_metadata['b']:2", 22),
        ("user_metadata['a']=1", 19),
        ("user_metadata['a']:01", 21),
        ('user_metadata["a"]:1', 15),
        ("user_metadata['a']:1AND user_metadata['b']:2", 21),  # AND needs a space on each side
        ("user_metadata['a']:1 ANDuser_metadata['b']:2", 22),
        ("metadata['a']:1", 1),  # not a base of sessions
        ("user_metadata['a']:1 AND user_metadata['a']>'x'", 44),  # > compares numbers only
        ("user_metadata['a']<true", 19),
    ],
)
def test_malformed_queries_name_the_position(text: str, position: int) -> None:
    with pytest.raises(BadRequest) as err:
        q(text)
    assert err.value.code == "invalid_query"
    assert f"character {position}" in err.value.message


@pytest.mark.parametrize(
    "text",
    ["", "   "],
)
def test_other_invalid_queries(text: str) -> None:
    with pytest.raises(BadRequest):
        q(text)


def test_at_most_ten_clauses() -> None:
    ten = " AND ".join(f"user_metadata['k{i}']:{i}" for i in range(MAX_CLAUSES))
    assert len(q(ten).clauses) == MAX_CLAUSES
    with pytest.raises(BadRequest, match="at most 10"):
        q(ten + " AND user_metadata['x']:1")


DOC = {"order": {"status": "shipped", "total": 12.5}, "tags": ["a", "b", 5], "n": 5, "flag": True, "none": None}


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("user_metadata['order']['status']:'shipped'", True),
        ("user_metadata['order']['status']:'pending'", False),
        ("user_metadata['n']:5", True),
        ("user_metadata['n']:'5'", False),
        ("user_metadata['n']:5.0", True),
        ("user_metadata['flag']:true", True),
        ("user_metadata['flag']:1", False),
        ("user_metadata['n']:true", False),
        ("user_metadata['none']:null", True),
        ("user_metadata['missing']:null", False),
        ("user_metadata['tags']:'b'", True),
        ("user_metadata['tags']:5", True),
        ("user_metadata['tags']:'c'", False),
        ("user_metadata['order']['total']>12", True),
        ("user_metadata['order']['total']>=12.5", True),
        ("user_metadata['order']['total']<12.5", False),
        ("user_metadata['order']['status']>1", False),
        ("-user_metadata['order']['status']:'pending'", True),
        ("-user_metadata['missing']:'x'", True),
        ("user_metadata['n']>4 AND user_metadata['n']<6 AND -user_metadata['tags']:'z'", True),
        ("user_metadata['n']>4 AND user_metadata['flag']:false", False),
    ],
)
def test_matching_is_exact_and_typed(text: str, hit: bool) -> None:
    assert q(text).matches({"user_metadata": DOC}) is hit


def test_an_integer_longer_than_python_converts_is_still_a_number() -> None:
    (clause,) = parse("user_metadata['a']>" + "9" * 5000, frozenset({"user_metadata"})).clauses
    assert clause.value == Decimal("9" * 5000) and not clause.matches(10**600)
