"""Session filters (SPEC "Filters"): what each operator means on each kind of attribute (the
attributes are ``domain/attributes.py``'s), and the plan.

A filter list is checked entry by entry into ``Condition``s (``condition``, called by the request
parameter model in ``api/filters.py``). ``plan`` then splits the conditions into what a key can serve and
a predicate for everything:

- ``date_range`` → a range on created time (list entries, GSI1 and q index entries all order by it);
- ``session_id`` / ``user_id`` with ``equal`` or ``in`` → direct keys (the session items; the user's
  numbered sessions);
- ``user_metadata.<path>`` with ``equal`` → a q clause, answered by the q index;
- every condition, those included, → the predicate, evaluated on the stored session (or on its
  projection: ``Plan.reads`` names the attributes it needs). A key only ever narrows what is read.

Semantics, per kind of attribute (a value that is absent or null is "not set"):

- string: ``equal``/``not_equal``, ``in``/``not_in`` (1 to 100 strings), ``contains`` (substring),
  ``is_set``/``is_not_set``. An attribute that is not set equals nothing: ``not_equal`` and
  ``not_in`` match it.
- list (``event_name``, ``session_screen_list``): ``equal``/``contains`` = the list holds the value,
  ``not_equal`` = it does not, ``in``/``not_in`` = it holds any / none of the values, ``is_set`` =
  not empty.
- number: ``equal``/``not_equal``, ``in``/``not_in``, ``greater_than``, ``less_than``,
  ``between`` (``[lo, hi]`` inclusive), ``is_set``/``is_not_set``.
- boolean (``session_crashed``, status ``ERROR``; ``session_has_video``, always false):
  ``equal``/``not_equal`` with ``true``/``false`` (or the strings ``"true"``/``"false"``).
- JSON (``user_metadata.<path>``, ``utm.<field>``, …): exact and typed as in ``q`` (``'5'`` is not
  ``5``; a path holding an array matches when an element does); ``contains`` is a substring of a
  string or an element of an array; ``greater_than``/``less_than``/``between`` compare numbers only.
- ``date_range``: ``between_dates`` with ``{"lower", "upper"}`` ISO 8601 times (UTC when no offset is
  given; a date alone is that whole day), inclusive.

``is_set`` and ``is_not_set`` take no value (one sent is ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from annex.core import MAX_ID_CHARS
from annex.core.sessions import MAX_SESSION_ID_CHARS
from annex.domain import filter_values, query
from annex.domain.attributes import ATTRIBUTES, USER_METADATA, Attribute, Kind, Path, Stored, attribute

MAX_FILTERS = 20
__all__ = ["ATTRIBUTES", "Attribute", "Kind", "Path", "Stored", "attribute"]  # the attributes, named here too

_SET = ("is_set", "is_not_set")
OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.STRING: ("equal", "not_equal", "in", "not_in", "contains", *_SET),
    Kind.LIST: ("equal", "not_equal", "in", "not_in", "contains", *_SET),
    Kind.NUMBER: ("equal", "not_equal", "in", "not_in", "greater_than", "less_than", "between", *_SET),
    Kind.BOOLEAN: ("equal", "not_equal"),
    Kind.DATE: ("between_dates",),
    Kind.JSON: ("equal", "not_equal", "in", "not_in", "contains", "greater_than", "less_than", "between", *_SET),
}


# ---------------------------------------------------------------- values (filter_values.py)

_ONE: dict[Kind, Callable[..., Any]] = {
    Kind.STRING: filter_values.text,
    Kind.LIST: filter_values.text,
    Kind.NUMBER: filter_values.number,
    Kind.JSON: filter_values.scalar,
}
# How each (kind, operator) checks its value (is_set and is_not_set take none).
_VALUES: dict[tuple[Kind, str], Callable[..., Any]] = {
    **{(kind, op): one for kind, one in _ONE.items() for op in ("equal", "not_equal", "contains")},
    **{
        (kind, op): (lambda v, one=one: filter_values.many(v, one))
        for kind, one in _ONE.items()
        for op in ("in", "not_in")
    },
    (Kind.NUMBER, "greater_than"): filter_values.number,
    (Kind.NUMBER, "less_than"): filter_values.number,
    (Kind.NUMBER, "between"): filter_values.bounds,
    (Kind.BOOLEAN, "equal"): filter_values.boolean,
    (Kind.BOOLEAN, "not_equal"): filter_values.boolean,
    (Kind.DATE, "between_dates"): filter_values.dates,
    (Kind.JSON, "greater_than"): filter_values.number,
    (Kind.JSON, "less_than"): filter_values.number,
    (Kind.JSON, "between"): filter_values.bounds,
}


@dataclass(frozen=True)
class Condition:
    """One checked filter: ``attribute``, ``operator`` and the value in its checked form."""

    attribute: Attribute
    operator: str
    value: Any


def condition(name: str, operator: str, value: Any) -> Condition:
    """Check one filter entry; ValueError (with a message for the client) when it does not fit."""
    found = attribute(name)
    allowed = OPERATORS[found.kind]
    if operator not in allowed:
        raise ValueError(
            f"operator {operator[:40]!r} does not apply to {name[:80]} (a {found.kind} attribute);"
            f" use {', '.join(allowed)}"
        )
    if operator in _SET:
        return Condition(found, operator, None)
    return Condition(found, operator, _VALUES[(found.kind, operator)](value))


# ---------------------------------------------------------------- the predicate


def _holds(cond: Condition) -> Callable[[Stored], bool]:
    get, op, value, kind = cond.attribute.get, cond.operator, cond.value, cond.attribute.kind
    if kind is Kind.JSON:
        return _holds_json(cond)
    if op == "is_set":
        return (lambda s: bool(get(s))) if kind is Kind.LIST else (lambda s: get(s) is not None)
    if op == "is_not_set":
        return (lambda s: not get(s)) if kind is Kind.LIST else (lambda s: get(s) is None)
    if kind is Kind.DATE:
        low, high = value
        return lambda s: low <= int(get(s)) <= high
    if kind is Kind.LIST:
        wanted = frozenset(value) if op in ("in", "not_in") else frozenset((value,))
        hit: Callable[[Stored], bool] = lambda s: not wanted.isdisjoint(get(s))  # noqa: E731
        return (lambda s: not hit(s)) if op in ("not_equal", "not_in") else hit
    if kind is Kind.NUMBER and op in ("greater_than", "less_than", "between"):
        low, high = value if op == "between" else (value, value)

        def compare(s: Stored) -> bool:
            number = get(s)
            if number is None:
                return False
            if op == "greater_than":
                return bool(number > low)
            if op == "less_than":
                return bool(number < high)
            return bool(low <= number <= high)

        return compare
    if op == "contains":
        return lambda s: isinstance(get(s), str) and value in get(s)
    if op in ("in", "not_in"):
        options = frozenset(value)
        member: Callable[[Stored], bool] = lambda s: get(s) is not None and get(s) in options  # noqa: E731
        return (lambda s: not member(s)) if op == "not_in" else member
    same: Callable[[Stored], bool] = lambda s: get(s) is not None and get(s) == value  # noqa: E731
    return (lambda s: not same(s)) if op == "not_equal" else same


def as_clause(cond: Condition) -> query.Clause:
    """A ``user_metadata.<path>`` ``equal`` condition as the q clause with the same meaning."""
    path = cond.attribute.indexed
    assert path is not None and cond.operator == "equal"
    value = Decimal(str(cond.value)) if isinstance(cond.value, float) else cond.value
    return query.Clause(USER_METADATA, path, query.Op.EQ, value)


def _holds_json(cond: Condition) -> Callable[[Stored], bool]:
    get, op, value = cond.attribute.get, cond.operator, cond.value

    def elements(s: Stored) -> list[Any]:
        found = get(s)
        if found is query.MISSING:
            return []
        return found if isinstance(found, list) else [found]

    if op == "is_set":
        return lambda s: get(s) not in (query.MISSING, None)
    if op == "is_not_set":
        return lambda s: get(s) in (query.MISSING, None)
    if op in ("equal", "not_equal", "in", "not_in"):
        options = value if op in ("in", "not_in") else (value,)
        hit: Callable[[Stored], bool] = lambda s: any(  # noqa: E731
            query.same_value(e, o) for e in elements(s) for o in options
        )
        return (lambda s: not hit(s)) if op in ("not_equal", "not_in") else hit
    if op == "contains":

        def contains(s: Stored) -> bool:
            found = get(s)
            if isinstance(found, str):
                return isinstance(value, str) and value in found
            return isinstance(found, list) and any(query.same_value(e, value) for e in found)

        return contains
    low, high = value if op == "between" else (value, value)

    def compare(s: Stored) -> bool:
        for e in elements(s):
            if not query.is_number(e):
                continue
            if (op == "greater_than" and e > low) or (op == "less_than" and e < high):
                return True
            if op == "between" and low <= e <= high:
                return True
        return False

    return compare


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    """How to read the sessions a filter list selects.

    ``low``/``high`` bound created_at (ms, inclusive); ``session_ids`` / ``user_ids`` are the only
    ids that can match (None: any); ``clauses`` are the q clauses the q index can serve. ``matches``
    checks every condition, keyed or not.
    """

    conditions: tuple[Condition, ...]
    low: int
    high: int
    dated: bool
    session_ids: frozenset[str] | None
    user_ids: frozenset[str] | None
    clauses: tuple[query.Clause, ...]
    tests: tuple[Callable[[Stored], bool], ...] = field(compare=False, repr=False)

    @property
    def empty(self) -> bool:
        """Whether no session can match (an empty date range, contradicting ids)."""
        return self.low > self.high or self.session_ids == frozenset() or self.user_ids == frozenset()

    def matches(self, session: Stored) -> bool:
        return all(test(session) for test in self.tests)

    def reads(self) -> set[Path]:
        """The stored attributes (paths) the predicate reads."""
        return {path for c in self.conditions for path in c.attribute.reads}


def plan(conditions: list[Condition] | tuple[Condition, ...], default_range: tuple[int, int] | None = None) -> Plan:
    """The access plan of ``conditions``; ``default_range`` bounds created time when no
    ``date_range`` does (analytics: the last 30 days)."""
    low, high, dated = filter_values.MIN_MS, filter_values.MAX_MS, False
    ids: dict[str, frozenset[str] | None] = {"session_id": None, "user_id": None}
    clauses: list[query.Clause] = []
    for cond in conditions:
        name, op = cond.attribute.name, cond.operator
        if name == "date_range":
            low, high, dated = max(low, cond.value[0]), min(high, cond.value[1]), True
        elif name in ids and op in ("equal", "in"):
            longest = MAX_SESSION_ID_CHARS if name == "session_id" else MAX_ID_CHARS
            # An id no session can carry names nothing: left out, it never becomes a key too long to ask for.
            values = frozenset(v for v in (cond.value if op == "in" else (cond.value,)) if 1 <= len(v) <= longest)
            previous = ids[name]
            ids[name] = values if previous is None else previous & values
        elif cond.attribute.indexed is not None and op == "equal":
            clauses.append(as_clause(cond))
    if not dated and default_range is not None:
        low, high = default_range
    return Plan(
        conditions=tuple(conditions),
        low=low,
        high=high,
        dated=dated,
        session_ids=ids["session_id"],
        user_ids=ids["user_id"],
        clauses=tuple(clauses),
        tests=(*(_holds(c) for c in conditions), lambda s: low <= int(s["created_at"]) <= high),
    )


def shifted(conditions: list[Condition] | tuple[Condition, ...], low: int, high: int) -> list[Condition]:
    """``conditions`` over created times ``[low, high]`` instead of their date range (analytics'
    previous period; a range before the epoch selects nothing)."""
    kept = [c for c in conditions if c.attribute.name != "date_range"]
    if high < filter_values.MIN_MS:
        low, high = filter_values.MIN_MS + 1, filter_values.MIN_MS
    return [*kept, Condition(attribute("date_range"), "between_dates", (max(low, filter_values.MIN_MS), high))]
