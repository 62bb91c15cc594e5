"""Analytics' bulk reads: every session created in a range (GSI1, shards read concurrently a page
at a time) and the daily creation counters."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.store import keys
from annex.store.expression import Expression
from annex.store.keys import GSI1, GSI1PK, GSI1SK, PK, SK
from annex.store.sessions import names
from annex.store.sessions.items import Path, projected
from annex.store.table import bulk_client, decoded, table

BULK_PAGE = 250  # items per page of a bulk read: with its threads, bounds its memory whatever the range


def created_between(app_id: str, lo: int, hi: int, attributes: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Every session created in ``[lo, hi]`` (ms, inclusive), with only ``attributes`` (and ``id``,
    ``created_at``): one pass over GSI1, each item read once.

    The shards are read concurrently, a page of at most ``BULK_PAGE`` items at a time each, handed
    over one page at a time: memory holds a few pages whatever the range, and DynamoDB's latency
    overlaps the decoding of the pages already read. Order is not kept.

    GSI reads are eventually consistent: a session changed in the last moments may show its
    previous state (fine for aggregates, and why the session list does not read from here).
    """
    client = bulk_client()
    attributes = list(attributes)
    attached = names.wanted(attributes)  # the names are read from each session's names items
    read = [p for p in attributes if p[:1] not in names.NAME_PATHS] + ([(c,) for c in names.COUNTS] if attached else [])

    def pages(shard: int) -> Iterator[list[dict[str, Any]]]:
        ex = Expression()  # values in DynamoDB JSON: the bulk client is a low-level one
        partition = ex.v({"S": keys.sessions_by_created(app_id, shard)})
        low, high = ex.v({"S": f"{lo:013d}#"}), ex.v({"S": f"{hi:013d}$"})  # "$" sorts just after "#"
        key = f"{ex.n(GSI1PK)} = {partition} AND {ex.n(GSI1SK)} BETWEEN {low} AND {high}"
        projection = projected(ex, [*read, ("id",), ("created_at",)])
        kwargs: dict[str, Any] = {"TableName": table().name, "IndexName": GSI1, "Limit": BULK_PAGE}
        kwargs |= ex.read(projection, key)
        while True:
            page: dict[str, Any] = client.query(**kwargs)  # type: ignore[assignment]
            yield page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    pending: list[dict[str, Any]] = []
    for raw in _concurrently([pages(shard) for shard in range(keys.SHARDS)]):
        item = decoded(raw)
        if "user_metadata" in item:
            item["user_metadata"] = json.loads(item["user_metadata"])
        if not attached:
            yield item
            continue
        pending.append(item)
        if len(pending) == BULK_PAGE:
            names.attach(app_id, pending, consistent=False)
            yield from pending
            pending = []
    if pending:
        names.attach(app_id, pending, consistent=False)
        yield from pending


_DONE = object()


def _concurrently(sources: list[Iterator[list[dict[str, Any]]]]) -> Iterator[dict[str, Any]]:
    """The items of every source's pages, each source read by its own thread, handed over one page
    at a time (each thread holds at most the page it waits to hand over). A source's error is
    raised here; leaving early stops them all."""
    import queue
    import threading

    pending: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(value: Any) -> bool:
        while not stop.is_set():
            try:
                pending.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(source: Iterator[list[dict[str, Any]]]) -> None:
        try:
            for page in source:
                if not put(page):
                    return
        except Exception as err:  # handed to the consumer, which raises it
            put(err)
        put(_DONE)

    threads = [threading.Thread(target=read, args=(source,), daemon=True) for source in sources]
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            got = pending.get()
            if got is _DONE:
                running -= 1
            elif isinstance(got, Exception):
                raise got
            else:
                yield from got
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def created_per_day(app_id: str, first_day: str, last_day: str) -> dict[str, int]:
    """Sessions created on each UTC day from ``first_day`` to ``last_day`` (``YYYY-MM-DD``), from
    the daily counters: a few small items per day, whatever the number of sessions."""
    counts: dict[str, int] = {}
    for shard in range(keys.SHARDS):
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(PK).eq(keys.session_days(app_id, shard))
            & Key(SK).between(f"{first_day}#", f"{last_day}$"),
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                day = str(item[SK]).split("#", 1)[0]
                counts[day] = counts.get(day, 0) + int(str(item.get("count", 0)))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return counts
