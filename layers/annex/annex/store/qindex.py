"""The q index: which entries a JSON document puts in it, and how a clause becomes a key range.

An entry is one (path, typed scalar value) of a document: a leaf, or an element of an array at
that path (so array-contains is a lookup too). Its sort key starts with the value's typed
encoding, ordered so that a numeric range is one key condition:

- ``z`` null, ``f`` false, ``t`` true, ``s{len}:{text}`` a string (length-prefixed: no string's
  encoding is a prefix of another's); a string of more than ``MAX_VERBATIM_BYTES`` UTF-8 bytes is
  ``h`` and its SHA-256 instead (strings are only ever compared for equality, and every candidate
  is re-checked against the stored value),
- ``n`` then a sign digit (``1`` negative, ``2`` zero, ``3`` positive), a 4-digit biased decimal
  exponent and the mantissa digits; negatives complement both and end in ``~``, so byte order is
  numeric order (-10 < -2 < -1.5 < 0 < 1 < 1.5 < 2 < 10) and ``1`` and ``1.0`` encode alike.
  A number of more than ``MAX_DIGITS`` significant digits keeps its first ``MAX_DIGITS`` (the
  *head*, complemented for negatives), then ``:`` and the SHA-256 of the whole number: it sorts
  just above every number that shares its head and below every greater head, so a range over the
  index still holds it (see ``key_range``), and an equality on it is exact up to the hash.

So every encoding is at most ``MAX_ENCODING_BYTES``, and every sort key (encoding, ``#``, the
13-digit creation time, ``#``, a session id of up to 512 bytes) and every query bound stays within
DynamoDB's 1,024 bytes, whatever the document or the query holds.

Each entry's sort key ends in ``#`` and the target's id; ``#`` never occurs in a number's
encoding, so ``{encoding}#`` is a prefix exactly the entries of one value share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from annex.core.query import Clause, Op, Query, Scalar, is_number

Path = tuple[str, ...]
Entry = tuple[Path, str]  # (path, encoded value)
_BIAS = 5000
MAX_VERBATIM_BYTES = 200
MAX_DIGITS = 128  # a longer mantissa is cut to its head and hashed: 6 + 128 + 1 + 64 bytes at most
MAX_ENCODING_BYTES = MAX_VERBATIM_BYTES + 5  # "s200:" and 200 bytes of text
_CUT = ":"  # after a cut number's head: above the digits (and "#", "$"), below the negatives' "~"


def encode(value: Scalar | float) -> str:
    if value is None:
        return "z"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
        return f"s{len(value)}:{value}" if len(raw) <= MAX_VERBATIM_BYTES else "h" + hashlib.sha256(raw).hexdigest()
    return "n" + _number(Decimal(value) if isinstance(value, int) else Decimal(str(value)))


def _number(number: Decimal) -> str:
    if number.is_zero():
        return "2"
    sign, digits, _ = number.as_tuple()  # exact: normalize() would round to 28 digits
    # Stored numbers (JSON of at most 512 characters, floats within 1e±308) never leave 4 digits;
    # only a query value can, and the clamped exponent still compares right with every stored one.
    exponent = min(max(number.adjusted() + _BIAS, 0), 9999)
    mantissa = "".join(map(str, digits)).rstrip("0") or "0"
    kept = mantissa[:MAX_DIGITS]
    complemented = "".join(str(9 - int(d)) for d in kept)
    head = f"1{9999 - exponent:04d}{complemented}" if sign else f"3{exponent:04d}{kept}"
    if len(mantissa) <= MAX_DIGITS:
        return head + ("~" if sign else "")
    whole = f"{'-' if sign else ''}{mantissa}e{number.adjusted()}".encode()
    return head + _CUT + hashlib.sha256(whole).hexdigest()


def _cut_head(encoding: str) -> str | None:
    """The head of a cut number's encoding (``n`` included), or None for any other encoding."""
    if encoding.startswith("n") and _CUT in encoding:
        return encoding.split(_CUT, 1)[0]
    return None


def indexable(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or is_number(value)


def entries(document: Any) -> set[Entry]:
    """Every (path, encoded scalar) of a document: leaves, and scalar elements of arrays."""
    found: set[Entry] = set()

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            found.update((path, encode(item)) for item in node if path and indexable(item))
        elif path and indexable(node):
            found.add((path, encode(node)))

    walk(document, ())
    return found


@dataclass(frozen=True)
class KeyRange:
    """The sort-key range of one clause's entries: ``BETWEEN low AND high`` (both inclusive)."""

    low: str
    high: str
    equality: bool


def key_range(clause: Clause) -> KeyRange | None:
    """The index range that holds every document the clause matches, or None (a negated clause)."""
    if clause.negated:
        return None
    value = encode(clause.value)
    head = _cut_head(value)
    if head is not None and clause.op is not Op.EQ:
        # A cut query number: the numbers sharing its head may lie on either side of it, so the
        # range takes all of them (every encoding that starts with the head); candidates are
        # re-checked against the stored value anyway.
        if clause.op in (Op.GT, Op.GTE):
            return KeyRange(head, "o", False)
        return KeyRange("n", head + chr(ord(_CUT) + 1), False)
    # After a value's encoding comes "#": '"' sorts just below it and '$' just above.
    match clause.op:
        case Op.EQ:
            return KeyRange(value + "#", value + "$", True)
        case Op.GT:
            return KeyRange(value + "$", "o", False)
        case Op.GTE:
            return KeyRange(value + "#", "o", False)
        case Op.LT:
            return KeyRange("n", value + '"', False)
        case Op.LTE:
            return KeyRange("n", value + "$", False)


def answerable(query: Query) -> list[Clause]:
    """The clauses the index can answer, the likely most selective first: equalities on strings
    and numbers, then on booleans and null (few distinct values), then ranges; deeper paths first
    among equals (they name narrower facts)."""

    def rank(clause: Clause) -> tuple[int, int]:
        if clause.op is not Op.EQ:
            return (2, -len(clause.path))
        return (1 if clause.value is None or isinstance(clause.value, bool) else 0, -len(clause.path))

    return sorted((c for c in query.clauses if not c.negated), key=rank)
