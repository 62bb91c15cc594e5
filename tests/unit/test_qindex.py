"""The q index: typed encodings that sort like numbers, entries of a document, clause key ranges
and the planner's order. The key property: a clause matches a document exactly when one of the
document's entries on the clause's path falls in the clause's key range."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from annex.domain.query import Clause, Op, parse
from annex.store import qindex

BASES = frozenset({"user_metadata"})
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=4),
)
scalars = st.one_of(st.none(), st.booleans(), st.text(max_size=6), numbers)


@given(numbers, numbers)
def test_number_encodings_sort_like_the_numbers(a: int | Decimal, b: int | Decimal) -> None:
    ea, eb = qindex.encode(a), qindex.encode(b)
    assert (ea < eb) == (Decimal(a) < Decimal(b))
    assert (ea == eb) == (Decimal(a) == Decimal(b))


def test_encodings_are_typed_and_equal_numbers_share_one() -> None:
    assert qindex.encode(1) == qindex.encode(1.0) == qindex.encode(Decimal("1.000"))
    assert len({qindex.encode(v) for v in ("5", 5, True, None, False, "true", "")}) == 7
    assert sorted([qindex.encode(v) for v in (10, -2, 0, 1.5, -10, 2, -1.5)]) == [
        qindex.encode(v) for v in (-10, -2, -1.5, 0, 1.5, 2, 10)
    ]


def test_string_encodings_are_never_prefixes_of_each_other() -> None:
    assert not qindex.encode("ab#").startswith(qindex.encode("a") + "#")
    assert not (qindex.encode("a#1") + "#").startswith(qindex.encode("a") + "#")


def test_entries_cover_leaves_and_array_elements() -> None:
    doc = {"order": {"status": "shipped", "n": 2}, "tags": ["a", "b", "a", {"x": 1}], "ok": True, "none": None}
    assert qindex.entries(doc) == {
        (("order", "status"), qindex.encode("shipped")),
        (("order", "n"), qindex.encode(2)),
        (("tags",), qindex.encode("a")),
        (("tags",), qindex.encode("b")),
        (("ok",), "t"),
        (("none",), "z"),
    }
    assert qindex.entries("top-level string") == set()
    assert qindex.entries([1, 2]) == set()


documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=8,
)
paths = st.lists(st.sampled_from("abc"), min_size=1, max_size=2).map(tuple)


@given(documents, paths, st.sampled_from(list(Op)), st.one_of(st.none(), st.booleans(), st.text(max_size=3), numbers))
def test_a_clause_matches_exactly_when_an_entry_is_in_its_range(
    document: Any, path: tuple[str, ...], op: Op, value: Any
) -> None:
    if op is not Op.EQ and not (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        value = 1
    clause = Clause("user_metadata", path, op, value)
    key_range = qindex.key_range(clause)
    assert key_range is not None
    in_range = any(
        p == path and key_range.low <= e + "#1795608217572#s" <= key_range.high for p, e in qindex.entries(document)
    )
    assert in_range == clause.matches(document)


def test_negated_clauses_have_no_range_and_the_planner_ranks_equalities_first() -> None:
    query = parse(
        "user_metadata['n']>3 AND -user_metadata['x']:1 AND user_metadata['ok']:true AND user_metadata['a']['b']:'v'",
        BASES,
    )
    assert qindex.key_range(query.clauses[1]) is None
    assert [c.path for c in qindex.answerable(query)] == [("a", "b"), ("ok",), ("n",)]


def test_numbers_beyond_28_digits_keep_their_order() -> None:
    below, big, above = (Decimal(f"12345678901234567890123456789{d}") for d in (0, 1, 2))  # 30 digits
    assert qindex.encode(below) < qindex.encode(big) < qindex.encode(above)
    assert qindex.encode(10**40 + 1) > qindex.encode(10**40)
    assert qindex.encode(Decimal("1e-400")) < qindex.encode(Decimal("2e-400")) < qindex.encode(1)


def test_long_strings_are_hashed_so_sort_keys_stay_within_dynamodbs_limit() -> None:
    short, long = "é" * 100, "中" * 340  # 200 and 1,020 UTF-8 bytes
    assert qindex.encode(short) == f"s100:{short}"
    assert qindex.encode(long).startswith("h") and len(qindex.encode(long)) == 65
    assert qindex.encode(long) != qindex.encode(long + "x")


def test_a_query_bound_longer_than_any_stored_value_keeps_its_comparisons_within_key_limits() -> None:
    huge, tiny = 10**1200, -(10**1200)
    stored = [qindex.encode(v) + "#0000000000001#s" for v in (-(10**500), -3, 0, 2.5, 10**500)]
    for value, op, expected in (
        (huge, Op.LT, 5),
        (huge, Op.GT, 0),
        (tiny, Op.GT, 5),
        (tiny, Op.LTE, 0),
        (huge, Op.EQ, 0),
    ):
        bounds = qindex.key_range(Clause("user_metadata", ("n",), op, value))
        assert bounds is not None and len(bounds.low.encode()) < 1024 and len(bounds.high.encode()) < 1024
        assert sum(bounds.low <= sk <= bounds.high for sk in stored) == expected


# Numbers of more than MAX_DIGITS significant digits are cut to their head and hashed.
heads = st.integers(min_value=10**qindex.MAX_DIGITS, max_value=10 ** (qindex.MAX_DIGITS + 3))
long_numbers = st.builds(
    lambda head, tail, sign: sign * (head * 10**3 + tail), heads, st.integers(1, 999), st.sampled_from([1, -1])
)
near = st.builds(lambda n, d: n + d, long_numbers, st.integers(-3, 3))  # numbers sharing a head


@given(st.lists(st.one_of(numbers, long_numbers, near), min_size=1, max_size=4), st.sampled_from(list(Op)), st.data())
def test_cut_numbers_are_found_by_every_clause_that_matches_them(stored: list[int], op: Op, data: Any) -> None:
    """No false negatives whatever the lengths; exact (no false positives either) when the query's
    number fits MAX_DIGITS, as every number a q of sensible length names does."""
    value = data.draw(st.one_of(numbers, st.sampled_from(stored), long_numbers, near))
    document = {"n": stored}
    clause = Clause("user_metadata", ("n",), op, value)
    key_range = qindex.key_range(clause)
    assert key_range is not None
    in_range = any(key_range.low <= e + "#1795608217572#s" <= key_range.high for _, e in qindex.entries(document))
    if clause.matches(document):
        assert in_range
    if len(str(abs(value)).rstrip("0")) <= qindex.MAX_DIGITS:
        assert in_range == clause.matches(document)


def test_a_cut_number_keeps_its_equality_exact_and_its_place_among_the_others() -> None:
    big = 10**600 + 7
    assert qindex.encode(big) == qindex.encode(Decimal(big)) != qindex.encode(big + 1)
    assert qindex.encode(10**600) < qindex.encode(big) < qindex.encode(10**600 + 10**473)
    assert qindex.encode(-(10**600) - 10**473) < qindex.encode(-big) < qindex.encode(-(10**600))
    assert all(len(qindex.encode(n).encode()) <= qindex.MAX_ENCODING_BYTES for n in (big, -big, 10**9000, -(10**9000)))


def test_every_sort_key_and_query_bound_stays_within_1024_bytes_at_the_apis_maxima() -> None:
    """The longest session id (128 four-byte characters) with the longest number user_metadata can
    hold (506 digits) or the longest string (a 512-character JSON)."""
    from annex.core.sessions import MAX_SESSION_ID_CHARS
    from annex.domain import session_search
    from annex.store import keys

    session_id = "𝄞" * MAX_SESSION_ID_CHARS
    position = keys.position(9_999_999_999_999, session_id)
    for value in (int("9" * 506), -int("9" * 506), "𝄞" * 505, Decimal("0." + "1" * 500)):
        entry = keys.q_entry("app", "user_metadata", ("a",), qindex.encode(value), 9_999_999_999_999, session_id)
        assert len(entry.sk.encode()) <= 1024
        for op in Op:
            bounds = qindex.key_range(Clause("user_metadata", ("a",), op, value))
            assert bounds is not None
            for bound in (bounds.low, bounds.high, bounds.low + position):  # the planner's streamed equality
                assert len(bound.encode()) <= 1024
    assert session_search.decode_cursor(session_search.encode_cursor(position)) == position
