"""A user's or channel's ``meta`` and its q index entries (see docs/data-model.md, "The list index").

Every (path, typed scalar) of the document (store/qindex.py: leaves, and array elements) is one
item in the owner's own partition (``keys.meta_entry``), listed by owner id:

- in GSI3 under its exact typed value (``keys.meta_value_index``): an equality, or an array
  contains, is one run of the owners holding that value, in id order;
- a number also in GSI4 under its magnitude bucket (``keys.meta_bucket_index``: its sign and
  decimal exponent, clamped to ``EXPONENTS``): a range is the runs of the buckets it overlaps,
  merged by id, each entry's value (the tail of its sort key, which GSI4 projects) checked
  against the range as it is read, like a metacounter's decades.

The entries move with the document in the same ``TransactWriteItems`` when they fit in one, else
by the index-lock protocol (store/docindex.py); they are created with the record and deleted with
it, and a reader re-checks every candidate against the record as stored.
"""

from __future__ import annotations

from typing import Any

from annex.store import docindex, keys, qindex
from annex.store.expression import Expression
from annex.store.keys import GSI3PK, GSI3SK, GSI4PK, GSI4SK, PK, SK, Ref
from annex.store.table import query_all

META = "meta"
EXPONENTS = range(-8, 19)  # numbers of smaller or larger magnitude share the edge buckets
_BIAS = 5000  # qindex's exponent bias


def _positive(exponent: int) -> str:
    return f"n3{exponent + _BIAS:04d}"


def _negative(exponent: int) -> str:
    return f"n1{9999 - exponent - _BIAS:04d}"


def _buckets() -> list[tuple[str, str, str]]:
    """Every bucket as (name, lowest, highest): the encodings it holds lie in ``[lowest, highest]``
    (followed by ``#``, as a key range's bounds are), in the order of the numbers they hold."""
    low, high = EXPONENTS[0], EXPONENTS[-1]
    out = [
        (_negative(e), "n1" if e == high else _negative(e), "n1~" if e == low else _negative(e) + "~~")
        for e in reversed(EXPONENTS)
    ]
    out.append(("n2", "n2", "n2~"))
    out += [
        (_positive(e), "n3" if e == low else _positive(e), "n3~" if e == high else _positive(e) + "~~")
        for e in EXPONENTS
    ]
    return out


BUCKETS = _buckets()


def bucket(encoding: str) -> str:
    """The bucket of a number's typed encoding."""
    if encoding.startswith("n3"):
        exponent = int(encoding[2:6]) - _BIAS
        return _positive(min(max(exponent, EXPONENTS[0]), EXPONENTS[-1]))
    if encoding.startswith("n1"):
        exponent = 9999 - int(encoding[2:6]) - _BIAS
        return _negative(min(max(exponent, EXPONENTS[0]), EXPONENTS[-1]))
    return "n2"


def buckets_within(low: str, high: str) -> list[str]:
    """The buckets a key range ``[low, high]`` (store/qindex.py's bounds) overlaps."""
    return [name for name, lowest, highest in BUCKETS if lowest <= high and low <= highest]


def value_of(sk: str) -> str:
    """The typed encoding an entry's sort key ends with (``~Q#{path hash}#{value}``)."""
    return sk.split("#", 2)[2]


def entry_items(owner: Ref, document: Any) -> docindex.Entries:
    """The entry items of a meta document, by key."""
    assert owner.list_pk is not None and owner.list_sk is not None
    out: docindex.Entries = {}
    for path, value in qindex.entries(document):
        item: dict[str, Any] = keys.meta_entry(owner, path, value).key
        item |= {GSI3PK: keys.meta_value_index(owner.list_pk, path, value), GSI3SK: owner.list_sk}
        if value.startswith("n"):
            item |= {GSI4PK: keys.meta_bucket_index(owner.list_pk, path, bucket(value)), GSI4SK: owner.list_sk}
        out[(item[PK], item[SK])] = item
    return out


def document(owner: Ref) -> docindex.Document:
    """The owner's ``meta`` as an indexed document."""
    return docindex.Document(owner.key, META, lambda value: entry_items(owner, value))


def entry_keys(owner: Ref) -> list[dict[str, str]]:
    """The keys of every entry item in the owner's partition (one ``Query``, keys only)."""
    ex = Expression()
    condition = f"{ex.n(PK)} = {ex.v(owner.pk)} AND begins_with({ex.n(SK)}, {ex.v(keys.META_ENTRY)})"
    found = query_all(ex.read([ex.n(PK), ex.n(SK)], key=condition) | {"ConsistentRead": True})
    return [{PK: str(i[PK]), SK: str(i[SK])} for i in found]
