"""Paginated queries of a list index with opaque cursors that cannot leave their list."""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.core.keyvalue import INT64_MAX, INT64_MIN
from annex.core.query import Clause, Op
from annex.store import cursor as cursor_codec
from annex.store import keys, metaindex, qindex
from annex.store.expression import Expression
from annex.store.keys import GSI1, GSI1PK, GSI1SK, GSI3, GSI4, PK, SK, Ref, application_of
from annex.store.kvitems import METACOUNTER, METADATA, decades
from annex.store.kvowners import load
from annex.store.records import public
from annex.store.table import batch_items, table

# DynamoDB's key quotas: a partition key of at most 2,048 bytes, a sort key of at most 1,024.
_MOST_BYTES = {PK: 2048, GSI1PK: 2048, SK: 1024, GSI1SK: 1024}
# A page's JSON stays well under Lambda's 6 MB response limit (the proxy envelope escapes it again).
MAX_PAGE_BYTES = 2 * 1024 * 1024
# A filtered page reads at most this many pages of 100 items, then answers with a cursor, so a
# rare filter over many records cannot run past the function's timeout.
MAX_FILTERED_READS = 10


@dataclass(frozen=True)
class Filter:
    """Which users or channels a list keeps: those whose metadata key exists (holding one of
    ``metadata_values``, when any), whose metacounter key exists within ``counter_bounds``
    (``gt``, ``gte``, ``lt``, ``lte``); and, read from the index only when neither is given, a
    ``q`` clause on ``meta`` (which the caller's check applies with the rest of the ``q``)."""

    metadata_key: str | None = None
    metadata_values: list[str] | None = None
    counter_key: str | None = None
    counter_bounds: Mapping[str, int] = field(default_factory=dict)
    meta_clause: Clause | None = None

    def __bool__(self) -> bool:
        return self.metadata_key is not None or self.counter_key is not None or self.meta_clause is not None

    def range(self) -> tuple[int, int]:
        """The counter bounds as one inclusive integer range."""
        low, high = INT64_MIN, INT64_MAX
        for op, bound in self.counter_bounds.items():
            if op == "gt":
                low = max(low, bound + 1)
            elif op == "gte":
                low = max(low, bound)
            elif op == "lt":
                high = min(high, bound - 1)
            else:
                high = min(high, bound)
        return low, high

    def matches(self, record: Mapping[str, Any]) -> bool:
        metadata, counters = record.get(METADATA) or {}, record.get(METACOUNTER) or {}
        if self.metadata_key is not None:
            if self.metadata_key not in metadata:
                return False
            if self.metadata_values and metadata[self.metadata_key] not in self.metadata_values:
                return False
        if self.counter_key is not None:
            low, high = self.range()
            value = counters.get(self.counter_key)
            if not isinstance(value, int) or not low <= value <= high:
                return False
        return True

    def runs(self, list_pk: str) -> list[Run]:
        """The index runs whose entries hold every match (the metadata filter's, else the counter's)."""
        if self.metadata_key is not None:
            if not self.metadata_values:
                return [Run(GSI4, keys.kv_key_index(list_pk, METADATA, self.metadata_key))]
            return [
                Run(GSI3, keys.kv_value_index(list_pk, METADATA, self.metadata_key, v)) for v in self.metadata_values
            ]
        if self.counter_key is None:
            assert self.meta_clause is not None
            return meta_runs(list_pk, self.meta_clause)
        if not self.counter_bounds:
            return [Run(GSI4, keys.kv_key_index(list_pk, METACOUNTER, self.counter_key))]
        low, high = self.range()
        return [
            Run(GSI3, keys.kv_value_index(list_pk, METACOUNTER, self.counter_key, d), (low, high))
            for d in decades(low, high)
        ]


def meta_runs(list_pk: str, clause: Clause) -> list[Run]:
    """The runs holding every owner a positive ``meta`` clause matches: an equality's value (an
    array element's too), or the number buckets a range overlaps (store/metaindex.py)."""
    found = qindex.key_range(clause)
    assert found is not None
    if clause.op is Op.EQ:
        return [Run(GSI3, keys.meta_value_index(list_pk, clause.path, qindex.encode(clause.value)))]
    within = (found.low, found.high)
    return [
        Run(GSI4, keys.meta_bucket_index(list_pk, clause.path, name), within=within)
        for name in metaindex.buckets_within(*within)
    ]


@dataclass(frozen=True)
class Run:
    """One index partition's entries, in owner id order (a counter decade's, kept within ``bounds``;
    a meta number bucket's, kept ``within`` a qindex key range)."""

    index: str
    pk: str
    bounds: tuple[int, int] | None = None
    within: tuple[str, str] | None = None

    def entries(self, after: str | None, page: int) -> Iterator[tuple[str, str]]:
        """(owner id, owner PK) of each entry above ``after``, read ``page`` entries a ``Query``."""
        ex = Expression()
        pk_name, sk_name = ex.n(f"{self.index}PK"), ex.n(f"{self.index}SK")
        condition = f"{pk_name} = {ex.v(self.pk)}" + (f" AND {sk_name} > {ex.v(after)}" if after is not None else "")
        if self.bounds is not None:
            ex.conditions.append(f"{ex.n('n')} BETWEEN {ex.v(self.bounds[0])} AND {ex.v(self.bounds[1])}")
        request: dict[str, Any] = {"IndexName": self.index, "Limit": page} | ex.read(key=condition)
        while True:
            answer = table().query(**request)
            for item in answer.get("Items", []):
                if self.within is None or self.within[0] <= metaindex.value_of(str(item[SK])) + "#" <= self.within[1]:
                    yield str(item[f"{self.index}SK"]), str(item[PK])
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def encode_cursor(item: dict[str, Any]) -> str:
    """The item's list position: ``[PK, SK, GSI1SK]``, where PK leaves out the id it ends with
    (GSI1SK) and GSI1PK is the list's own, so the longest ids (255 four-byte characters in both PK
    and GSI1SK) still make a cursor of under 1,500 characters."""
    pk, sk, listed = str(item[PK]), str(item[SK]), str(item[GSI1SK])
    short = pk[: -len(listed)] if pk.endswith(listed) else None
    return cursor_codec.pack_json([short, sk, listed] if short is not None else [pk, sk, listed, 0])


def decode_cursor(cursor: str, list_pk: str) -> dict[str, str]:
    """The key a page of ``list_pk`` ended at; 400 for a cursor of another list or none at all."""
    packed = cursor_codec.unpack_json(cursor)
    key: dict[str, Any] = {}
    if isinstance(packed, list) and len(packed) in (3, 4) and all(isinstance(v, str) for v in packed[:3]):
        pk = packed[0] + packed[2] if len(packed) == 3 else packed[0]
        key = {PK: pk, SK: packed[1], GSI1PK: list_pk, GSI1SK: packed[2]}
    if (
        not key
        or not all(_fits(value, _MOST_BYTES[name]) for name, value in key.items())
        or not key[PK].startswith(application_of(list_pk) + "#")
    ):
        cursor_codec.invalid()
    return key


def _fits(value: object, most: int) -> bool:
    """Whether ``value`` is a key string DynamoDB takes: valid UTF-8 of 1 to ``most`` bytes."""
    try:
        return isinstance(value, str) and 0 < len(value.encode()) <= most
    except UnicodeEncodeError:  # a lone surrogate, which no key of ours holds
        return False


Keep = Callable[[dict[str, Any]], bool]
# A filtered page examines at most this many candidates from the index (stale entries re-checked
# and dropped), then answers with a cursor, so a page's reads stay bounded whatever the index holds.
MAX_CANDIDATES = 1000


def list_page(
    list_pk: str, owner_sk: str, limit: int, cursor: str | None, where: Filter | None = None, keep: Keep | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` records of the list ``list_pk`` (owners' items have ``SK = owner_sk``)
    matching ``where`` and ``keep`` (on the record as shown), in id order, and the cursor of the rest.

    With ``where``, the page is read from the metadata/metacounter index (GSI3, GSI4): its runs are
    merged in id order and each candidate is re-checked on the record as stored, so the items read
    follow the page, not the list. Without it, from the list itself (GSI1).
    """
    after = decode_cursor(cursor, list_pk)[GSI1SK] if cursor else None
    if where:
        runs = [run.entries(after, limit + 1) for run in where.runs(list_pk)]
        candidates = _distinct(heapq.merge(*runs))
        return _candidates_page(
            candidates, owner_sk, list_pk, limit, lambda r: where.matches(r) and (keep is None or keep(r))
        )
    return _list_page(list_pk, limit, cursor, keep)


def _distinct(entries: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    last = None
    for entry in entries:
        if entry[0] != last:
            last = entry[0]
            yield entry


def _records(found: list[dict[str, Any]], consistent: bool = True) -> list[dict[str, Any]]:
    """The records as the API shows them: each owner item with its maps (read ``consistent``ly:
    always when a filter re-checks them)."""
    refs = [Ref(str(i[PK]), str(i[SK]), str(i[GSI1PK]), str(i[GSI1SK])) for i in found]
    return [public(item) | maps for item, maps in zip(found, load(refs, consistent), strict=True)]


def _candidates_page(
    candidates: Iterator[tuple[str, str]], owner_sk: str, list_pk: str, limit: int, keep: Keep
) -> tuple[list[dict[str, Any]], str | None]:
    shown: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (owner item, record)
    examined, last = 0, None
    while len(shown) <= limit and examined < MAX_CANDIDATES:
        batch = [c for _, c in zip(range(limit + 1 - len(shown)), candidates, strict=False)]
        if not batch:
            return _trimmed([r for _, r in shown], [i for i, _ in shown], limit)
        examined += len(batch)
        wanted = [{PK: pk, SK: owner_sk} for _, pk in batch]
        found = {str(i[PK]): i for i in batch_items(wanted, {"ConsistentRead": True})}
        items = [found[pk] for _, pk in batch if pk in found]
        shown += [(item, record) for item, record in zip(items, _records(items), strict=True) if keep(record)]
        last = {PK: batch[-1][1], SK: owner_sk, GSI1SK: batch[-1][0]}
    if len(shown) > limit:
        return _trimmed([r for _, r in shown], [i for i, _ in shown], limit)
    return [r for _, r in shown], encode_cursor(last) if last else None  # the read budget ended the page


def _trimmed(
    records: list[dict[str, Any]], items: list[dict[str, Any]], limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """At most ``limit`` records and no page past 2 MiB, with the cursor after the last shown."""
    size = 0
    for n, record in enumerate(records[:limit]):
        size += len(json.dumps(record, separators=(",", ":"), default=str))
        if n and size > MAX_PAGE_BYTES:  # Lambda answers at most 6 MB: end the page early
            return records[:n], encode_cursor(items[n - 1])
    return records[:limit], encode_cursor(items[limit - 1]) if len(records) > limit else None


def _list_page(
    list_pk: str, limit: int, cursor: str | None, keep: Keep | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The list read in id order from GSI1 (``keep``: a filter no index answers, applied to the
    records read, for at most ``MAX_FILTERED_READS`` pages of 100, then a cursor)."""
    kwargs: dict[str, Any] = {"IndexName": GSI1, "KeyConditionExpression": Key(GSI1PK).eq(list_pk)}
    if cursor:
        kwargs["ExclusiveStartKey"] = decode_cursor(cursor, list_pk)
    items: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    resume: str | None = None
    for _ in range(MAX_FILTERED_READS):
        page = table().query(Limit=100 if keep else limit + 1, **kwargs)
        read = page.get("Items", [])
        # An unfiltered page is read from GSI1, eventually consistent, and its maps alike.
        for item, record in zip(read, _records(read, consistent=keep is not None), strict=True):
            if keep is None or keep(record):
                items.append(item)
                records.append(record)
        last = page.get("LastEvaluatedKey")
        if len(records) > limit or not last:
            break
        kwargs["ExclusiveStartKey"] = last
    else:
        resume = encode_cursor(last) if last else None
    shown, after = _trimmed(records, items, limit)
    return shown, after if after or len(records) > limit else resume
