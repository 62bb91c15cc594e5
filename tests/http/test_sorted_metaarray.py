"""A message's sorted_metaarray over HTTP: add keys, add and remove values, delete keys; order, no
duplicates, the limits, and what concurrent writers cannot break. The index stays exactly what the
stored messages call for."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from annex.store import keys
from tests.conftest import Api


@pytest.fixture
def message(api: Api, channel: str) -> str:
    response = api.post(f"{channel}/messages", {"user_id": "alice", "message": "hi"})
    assert response.status_code == 201, response.text
    return f"{channel}/messages/{response.json()['message_id']}"


def _array(api: Api, message: str) -> list[dict[str, Any]]:
    response = api.get(message)
    assert response.status_code == 200, response.text
    array: list[dict[str, Any]] = response.json()["sorted_metaarray"]
    return array


def _put(api: Api, message: str, pairs: dict[str, list[str]], **options: Any) -> Any:
    body = {"sorted_metaarray": [{"key": k, "value": v} for k, v in pairs.items()]} | options
    return api.put(f"{message}/sorted_metaarray", body)


def _index_matches_the_messages(api: Api, table: Any, message: str) -> None:
    """Every index entry of the channel is one the stored messages call for, and the other way round."""
    _, kind, url, _, _ = message.split("/")
    partition = keys.channel_messages("local", kind, url)
    items = table.query(KeyConditionExpression=Key("PK").eq(partition))["Items"]
    entries = {str(i["SK"]) for i in items if str(i["SK"]).startswith(keys.INDEX_PREFIX)}
    expected = set()
    for m in api.get(f"/{kind}/{url}/messages?limit=100").json()["data"]:
        for pair in m["sorted_metaarray"]:
            expected |= {
                keys.metaarray_entry("local", kind, url, pair["key"], v, m["message_id"]).sk for v in pair["value"]
            }
    assert entries == expected


def test_add_keys_then_values_in_order_without_duplicates(api: Api, message: str, table: Any) -> None:
    created = api.post(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "b", "value": ["1", "2", "1"]}]})
    assert created.status_code == 200, created.text
    assert created.json()["sorted_metaarray"] == [{"key": "b", "value": ["1", "2"]}]
    api.post(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "a", "value": []}]})
    added = _put(api, message, {"b": ["3", "1", "4", "3"], "a": ["x"]})
    assert added.json()["sorted_metaarray"] == [
        {"key": "b", "value": ["1", "2", "3", "4"]},
        {"key": "a", "value": ["x"]},
    ]
    removed = _put(api, message, {"b": ["2", "9"], "a": ["x"], "ghost": ["1"]}, mode="remove")
    assert removed.json()["sorted_metaarray"] == [{"key": "b", "value": ["1", "3", "4"]}, {"key": "a", "value": []}]
    again = _put(api, message, {"b": ["2"]})
    assert again.json()["sorted_metaarray"][0] == {"key": "b", "value": ["1", "3", "4", "2"]}  # back, at the end
    assert _array(api, message) == again.json()["sorted_metaarray"]
    _index_matches_the_messages(api, table, message)


def test_adding_to_a_missing_key_needs_upsert(api: Api, message: str) -> None:
    assert _put(api, message, {"k": ["v"]}).json()["sorted_metaarray"] == []
    assert _put(api, message, {"k": ["v"]}, upsert=True).json()["sorted_metaarray"] == [{"key": "k", "value": ["v"]}]


def test_post_of_an_existing_key_is_409_and_writes_nothing(api: Api, message: str) -> None:
    api.post(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "k", "value": ["v"]}]})
    etag = api.get(message).headers["ETag"]
    response = api.post(
        f"{message}/sorted_metaarray",
        {"sorted_metaarray": [{"key": "new", "value": ["n"]}, {"key": "k", "value": ["w"]}]},
    )
    assert response.status_code == 409 and response.json()["code"] == "key_exists"
    assert _array(api, message) == [{"key": "k", "value": ["v"]}]
    assert api.get(message).headers["ETag"] == etag


def test_delete_keys_removes_them_and_ignores_absent_ones(api: Api, message: str) -> None:
    _put(api, message, {"a": ["1"], "b": ["2"], "c": ["3"]}, upsert=True)
    assert api.delete(f"{message}/sorted_metaarray?keys=a,c,zz").json()["sorted_metaarray"] == [
        {"key": "b", "value": ["2"]}
    ]
    for query in ("", "?keys=", "?keys=" + ",".join(f"k{i}" for i in range(21)), "?keys=" + "k" * 81):
        response = api.delete(f"{message}/sorted_metaarray{query}")
        assert response.status_code == 400, (query, response.text)
    assert _array(api, message) == [{"key": "b", "value": ["2"]}]


BAD: list[tuple[str, str, Any]] = [
    ("POST", "empty list", {"sorted_metaarray": []}),
    ("POST", "key of 81 bytes", {"sorted_metaarray": [{"key": "k" * 81, "value": []}]}),
    ("POST", "value of 129 bytes", {"sorted_metaarray": [{"key": "k", "value": ["é" * 64 + "x"]}]}),
    ("POST", "101 values", {"sorted_metaarray": [{"key": "k", "value": [str(i) for i in range(101)]}]}),
    ("POST", "21 keys", {"sorted_metaarray": [{"key": str(i), "value": []} for i in range(21)]}),
    ("POST", "19 more keys on 2", {"sorted_metaarray": [{"key": f"n{i}", "value": []} for i in range(19)]}),
    ("POST", "a key twice", {"sorted_metaarray": [{"key": "k", "value": []}, {"key": "k", "value": ["v"]}]}),
    ("POST", "mode on post", {"sorted_metaarray": [{"key": "k", "value": []}], "mode": "add"}),
    ("PUT", "unknown mode", {"sorted_metaarray": [{"key": "a", "value": ["v"]}], "mode": "replace"}),
    ("PUT", "upsert not a boolean", {"sorted_metaarray": [{"key": "a", "value": ["v"]}], "upsert": "yes"}),
    ("PUT", "values past 100", {"sorted_metaarray": [{"key": "a", "value": [f"n{i}" for i in range(99)]}]}),
    (
        "PUT",
        "a 19th and 20th new key",
        {"sorted_metaarray": [{"key": f"n{i}", "value": []} for i in range(19)], "upsert": True},
    ),
    ("PUT", "value not a list", {"sorted_metaarray": [{"key": "a", "value": "v"}]}),
    ("PUT", "missing value", {"sorted_metaarray": [{"key": "a"}]}),
    ("PUT", "extra field", {"sorted_metaarray": [{"key": "a", "value": [], "order": 1}]}),
]


@pytest.mark.parametrize(("method", "case", "body"), BAD, ids=[f"{m} {c}" for m, c, _ in BAD])
def test_bad_input_is_400_and_writes_nothing(api: Api, message: str, method: str, case: str, body: Any) -> None:
    _put(api, message, {"a": ["1", "2"], "b": []}, upsert=True)
    before = api.get(message)
    response = api(method, f"{message}/sorted_metaarray", body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "code", "message"}
    after = api.get(message)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]


def test_concurrent_adds_of_distinct_values_to_one_key_lose_nothing(
    server: str, api: Api, message: str, table: Any
) -> None:
    api.post(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "likes", "value": []}]})

    def add(thread: int) -> list[int]:
        client = Api(server)
        return [_put(client, message, {"likes": [f"t{thread}-{i}", "shared"]}).status_code for i in range(10)]

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for batch in pool.map(add, range(8)) for s in batch]
    assert statuses == [200] * 80
    (likes,) = _array(api, message)
    assert len(likes["value"]) == len(set(likes["value"])) == 81  # 80 distinct and "shared" once
    for thread in range(8):  # each writer's values in the order it added them
        mine = [v for v in likes["value"] if v.startswith(f"t{thread}-")]
        assert mine == [f"t{thread}-{i}" for i in range(10)]
    _index_matches_the_messages(api, table, message)


def test_concurrent_adds_never_pass_100_values_per_key(server: str, api: Api, message: str, table: Any) -> None:
    def add(thread: int) -> int:
        values = [f"t{thread}-{i}" for i in range(20)]
        return int(_put(Api(server), message, {"k": values}, upsert=True).status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(add, range(8)))
    (k,) = _array(api, message)
    assert sorted(set(statuses)) in ([200, 400], [200])
    assert len(k["value"]) == 20 * statuses.count(200) <= 100  # every request whole or not at all
    assert statuses.count(200) == 5
    _index_matches_the_messages(api, table, message)


def test_concurrent_key_creation_never_passes_20_keys(server: str, api: Api, message: str) -> None:
    def create(thread: int) -> int:
        body = {"sorted_metaarray": [{"key": f"t{thread}-{i}", "value": ["v"]} for i in range(3)]}
        return int(Api(server).post(f"{message}/sorted_metaarray", body).status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(8)))
    assert statuses.count(200) == 6 and statuses.count(400) == 2
    assert len(_array(api, message)) == 18


def test_concurrent_removes_and_adds_keep_the_index_exact(server: str, api: Api, message: str, table: Any) -> None:
    values = [f"v{i}" for i in range(12)]
    _put(api, message, {"k": values}, upsert=True)

    def churn(thread: int) -> None:
        client = Api(server)
        mine = values[thread::4]
        for _ in range(3):
            assert _put(client, message, {"k": mine}, mode="remove").status_code == 200
            assert _put(client, message, {"k": mine}).status_code == 200

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(churn, range(4)))
    (k,) = _array(api, message)
    assert sorted(k["value"]) == sorted(values)
    _index_matches_the_messages(api, table, message)


def test_a_change_too_large_for_one_transaction_is_whole_and_indexed(api: Api, message: str, table: Any) -> None:
    big = {f"key{i}": [f"v{j}-{uuid.uuid4().hex[:6]}" for j in range(30)] for i in range(10)}  # 300 entries
    created = api.post(
        f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": k, "value": v} for k, v in big.items()]}
    )
    assert created.status_code == 200, created.text
    channel = message.rsplit("/messages/", 1)[0]
    found = api.get(f"{channel}/messages", params={"metaarray_key": "key7", "metaarray_values": big["key7"][29]})
    assert [m["message_id"] for m in found.json()["data"]] == [int(message.rsplit("/", 1)[1])]
    _index_matches_the_messages(api, table, message)
    assert api.delete(f"{message}/sorted_metaarray?keys=" + ",".join(big)).json()["sorted_metaarray"] == []
    _index_matches_the_messages(api, table, message)
