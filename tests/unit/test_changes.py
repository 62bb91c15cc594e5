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
