"""The key/value store against moto: one item per key, one write request per operation, all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from annex.core.keyvalue import CounterMode, WriteMode
from annex.domain import metadata as kv
from annex.domain.resources import ChannelRef, UserRef, create_channel, create_user
from annex.errors import BadRequest, Conflict, NotFound
from annex.models.resources import ChannelCreate, UserCreate
from local.instrument import DynamoCalls

APP = "app-store-test"


@pytest.fixture
def owner(moto_table: Any) -> UserRef:
    create_user(APP, UserCreate(user_id="u1"))
    return UserRef(APP, "u1")


@pytest.fixture
def chan(moto_table: Any) -> ChannelRef:
    create_channel(APP, "group_channels", ChannelCreate(channel_url="c1"))
    return ChannelRef(APP, "group_channels", "c1")


def test_each_operation_is_one_write_request_in_its_usual_case(owner: UserRef, chan: ChannelRef) -> None:
    """Writes of keys that exist are one UpdateItem (one key) or one TransactWriteItems (several, or
    a key added or deleted with its marker); a write that meets a key it did not expect reads the
    map once and writes again; a metacounter write answers the whole metacounter (one Query after)."""
    operations: list[tuple[Callable[[], Any], dict[str, int]]] = [
        (lambda: kv.create_metadata(owner, {"a": "1", "b": "2", "c": "3"}), {"TransactWriteItems": 1}),
        (lambda: kv.update_metadata(owner, {"a": "x", "b": "y"}, WriteMode.UPDATE), {"TransactWriteItems": 1}),
        (lambda: kv.update_metadata(owner, {"a": "q"}, WriteMode.UPDATE_ONE), {"UpdateItem": 1}),
        (lambda: kv.update_metadata(owner, {"a": "r"}, WriteMode.UPSERT), {"UpdateItem": 1}),
        (
            lambda: kv.update_metadata(owner, {"a": "x", "n1": "y", "n2": "z"}, WriteMode.UPSERT),
            {"TransactWriteItems": 2, "Query": 1},
        ),
        (lambda: kv.delete_one(owner, kv.METADATA, "a"), {"TransactWriteItems": 1}),
        (lambda: kv.delete_all(owner, kv.METADATA), {"Query": 1, "TransactWriteItems": 1}),
        (lambda: kv.create_counters(chan, {"x": 1, "y": 2}), {"TransactWriteItems": 1}),
        (
            lambda: kv.update_counters(chan, {"x": 5}, CounterMode.INCREASE, WriteMode.UPDATE_ONE),
            {"UpdateItem": 1, "Query": 1},
        ),
        (
            lambda: kv.update_counters(chan, {"x": 1, "y": 1}, CounterMode.INCREASE, WriteMode.UPDATE),
            {"TransactWriteItems": 1, "Query": 1},
        ),
        (
            lambda: kv.update_counters(chan, {"x": 5, "z": 1}, CounterMode.DECREASE, WriteMode.UPSERT),
            {"TransactWriteItems": 2, "Query": 2},
        ),
        (
            lambda: kv.update_counters(chan, {"x": 9}, CounterMode.SET, WriteMode.UPDATE_ONE),
            {"UpdateItem": 1, "Query": 1},
        ),
        (lambda: kv.read(chan, kv.METACOUNTER, ["x"]), {"Query": 1}),
    ]
    for operation, expected in operations:
        with DynamoCalls() as calls:
            operation()
        assert dict(calls.operations) == expected
    assert kv.read(chan, kv.METACOUNTER)[0] == {"x": 9, "y": 3, "z": -1}


def test_an_increment_that_leaves_its_decade_reads_and_moves_its_index_entry(chan: ChannelRef) -> None:
    kv.create_counters(chan, {"x": 9})
    with DynamoCalls() as calls:
        assert kv.update_counters(chan, {"x": 1}, CounterMode.INCREASE, WriteMode.UPDATE_ONE) == {"x": 10}
    assert dict(calls.operations) == {"UpdateItem": 2, "Query": 2}  # refused in place, read, pinned, answered
    from annex.store import keys
    from annex.store.table import table

    item = table().get_item(Key=keys.kv_item(chan.ref, kv.METACOUNTER, "x").key)["Item"]
    assert str(item["GSI3PK"]).endswith("#+2") and (item["up"], item["dn"]) == (89, 0)


def test_update_with_some_missing_keys_writes_only_existing(owner: UserRef) -> None:
    kv.create_metadata(owner, {"a": "1"})
    with DynamoCalls() as calls:
        assert kv.update_metadata(owner, {"a": "2", "b": "3"}, WriteMode.UPDATE) == {"a": "2"}
    assert dict(calls.operations) == {"TransactWriteItems": 1, "Query": 1, "UpdateItem": 1}
    assert kv.read(owner, kv.METADATA)[0] == {"a": "2"}


def test_update_when_no_key_exists_writes_nothing(owner: UserRef) -> None:
    assert kv.update_metadata(owner, {"b": "3"}, WriteMode.UPDATE) == {}
    assert kv.read(owner, kv.METADATA)[0] == {}


def test_create_conflict_and_missing_owner(owner: UserRef) -> None:
    kv.create_metadata(owner, {"a": "1"})
    with pytest.raises(Conflict):
        kv.create_metadata(owner, {"a": "2", "b": "2"})
    assert kv.read(owner, kv.METADATA)[0] == {"a": "1"}
    ghost = UserRef(APP, "ghost")
    for call in (
        lambda: kv.create_metadata(ghost, {"a": "1"}),
        lambda: kv.update_metadata(ghost, {"a": "1"}, WriteMode.UPSERT),
        lambda: kv.update_metadata(ghost, {"a": "1"}, WriteMode.UPDATE),
        lambda: kv.read(ghost, kv.METADATA),
        lambda: kv.delete_all(ghost, kv.METADATA),
        lambda: kv.delete_one(ghost, kv.METADATA, "a"),
    ):
        with pytest.raises(NotFound):
            call()


def test_counter_bounds_are_checked_by_the_write_condition(chan: ChannelRef) -> None:
    kv.create_counters(chan, {"x": 2**63 - 2})
    with pytest.raises(BadRequest) as err:
        kv.update_counters(chan, {"x": 2}, CounterMode.INCREASE, WriteMode.UPDATE)
    assert err.value.code == "out_of_range"
    assert kv.update_counters(chan, {"x": 1}, CounterMode.INCREASE, WriteMode.UPDATE) == {"x": 2**63 - 1}


def test_tenants_never_see_each_other(owner: UserRef) -> None:
    kv.create_metadata(owner, {"secret": "1"})
    with pytest.raises(NotFound):
        kv.read(UserRef("other-app", "u1"), kv.METADATA)


def test_a_page_of_large_records_ends_early_under_the_response_limit(moto_table: Any) -> None:
    from annex.domain.resources import list_channels
    from annex.store.pages import MAX_PAGE_BYTES

    for n in range(40):
        create_channel("big-app", "open_channels", ChannelCreate(channel_url=f"c{n:02d}", data='"' * 65536))
    seen, cursor, pages = [], None, 0
    while True:
        items, cursor = list_channels("big-app", "open_channels", 100, cursor, None, None, None, {})
        assert sum(len(i["data"]) for i in items) <= MAX_PAGE_BYTES
        seen += [i["channel_url"] for i in items]
        pages += 1
        if cursor is None:
            break
    assert seen == [f"c{n:02d}" for n in range(40)] and pages >= 2


def test_a_rare_filter_reads_its_matches_not_the_list(moto_table: Any) -> None:
    from annex.domain.resources import list_users

    for n in range(300):
        create_user("many", UserCreate(user_id=f"u{n:05d}", metadata={"k": "match" if n in (7, 150, 299) else "no"}))
    with DynamoCalls() as calls:
        items, cursor = list_users("many", 20, None, "k", ["match"])
    assert [u["user_id"] for u in items] == ["u00007", "u00150", "u00299"] and cursor is None
    assert calls.items_read == 3 * 4, calls.items_by_target  # per match: its entry, record, marker, key
