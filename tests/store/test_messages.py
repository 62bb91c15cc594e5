"""The messages store against moto: requests per operation, the index's items read, the lock path."""

from __future__ import annotations

import time
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from annex.core.metaarray import Mode
from annex.domain import messages
from annex.domain.messages import MessageRef
from annex.domain.resources import ChannelRef, create_channel
from annex.errors import Conflict, NotFound
from annex.models.resources import ChannelCreate
from annex.store import keys
from annex.store import lock as index_lock
from annex.store.messages import channel as channel_store
from annex.store.messages import items as message_store
from local.instrument import DynamoCalls

APP = "app-messages-test"
FIELDS = {"user_id": "alice", "message": "hi", "data": "", "meta": {}}


@pytest.fixture
def lobby(moto_table: Any) -> ChannelRef:
    create_channel(APP, "group_channels", ChannelCreate(channel_url="lobby"))
    return ChannelRef(APP, "group_channels", "lobby")


def _items(table: Any) -> list[tuple[str, str]]:
    return sorted((str(i["PK"]), str(i["SK"])) for i in table.scan()["Items"])


def _entries(table: Any, channel: ChannelRef) -> set[str]:
    """The sort keys of every index entry of the channel (a scan: tests may, the API never does)."""
    partition = keys.channel_messages(channel.app_id, channel.kind, channel.channel_url)
    found = table.scan(FilterExpression=Attr("PK").eq(partition) & Attr("SK").begins_with(keys.INDEX_PREFIX))
    return {str(item["SK"]) for item in found["Items"]}


def _message(table: Any, channel: ChannelRef, message_id: int) -> dict[str, Any]:
    item: dict[str, Any] = table.get_item(
        Key=keys.message(channel.app_id, channel.kind, channel.channel_url, message_id).key
    ).get("Item", {})
    return item


def _expected(table: Any, channel: ChannelRef, ids: list[int]) -> set[str]:
    """The entries the stored messages call for: one per (key, value) each holds."""
    return {
        keys.metaarray_entry(channel.app_id, channel.kind, channel.channel_url, key, value, message_id).sk
        for message_id in ids
        for key, entry in message_store.stored_state(
            _message(table, channel, message_id).get("sorted_metaarray")
        ).items()
        for value in entry.values
    }


def test_a_send_is_two_requests_once_the_channel_has_sent_one(lobby: ChannelRef) -> None:
    with DynamoCalls() as first:
        messages.send(lobby, FIELDS, [])
    assert first.operations == {"UpdateItem": 2, "TransactWriteItems": 1, "PutItem": 1}  # the counter is created
    for metaarray, write in (([], "PutItem"), ([("likes", ["bob", "carol"])], "TransactWriteItems")):
        with DynamoCalls() as calls:
            messages.send(lobby, FIELDS, metaarray)
        assert calls.operations == {"UpdateItem": 1, write: 1}, calls.operations


def test_a_send_to_a_missing_channel_writes_nothing(lobby: ChannelRef, moto_table: Any) -> None:
    before = _items(moto_table)
    with pytest.raises(NotFound):
        messages.send(ChannelRef(APP, "group_channels", "ghost"), FIELDS, [("k", ["v"])])
    assert _items(moto_table) == before


def test_filter_reads_stay_proportional_to_matches_as_other_messages_grow(lobby: ChannelRef) -> None:
    for i in range(5):
        messages.send(lobby, FIELDS, [("team", ["red"]), ("n", [str(i)])])

    def items_read() -> int:
        with DynamoCalls() as calls:
            found, cursor = messages.list_messages(lobby, 20, None, "team", ["red", "gold"])
        assert len(found) == 5 and cursor is None
        assert {m["sorted_metaarray"][0]["value"][0] for m in found} == {"red"}
        return calls.items_read

    few = items_read()
    for i in range(120):  # other values of the key, other keys, no keys
        metaarray = [[("team", ["blue", "green"])], [("other", ["red"])], []][i % 3]
        messages.send(lobby, FIELDS, metaarray)
    many = items_read()
    # 2 (channel, counter) + 5 entries + 5 messages, however many other messages the channel holds.
    assert few == many == 12


def test_a_stale_entry_is_rechecked_and_never_answered(lobby: ChannelRef, moto_table: Any) -> None:
    sent = messages.send(lobby, FIELDS, [("team", ["red"])])
    stale = keys.metaarray_entry(APP, lobby.kind, lobby.channel_url, "team", "blue", sent["message_id"])
    moto_table.put_item(Item=stale.key | {"message_id": sent["message_id"]})  # as a crashed writer could leave
    assert messages.list_messages(lobby, 20, None, "team", ["blue"])[0] == []
    assert [m["message_id"] for m in messages.list_messages(lobby, 20, None, "team", ["red"])[0]] == [1]


def test_changes_larger_than_a_transaction_keep_every_entry(lobby: ChannelRef, moto_table: Any) -> None:
    big = [(f"k{i}", [f"v{j}" for j in range(10)]) for i in range(15)]  # 150 entries: the lock path
    first = messages.send(lobby, FIELDS, big)["message_id"]
    second = messages.send(lobby, FIELDS, [])["message_id"]
    ref = MessageRef(lobby, str(second))
    messages.create_keys(ref, big, None)
    assert _entries(moto_table, lobby) == _expected(moto_table, lobby, [first, second])
    messages.update_values(
        ref, [(f"k{i}", [f"v{j}" for j in range(0, 10, 2)]) for i in range(15)], Mode.REMOVE, False, None
    )
    messages.update_values(ref, [(f"k{i}", ["w0", "w1", "w2", "w3"]) for i in range(15)], Mode.ADD, False, None)
    assert _entries(moto_table, lobby) == _expected(moto_table, lobby, [first, second])
    after = messages.read(ref)[0]["sorted_metaarray"]
    assert after[0] == {"key": "k0", "value": ["v1", "v3", "v5", "v7", "v9", "w0", "w1", "w2", "w3"]}
    assert "index_lock" not in _message(moto_table, lobby, second)
    messages.delete_keys(ref, [f"k{i}" for i in range(15)], None)
    assert _entries(moto_table, lobby) == _expected(moto_table, lobby, [first, second])
    messages.delete(MessageRef(lobby, str(first)), None)
    assert _entries(moto_table, lobby) == set()


def test_an_abandoned_index_lock_is_recovered_and_a_live_one_waited_for(
    lobby: ChannelRef, moto_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = messages.send(lobby, FIELDS, [("k", ["a"])])
    ref = MessageRef(lobby, str(sent["message_id"]))
    now = time.time_ns() // 1_000_000

    def lock(until: int) -> None:
        moto_table.update_item(
            Key=ref.ref.key,
            UpdateExpression="SET index_lock = :l",
            ExpressionAttributeValues={":l": {"id": "x", "until": until}},
        )

    lock(now - 1)  # its writer died: the next writer clears it
    assert messages.update_values(ref, [("k", ["b"])], Mode.ADD, False, None)["sorted_metaarray"][0]["value"] == [
        "a",
        "b",
    ]
    lock(now + 60_000)  # held: writers wait, then give up with a retryable 409, writing nothing
    monkeypatch.setattr(index_lock, "WAIT_S", 0.2)
    with pytest.raises(Conflict):
        messages.update_values(ref, [("k", ["c"])], Mode.ADD, False, None)
    assert message_store.stored_state(_message(moto_table, lobby, sent["message_id"])["sorted_metaarray"])[
        "k"
    ].values == (
        "a",
        "b",
    )


def test_deleting_the_channel_leaves_only_its_counter_and_ids_go_on(lobby: ChannelRef, moto_table: Any) -> None:
    for i in range(30):
        messages.send(lobby, FIELDS, [("k", [str(i % 3)])])
    messages.delete_channel(lobby, None)
    partition = keys.channel_messages(APP, lobby.kind, lobby.channel_url)
    assert [sk for pk, sk in _items(moto_table) if pk == partition] == ["COUNTER"]
    create_channel(APP, "group_channels", ChannelCreate(channel_url="lobby"))
    assert messages.list_messages(lobby, 20, None, None, None) == ([], None)
    assert messages.send(lobby, FIELDS, [])["message_id"] == 31  # never an id an old message had


def test_messages_a_purge_left_stay_invisible(lobby: ChannelRef, moto_table: Any) -> None:
    for _ in range(3):
        messages.send(lobby, FIELDS, [("k", ["v"])])
    channel_store.delete_channel(lobby, None, budget_s=0)  # a purge that ran out of time deletes nothing
    create_channel(APP, "group_channels", ChannelCreate(channel_url="lobby"))
    assert messages.list_messages(lobby, 20, None, None, None) == ([], None)
    assert messages.list_messages(lobby, 20, None, "k", ["v"]) == ([], None)
    with pytest.raises(NotFound):
        messages.read(MessageRef(lobby, "2"))
    with pytest.raises(NotFound):
        messages.update_values(MessageRef(lobby, "2"), [("k", ["w"])], Mode.ADD, False, None)
    assert messages.send(lobby, FIELDS, [("k", ["v"])])["message_id"] == 4
    assert [m["message_id"] for m in messages.list_messages(lobby, 20, None, "k", ["v"])[0]] == [4]
