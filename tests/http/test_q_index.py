"""The q index's guarantees, each over HTTP against the local server:

- read-after-write: a query right after a 2xx write sees it;
- no stale entry leaks: every result satisfies the whole query as stored now;
- concurrent PATCHes leave exactly the entries of the final stored value;
- a rejected write leaves no entry behind;
- a user_metadata with more leaves than one transaction holds goes through the lock protocol,
  and an abandoned lock is recovered by the next writer.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from annex.store import keys, qindex
from tests.conftest import Api, Stack, local_stack, scan_all


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """A server of this module's own: the checks below scan its table, which the session's shared
    server fills with every other module's data."""
    with local_stack("q-index") as running:
        yield running


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack.url)


@pytest.fixture(scope="module")
def table(stack: Stack) -> Any:
    return stack.table_resource()


def _sid() -> str:
    return f"q-{uuid.uuid4().hex[:12]}"


def _ids(api: Api, q: str) -> list[str]:
    response = api.get("/sessions", params={"q": q, "limit": 100})
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["data"]]


def _entries_of(table: Any, session_id: str) -> set[tuple[str, str]]:
    """Every index entry that points at the session (a scan: tests may, the API never does)."""
    found: set[tuple[str, str]] = set()
    kwargs: dict[str, Any] = {"FilterExpression": Attr("target").eq(session_id)}
    while True:
        page = table.scan(**kwargs)
        found |= {(str(i["PK"]), str(i["SK"])) for i in page["Items"]}
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _expected(table: Any, session_id: str) -> set[tuple[str, str]]:
    """The entries the stored user_metadata calls for."""
    item = scan_all(table, Attr("SK").eq("SESSION") & Attr("id").eq(session_id))[0]
    app_id = str(item["PK"]).split("#", 1)[0]
    document = json.loads(item["user_metadata"]) if "user_metadata" in item else None
    created = int(item["created_at"])
    return {
        (keys.q_index(app_id, "user_metadata", path, keys.shard_of(session_id)), f"{value}#{created:013d}#{session_id}")
        for path, value in (qindex.entries(document) if document is not None else set())
    }


def test_every_operator_finds_exactly_the_matching_sessions(api: Api) -> None:
    mark = uuid.uuid4().hex
    docs = {
        "a": {"m": mark, "n": 5, "plan": "pro", "tags": ["x", "y"], "ok": True},
        "b": {"m": mark, "n": 12.5, "plan": "free", "tags": ["y"], "ok": False},
        "c": {"m": mark, "n": -3, "plan": "pro", "nested": {"deep": None}},
        "d": {"m": mark, "n": "5"},
    }
    sids = {name: _sid() for name in docs}
    for name, doc in docs.items():
        assert api.post("/sessions", {"session_id": sids[name], "user_metadata": doc}).status_code == 201
    m = f"user_metadata['m']:'{mark}'"

    def names(q: str) -> set[str]:
        found = set(_ids(api, q))
        return {name for name, sid in sids.items() if sid in found}

    assert names(f"{m} AND user_metadata['n']:5") == {"a"}
    assert names(f"{m} AND user_metadata['n']:'5'") == {"d"}
    assert names(f"{m} AND user_metadata['n']>5") == {"b"}
    assert names(f"{m} AND user_metadata['n']>=5") == {"a", "b"}
    assert names(f"{m} AND user_metadata['n']<5") == {"c"}
    assert names(f"{m} AND user_metadata['n']<=12.5") == {"a", "b", "c"}
    assert names(f"{m} AND user_metadata['tags']:'y'") == {"a", "b"}
    assert names(f"{m} AND -user_metadata['plan']:'pro'") == {"b", "d"}
    assert names(f"{m} AND user_metadata['ok']:false") == {"b"}
    assert names(f"{m} AND user_metadata['nested']['deep']:null") == {"c"}
    assert names(f"user_metadata['n']>=5 AND user_metadata['n']<=5 AND {m}") == {"a"}
    assert names(f"-user_metadata['plan']:'pro' AND {m}") == {"b", "d"}


def test_a_query_right_after_a_write_sees_it(api: Api) -> None:
    for _ in range(10):
        sid, mark = _sid(), uuid.uuid4().hex
        api.post("/sessions", {"session_id": sid, "user_metadata": {"r": mark}})
        assert _ids(api, f"user_metadata['r']:'{mark}'") == [sid]
        api("PATCH", f"/sessions/{sid}", {"user_metadata": {"r": mark + "x"}})
        assert _ids(api, f"user_metadata['r']:'{mark}x'") == [sid]
        assert _ids(api, f"user_metadata['r']:'{mark}'") == []


def test_a_stale_entry_never_leaks_a_wrong_result(api: Api, table: Any) -> None:
    sid, mark, wrong = _sid(), uuid.uuid4().hex, uuid.uuid4().hex
    api.post("/sessions", {"session_id": sid, "user_metadata": {"s": mark}})
    (pk, sk) = next(iter(_entries_of(table, sid)))
    # Plant an entry for a value the session does not hold (as a crashed writer could leave).
    stale_sk = sk.replace(qindex.encode(mark), qindex.encode(wrong), 1)
    table.put_item(Item={"PK": pk, "SK": stale_sk, "target": sid, "created_at": int(sk.split("#")[-2])})
    assert _ids(api, f"user_metadata['s']:'{wrong}'") == []
    assert _ids(api, f"user_metadata['s']:'{mark}'") == [sid]


def test_concurrent_patches_leave_the_index_of_the_final_value(api: Api, table: Any) -> None:
    sid, mark = _sid(), uuid.uuid4().hex
    api.post("/sessions", {"session_id": sid, "user_metadata": {"w": -1}})

    def patch(i: int) -> None:
        doc = {"w": i, "mark": mark, "tags": [f"t{i}", f"t{i + 1}"], f"k{i}": {"n": i}}
        assert api("PATCH", f"/sessions/{sid}", {"user_metadata": doc}).status_code == 200

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(patch, range(16)))
    final = api.get(f"/sessions/{sid}").json()["user_metadata"]
    assert _entries_of(table, sid) == _expected(table, sid)
    for i in range(16):
        assert (_ids(api, f"user_metadata['w']:{i}") == [sid]) == (final["w"] == i)


def test_a_rejected_write_leaves_no_entry(api: Api, table: Any) -> None:
    sid = _sid()
    api.post("/sessions", {"session_id": sid, "user_metadata": {"v": 1}})
    before = _entries_of(table, sid)
    etag = api.get(f"/sessions/{sid}").headers["ETag"]
    api("PATCH", f"/sessions/{sid}", {"user_metadata": {"v": 2}})
    stale = api("PATCH", f"/sessions/{sid}", {"user_metadata": {"v": 3}}, headers={"If-Match": etag})
    assert stale.status_code == 412
    too_big = api("PATCH", f"/sessions/{sid}", {"user_metadata": {"v": 4, "pad": "x" * 600}})
    assert too_big.status_code == 400
    assert api.post("/sessions", {"session_id": sid, "user_metadata": {"v": 5}}).status_code == 409
    assert _entries_of(table, sid) == _expected(table, sid) != before
    for value in (3, 4, 5):
        assert _ids(api, f"user_metadata['v']:{value} AND user_metadata['v']:{value}") == []


def _many_leaves(seed: int) -> list[int]:
    """A user_metadata with 120 distinct leaves, within 512 characters."""
    return [seed * 1000 + i for i in range(120)][:120]


def test_many_leaves_take_the_lock_protocol_and_stay_exact(api: Api, table: Any) -> None:
    sid = _sid()
    first = {"a": [i for i in range(110)]}
    assert len(json.dumps(first, separators=(",", ":"))) <= 512 and len(qindex.entries(first)) > 100
    assert api.post("/sessions", {"session_id": sid, "user_metadata": first}).status_code == 201
    assert _entries_of(table, sid) == _expected(table, sid) and len(_expected(table, sid)) == 110
    second = {"a": [i for i in range(200, 300)], "b": 1}
    assert api("PATCH", f"/sessions/{sid}", {"user_metadata": second}).status_code == 200
    assert _entries_of(table, sid) == _expected(table, sid) and len(_expected(table, sid)) == 101
    assert _ids(api, "user_metadata['a']:250 AND user_metadata['b']:1") == [sid]
    assert sid not in _ids(api, "user_metadata['a']:50 AND user_metadata['b']:1")

    def patch(i: int) -> None:
        doc = {"a": [i * 100 + j for j in range(100)], "b": i} if i % 2 else {"b": i}
        assert api("PATCH", f"/sessions/{sid}", {"user_metadata": doc}).status_code == 200

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(patch, range(8)))
    assert "index_lock" not in table.get_item(Key={"PK": _pk(table, sid), "SK": "SESSION"})["Item"]
    assert _entries_of(table, sid) == _expected(table, sid)


def _pk(table: Any, session_id: str) -> str:
    item = scan_all(table, Attr("SK").eq("SESSION") & Attr("id").eq(session_id))[0]
    return str(item["PK"])


def test_an_abandoned_lock_is_recovered_by_the_next_writer(api: Api, table: Any) -> None:
    sid, mark = _sid(), uuid.uuid4().hex
    api.post("/sessions", {"session_id": sid, "user_metadata": {"x": mark}})
    pk = _pk(table, sid)
    app_id = pk.split("#", 1)[0]
    (entry_pk, entry_sk) = next(iter(_entries_of(table, sid)))
    # A writer took the lock, put an entry for a value it never stored, deleted the live entry, died.
    ghost_sk = entry_sk.replace(qindex.encode(mark), qindex.encode("ghost"), 1)
    table.put_item(Item={"PK": entry_pk, "SK": ghost_sk, "target": sid, "created_at": int(entry_sk.split("#")[-2])})
    table.delete_item(Key={"PK": entry_pk, "SK": entry_sk})
    note = {"old": json.dumps({"x": mark}, separators=(",", ":")), "new": json.dumps({"x": "ghost"})}
    table.update_item(
        Key={"PK": pk, "SK": "SESSION"},
        UpdateExpression="SET index_lock = :lock",
        ExpressionAttributeValues={":lock": {"id": "dead", "until": 0, "note": note}},
    )
    assert app_id and _ids(api, f"user_metadata['x']:'{mark}'") == []  # the dead writer's damage
    assert api("PATCH", f"/sessions/{sid}", {"user_metadata": {"x": mark, "y": 1}}).status_code == 200
    assert _entries_of(table, sid) == _expected(table, sid)
    assert _ids(api, f"user_metadata['x']:'{mark}'") == [sid]
    assert _ids(api, "user_metadata['x']:'ghost'") == []


def test_long_values_paths_and_ids_stay_within_key_limits(api: Api) -> None:
    """Values and paths of many UTF-8 bytes are indexed under their hash; session ids are at
    most 128 characters: all answer as usual, never a DynamoDB key-size 500."""
    sid, mark = _sid(), uuid.uuid4().hex
    long_value, long_key = "中" * 160, "😀" * 120  # 480 bytes; a path of 480 bytes in a 506-character document
    body = {"session_id": sid, "user_metadata": {"mark": mark, "v": long_value, long_key: 1}}
    assert api.post("/sessions", body).status_code == 201, "created"
    assert _ids(api, f"user_metadata['mark']:'{mark}' AND user_metadata['v']:'{long_value}'") == [sid]
    assert _ids(api, f"user_metadata['{long_key}']:1 AND user_metadata['mark']:'{mark}'") == [sid]
    assert _ids(api, f"user_metadata['v']:'{long_value}x'") == []
    patched = api("PATCH", f"/sessions/{sid}", {"user_metadata": {"k": "中" * 340}})
    assert patched.status_code == 200, patched.text
    assert _ids(api, "user_metadata['k']:'" + "中" * 340 + "'") == [sid]
    assert api.post("/sessions", {"session_id": "😀" * 129}).status_code == 400
    assert api.post("/sessions", {"session_id": "😀" * 128}).status_code == 201
    assert api.get("/sessions/" + "a" * 3000).status_code == 404
    assert api.get("/users/" + "a" * 3000 + "/sessions").json() == {"data": [], "next": None}
