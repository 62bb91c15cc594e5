"""The key/value map store against moto: one conditional UpdateItem per operation, all-or-nothing."""

from __future__ import annotations

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


def test_every_happy_path_write_is_one_request(owner: UserRef, chan: ChannelRef) -> None:
    operations = [
        lambda: kv.create_metadata(owner, {"a": "1", "b": "2", "c": "3"}),
        lambda: kv.update_metadata(owner, {"a": "x", "b": "y"}, WriteMode.UPDATE),
        lambda: kv.update_metadata(owner, {"a": "x", "n1": "y", "n2": "z"}, WriteMode.UPSERT),
        lambda: kv.update_metadata(owner, {"a": "q"}, WriteMode.UPDATE_ONE),
        lambda: kv.delete_one(owner, kv.METADATA, "a"),
        lambda: kv.delete_all(owner, kv.METADATA),
        lambda: kv.create_counters(chan, {"x": 1, "y": 2}),
        lambda: kv.update_counters(chan, {"x": 5, "y": 1}, CounterMode.INCREASE, WriteMode.UPDATE),
        lambda: kv.update_counters(chan, {"x": 5, "z": 1}, CounterMode.DECREASE, WriteMode.UPSERT),
        lambda: kv.update_counters(chan, {"x": 9}, CounterMode.SET, WriteMode.UPDATE_ONE),
        lambda: kv.read(chan, kv.METACOUNTER, ["x"]),
    ]
    for operation in operations:
        with DynamoCalls() as calls:
            operation()
        assert calls.requests == 1, calls.operations
        assert set(calls.operations) <= {"UpdateItem", "GetItem"}
    assert kv.read(chan, kv.METACOUNTER)[0] == {"x": 9, "y": 3, "z": -1}


def test_update_with_some_missing_keys_writes_only_existing_in_two_requests(owner: UserRef) -> None:
    kv.create_metadata(owner, {"a": "1"})
    with DynamoCalls() as calls:
        assert kv.update_metadata(owner, {"a": "2", "b": "3"}, WriteMode.UPDATE) == {"a": "2"}
    assert calls.operations == {"UpdateItem": 2}
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


def test_a_rare_filter_answers_within_a_read_budget_with_a_cursor(moto_table: Any) -> None:
    from annex.domain.resources import list_users
    from annex.store.pages import MAX_FILTERED_READS

    for n in range(MAX_FILTERED_READS * 100 + 150):
        create_user("many", UserCreate(user_id=f"u{n:05d}", metadata={"k": "match" if n == 1100 else "no"}))
    with DynamoCalls() as calls:
        items, cursor = list_users("many", 20, None, "k", ["match"])
    assert items == [] and cursor is not None
    assert calls.requests == MAX_FILTERED_READS
    items, cursor = list_users("many", 20, cursor, "k", ["match"])
    assert [u["user_id"] for u in items] == ["u01100"] and cursor is None
