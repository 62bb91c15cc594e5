"""Change events from stream images, without I/O."""

from __future__ import annotations

import json
from typing import Any

from annex.domain.changes import MAX_ENTRIES, MAX_REQUEST_BYTES, bus_batches, changes, entry_size

USER = {"PK": "app1#USER#u1", "SK": "USER", "user_id": "u1", "metadata": {"a": "1"}, "meta": '{"x":1}', "version": 2}


def test_each_changed_key_and_meta_is_one_event() -> None:
    new = USER | {"metadata": {"a": "2", "b": "3"}, "meta": '{"x":2}', "version": 3}
    events = changes(USER, new, at=5)
    assert [(e["field"], e["before"], e["after"]) for e in events] == [
        ("metadata.a", "1", "2"),
        ("metadata.b", None, "3"),
        ("meta", {"x": 1}, {"x": 2}),
    ]
    assert {(e["app_id"], e["resource"], e["id"], e["at"]) for e in events} == {("app1", "user", "u1", 5)}


def test_unchanged_fields_and_other_items_say_nothing() -> None:
    assert changes(USER, USER | {"nickname": "n", "version": 3}, at=1) == []
    assert changes(None, {"PK": "TOKEN#abc", "SK": "TOKEN", "app_id": "app1"}, at=1) == []


def test_channel_counters_and_deletion() -> None:
    channel = {
        "PK": "app1#CHANNEL#open_channels#c",
        "SK": "CHANNEL",
        "channel_type": "open_channels",
        "channel_url": "c",
        "metacounter": {"n": 1},
        "metadata": {},
        "meta": "{}",
    }
    gone = changes(channel, None, at=9)
    assert [(e["resource"], e["id"], e["field"], e["before"], e["after"]) for e in gone] == [
        ("channel", "open_channels/c", "metacounter.n", 1, None)
    ]


MESSAGE = {
    "PK": "app1#MESSAGES#group_channels#c",
    "SK": "M#0000000000000000007",
    "message_id": 7,
    "channel_type": "group_channels",
    "channel_url": "c",
    "user_id": "u1",
    "message": "hi",
    "sorted_metaarray": {"likes": {"o": 0, "v": ["bob"]}, "design": {"o": 1, "v": ["A"]}},
    "meta": "{}",
    "version": 5,
}


def test_each_changed_sorted_metaarray_key_of_a_message_is_one_event() -> None:
    new = MESSAGE | {
        "sorted_metaarray": {"likes": {"o": 0, "v": ["bob", "carol"]}, "tags": {"o": 2, "v": []}},
        "meta": '{"pinned":true}',
        "version": 6,
    }
    events = changes(MESSAGE, new, at=3)
    assert [(e["field"], e["before"], e["after"]) for e in events] == [
        ("sorted_metaarray.design", ["A"], None),
        ("sorted_metaarray.likes", ["bob"], ["bob", "carol"]),
        ("sorted_metaarray.tags", None, []),
        ("meta", {}, {"pinned": True}),
    ]
    assert {(e["app_id"], e["resource"], e["id"]) for e in events} == {("app1", "message", "group_channels/c/7")}


def test_a_sent_message_reports_its_keys_and_meta_coming() -> None:
    events = changes(None, MESSAGE | {"meta": '{"m":1}'}, at=1)
    assert [(e["field"], e["before"], e["after"]) for e in events] == [
        ("sorted_metaarray.design", None, ["A"]),
        ("sorted_metaarray.likes", None, ["bob"]),
        ("meta", None, {"m": 1}),
    ]


def test_message_bookkeeping_says_nothing() -> None:
    locked = MESSAGE | {"index_lock": {"id": "x", "until": 1}}
    assert changes(MESSAGE, locked, at=1) == []  # the index lock comes and goes unseen
    entry = {"PK": MESSAGE["PK"], "SK": "X#5:likes#3:bob#0000000000000000007", "message_id": 7}
    assert changes(None, entry, at=1) == [] and changes(entry, None, at=1) == []
    counter = {"PK": MESSAGE["PK"], "SK": "COUNTER", "last_message_id": 8}
    assert changes(counter, counter | {"last_message_id": 9}, at=1) == []


def _wide_message_events(width: int) -> list[dict[str, Any]]:
    """A message's events: 20 sorted_metaarray keys of 100 non-ASCII values of ``width`` characters."""
    arrays = {f"k{k}": {"o": 1, "v": [f"{i:03d}" + "é" * (width - 3) for i in range(100)]} for k in range(20)}
    return changes(None, MESSAGE | {"sorted_metaarray": arrays}, at=1)


def test_bus_requests_stay_within_ten_entries_and_256_kb_and_keep_every_event() -> None:
    valid = _wide_message_events(65)  # the longest values a message takes: 128 bytes of UTF-8
    by_count = sum(len(json.dumps(e).encode()) for e in valid[:10])  # what ten a request sent: ~380 KB
    assert len(valid) == 20 and by_count > MAX_REQUEST_BYTES
    for events in (valid, _wide_message_events(200)):  # wider: the size, not the count, splits them
        batches = bus_batches(events)
        for batch in batches:
            assert len(batch) <= MAX_ENTRIES
            assert sum(entry_size(kind, detail) for kind, detail in batch) <= MAX_REQUEST_BYTES
        assert [json.loads(detail) for batch in batches for _, detail in batch] == events
    assert len(bus_batches(_wide_message_events(200))) > 2


def test_an_event_too_large_for_a_request_leaves_out_its_values_and_says_so() -> None:
    huge = {"app_id": "a", "resource": "user", "id": "u", "field": "meta", "at": 1}
    huge |= {"before": {"x": "b" * 200_000}, "after": {"x": "é" * 100_000}}
    [[(kind, detail)]] = bus_batches([huge])
    shown = json.loads(detail)
    assert kind == "user.meta" and entry_size(kind, detail) <= MAX_REQUEST_BYTES
    assert shown["omitted"] == ["before"] and shown["before"] is None and shown["after"] == huge["after"]
