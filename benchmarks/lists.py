"""`make bench`: users and channels found by metadata and metacounters, at N = 1,000 and 20,000.

N users (10 of them on ``plan = gold`` with a ``meta`` of ``score`` 1,000 to 9,999, theme ``dark`` and
tag ``vip``; the rest on one of 5 other plans, ``score`` 0 to 99, theme ``light``) and N group channels (10
with ``unread = 400``, the rest between 0 and 9) are written straight to a fresh moto table by the
import's ``records.create_many``, in this process. Then each filter is paged to its end with
``limit = 20``, and for the whole walk the bench prints the pages, DynamoDB requests, items read
(``ScannedCount`` of queries, items of batch reads: ``local/instrument.py``) and read units
(``local/capacity.py``). Items read must not grow with N. ``BENCH_LIST_SIZES=1000`` picks sizes.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws

from annex.domain.resources import list_channels, list_users, new_channel, new_user
from annex.models.resources import ChannelCreate, UserCreate
from annex.store import records
from annex.store.table import target
from local.capacity import DynamoCapacity
from local.engine import speed_up
from local.instrument import DynamoCalls
from local.template import Template, load

APP = "bench-lists"
SIZES = [int(n) for n in os.environ.get("BENCH_LIST_SIZES", "1000,20000").split(",")]
MATCHES = 10
PLANS = ["free", "trial", "basic", "pro", "team"]

Lister = Callable[[str | None], tuple[list[dict[str, Any]], str | None]]


def load_data(n: int) -> None:
    rng = random.Random(n)
    gold = set(rng.sample(range(n), MATCHES))
    hot = set(rng.sample(range(n), MATCHES))
    users = [
        new_user(
            APP,
            UserCreate(
                user_id=f"u{i:06d}",
                metadata={"plan": "gold" if i in gold else rng.choice(PLANS)},
                meta=_meta(rng, i in gold),
            ),
        )
        for i in range(n)
    ]
    channels = [
        new_channel(
            APP,
            "group_channels",
            ChannelCreate(channel_url=f"c{i:06d}", metacounter={"unread": 400 if i in hot else rng.randrange(10)}),
        )
        for i in range(n)
    ]
    for start in range(0, n, 1000):
        records.create_many(users[start : start + 1000])
        records.create_many(channels[start : start + 1000])


def _meta(rng: random.Random, gold: bool) -> dict[str, Any]:
    if gold:
        return {"score": rng.randrange(1000, 10000), "prefs": {"theme": "dark"}, "tags": ["vip", "beta"]}
    return {"score": rng.randrange(100), "prefs": {"theme": "light"}, "tags": [rng.choice(PLANS)]}


def walk(lister: Lister) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    pages, cursor = 0, None
    with DynamoCalls() as calls, DynamoCapacity() as units:
        while True:
            page, cursor = lister(cursor)
            found += page
            pages += 1
            if cursor is None:
                break
    return {
        "matches": len(found),
        "pages": pages,
        "requests": calls.requests,
        "items read": calls.items_read,
        "RCU": units.read_units,
    }


FILTERS: dict[str, Lister] = {
    "users metadatavalues_in=gold": lambda c: list_users(APP, 20, c, "plan", ["gold"]),
    "users q metadata['plan']:'gold'": lambda c: list_users(APP, 20, c, None, None, "metadata['plan']:'gold'"),
    "users q meta['prefs']['theme']:'dark'": lambda c: list_users(
        APP, 20, c, None, None, "meta['prefs']['theme']:'dark'"
    ),
    "users q meta['score'] > 500": lambda c: list_users(APP, 20, c, None, None, "meta['score'] > 500"),
    "users q meta['tags']:'vip' (array contains)": lambda c: list_users(APP, 20, c, None, None, "meta['tags']:'vip'"),
    "channels metacounter_value_gt=100": lambda c: list_channels(
        APP, "group_channels", 20, c, None, None, "unread", {"gt": 100}
    ),
    "channels metacounter_values=400": lambda c: list_channels(
        APP, "group_channels", 20, c, None, None, "unread", {"gte": 400, "lte": 400}
    ),
}


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    speed_up()  # the embedded engine's moto: transactions rolled back item by item, AWS's quotas
    rows = []
    for n in SIZES:
        with mock_aws(), target("annex-bench-lists", None, "us-east-1"):
            boto3.client("dynamodb").create_table(TableName="annex-bench-lists", **Template(load()).table_definition())
            started = time.perf_counter()
            load_data(n)
            print(f"loaded {n:,} users and {n:,} channels in {time.perf_counter() - started:.0f} s", flush=True)
            rows += [(n, name, walk(lister)) for name, lister in FILTERS.items()]
    print("\n| N | filter (limit 20, to the end) | matches | pages | requests | items read | read units |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for n, name, r in rows:
        cells = [f"{n:,}", name, r["matches"], r["pages"], r["requests"], f"{r['items read']:,}", f"{r['RCU']:.1f}"]
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
