"""Change events from stream images, without I/O."""

from __future__ import annotations

from annex.domain.changes import changes

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
