"""POST /events over HTTP: per-event validation, sessions opened by events, ended sessions, and
exact counters under concurrent batches."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from boto3.dynamodb.conditions import Key

from tests.conftest import Api, Stack, scan_all


def _app_id(table: Any, session_id: str) -> str:
    """The application of a session, from its item (the test knows only its token)."""
    items = scan_all(table, Key("SK").eq("SESSION") & Key("id").eq(session_id))
    return str(items[0]["PK"]).split("#", 1)[0]


def _sid() -> str:
    return f"e-{uuid.uuid4().hex[:12]}"


def _send(api: Api, *events: Any) -> dict[str, Any]:
    response = api.post("/events", {"batch": list(events)})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_bad_events_are_rejected_by_index_and_the_rest_accepted(api: Api) -> None:
    sid = _sid()
    result = _send(
        api,
        {"session_id": sid, "type": "screen", "name": "home"},
        {"session_id": sid, "type": "teleport"},
        {"type": "screen"},
        {"session_id": sid, "type": "track"},
        {"session_id": sid, "type": "screen", "timestamp": "yesterday"},
        {"session_id": sid, "type": "gesture", "extra": 1},
    )
    assert result["accepted"] == 1
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [
        (1, "invalid_event"),
        (2, "invalid_event"),
        (3, "invalid_event"),
        (4, "invalid_event"),
        (5, "invalid_event"),
    ]
    assert all(r["message"] for r in result["rejected"])
    session = api.get(f"/sessions/{sid}").json()
    assert (session["status"], session["event_count"], session["screens"]) == ("RUNNING", 1, ["home"])


def test_an_event_that_is_not_an_object_is_rejected_alone(api: Api) -> None:
    sid = _sid()
    result = _send(api, "screen", {"session_id": sid, "type": "screen", "name": "a"}, None, [1])
    assert result["accepted"] == 1
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [
        (0, "invalid_event"),
        (2, "invalid_event"),
        (3, "invalid_event"),
    ]


def test_events_naming_another_user_are_refused_and_the_rest_applied(api: Api) -> None:
    sid, owner = _sid(), f"u-{uuid.uuid4().hex}"
    _send(api, {"session_id": sid, "type": "screen", "name": "a", "user_id": owner})
    result = _send(
        api,
        {"session_id": sid, "type": "screen", "name": "b"},
        {"session_id": sid, "type": "track", "name": "t"},
        {"session_id": sid, "type": "screen", "name": "c", "user_id": "someone-else"},
    )
    assert result["accepted"] == 2 and [(r["index"], r["code"]) for r in result["rejected"]] == [(2, "user_mismatch")]
    session = api.get(f"/sessions/{sid}").json()
    assert (session["user_id"], session["screens"], session["event_names"]) == (owner, ["a", "b"], ["t"])


def test_events_older_than_their_retention_are_refused(api: Api) -> None:
    sid = _sid()
    result = _send(api, {"session_id": sid, "type": "screen", "name": "a", "timestamp": 0})
    assert (result["accepted"], result["rejected"][0]["code"]) == (0, "invalid_timestamp")
    assert api.get(f"/sessions/{sid}").status_code == 404


def test_a_batch_must_hold_1_to_100_events(api: Api) -> None:
    sid = _sid()
    body: Any
    for body in ({"batch": []}, {"batch": [{"session_id": sid, "type": "crash"}] * 101}, {"events": []}, [1]):
        response = api.post("/events", body)
        assert response.status_code == 400, response.text
    assert api.get(f"/sessions/{sid}").status_code == 404


def test_events_update_every_counter_and_keep_screens_in_order(api: Api) -> None:
    sid, t0 = _sid(), int(time.time() * 1000) - 3_600_000
    _send(
        api,
        {"session_id": sid, "type": "screen", "name": "home", "timestamp": t0},
        {"session_id": sid, "type": "screen", "name": "cart", "timestamp": t0 + 1000},
        {"session_id": sid, "type": "screen", "name": "home", "timestamp": t0 + 2000},
        {"session_id": sid, "type": "track", "name": "buy", "timestamp": t0 + 3000},
        {"session_id": sid, "type": "gesture", "properties": {"rage": True}, "timestamp": t0 + 4000},
        {"session_id": sid, "type": "gesture", "timestamp": t0 + 4500},
    )
    # An older, late batch moves neither last_event_at back nor the screens' order of arrival.
    _send(api, {"session_id": sid, "type": "track", "name": "late", "timestamp": t0 - 1000})
    session = api.get(f"/sessions/{sid}").json()
    assert session["screens"] == ["home", "cart", "home"]
    assert (session["event_count"], session["screen_count"], session["unique_screen_count"]) == (7, 3, 2)
    assert (session["gesture_count"], session["rage_gesture_count"]) == (2, 1)
    assert session["event_names"] == ["buy", "late"]
    assert session["last_event_at"] == t0 + 4500 and session["duration_s"] == 5.5


def test_identify_sets_the_user_and_user_metadata(api: Api) -> None:
    sid, user, mark = _sid(), f"u-{uuid.uuid4().hex}", uuid.uuid4().hex
    _send(api, {"session_id": sid, "type": "screen", "name": "a"})
    _send(api, {"session_id": sid, "type": "identify", "user_id": user, "properties": {"plan": mark}})
    session = api.get(f"/sessions/{sid}").json()
    assert (session["user_id"], session["user_metadata"], session["session_number"]) == (user, {"plan": mark}, 1)
    found = api.get("/sessions", params={"q": f"user_metadata['plan']:'{mark}'"}).json()["data"]
    assert [s["id"] for s in found] == [sid]
    other = _send(api, {"session_id": sid, "type": "screen", "name": "b", "user_id": "someone-else"})
    assert other["rejected"][0]["code"] == "user_mismatch"
    assert [s["id"] for s in api.get(f"/users/{user}/sessions").json()["data"]] == [sid]


def test_a_crash_ends_the_session_with_error(api: Api) -> None:
    sid = _sid()
    result = _send(
        api,
        {"session_id": sid, "type": "screen", "name": "a"},
        {"session_id": sid, "type": "crash"},
        {"session_id": sid, "type": "screen", "name": "b"},
    )
    assert result["accepted"] == 2 and result["rejected"][0]["code"] == "session_ended"
    session = api.get(f"/sessions/{sid}").json()
    assert (session["status"], session["event_count"], session["screens"]) == ("ERROR", 2, ["a"])
    assert _send(api, {"session_id": sid, "type": "screen", "name": "c"})["rejected"][0]["code"] == "session_ended"


def test_8_threads_of_25_batches_on_one_session_lose_nothing(api: Api) -> None:
    sid = _sid()
    api.post("/sessions", {"session_id": sid})

    def batches(worker: int) -> int:
        accepted = 0
        for i in range(25):
            result = _send(
                api,
                {"session_id": sid, "type": "screen", "name": f"w{worker}-{i}"},
                {"session_id": sid, "type": "gesture", "properties": {"rage": i % 5 == 0}},
                {"session_id": sid, "type": "track", "name": f"w{worker}"},
            )
            accepted += result["accepted"]
        return accepted

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(batches, range(8))) == 8 * 25 * 3
    session = api.get(f"/sessions/{sid}").json()
    assert session["event_count"] == 600 and session["screen_count"] == 200
    assert session["unique_screen_count"] == 200 and len(session["screens"]) == 200
    assert (session["gesture_count"], session["rage_gesture_count"]) == (200, 40)
    assert session["event_names"] == sorted(f"w{w}" for w in range(8))
    stored = 0
    cursor = None
    while True:
        page = api.get(f"/sessions/{sid}/events", params={"limit": 100} | ({"next": cursor} if cursor else {})).json()
        stored += len(page["data"])
        cursor = page["next"]
        if cursor is None:
            break
    assert stored == 600


def test_threads_bringing_the_same_new_names_to_one_session_count_each_once(api: Api, stack: Stack) -> None:
    """8 threads post batches into one session whose new screen and event names overlap (each name
    sent by several threads at about the same time): every event lands, each distinct name counts
    once, and the session's names items hold each name once."""
    sid = _sid()
    api.post("/sessions", {"session_id": sid})
    screens = [[f"p{(worker * 3 + i + k) % 40:02d}" for i in range(12) for k in range(3)] for worker in range(8)]
    tracks = [[f"t{(worker + i) % 15:02d}" for i in range(12)] for worker in range(8)]

    def batches(worker: int) -> int:
        accepted = 0
        for i in range(12):
            events = [{"session_id": sid, "type": "screen", "name": n} for n in screens[worker][i * 3 : i * 3 + 3]]
            events.append({"session_id": sid, "type": "track", "name": tracks[worker][i]})
            accepted += _send(api, *events)["accepted"]
        return accepted

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(batches, range(8))) == 8 * 12 * 4
    distinct_screens, distinct_tracks = {n for w in screens for n in w}, {n for w in tracks for n in w}
    session = api.get(f"/sessions/{sid}").json()
    assert session["event_count"] == 8 * 12 * 4 and session["unique_screen_count"] == len(distinct_screens)
    assert session["event_names"] == sorted(distinct_tracks)
    table = stack.table_resource()
    items = table.query(KeyConditionExpression=Key("PK").eq(f"{_app_id(table, sid)}#SESSION#{sid}"))["Items"]
    item = next(i for i in items if i["SK"] == "SESSION")
    assert (item["screen_set_count"], item["event_name_set_count"]) == (len(distinct_screens), len(distinct_tracks))
    listed = [n for i in items if str(i["SK"]).startswith("SEEN#") for n in i.get("screen_set", [])]
    assert sorted(listed) == sorted(distinct_screens)  # each name once


def test_a_full_batch_for_one_session_is_accepted_whole_and_names_are_capped(api: Api) -> None:
    """100 events for one session take two transactions (100 items each at most): all are
    counted and stored; the session keeps its first 200 screens and 200 distinct names, and counts
    every distinct screen."""
    sid, t0 = _sid(), int(time.time() * 1000) - 3_600_000
    for b in range(3):
        batch = [
            {"session_id": sid, "type": "screen", "name": f"s{b * 100 + i:03d}", "timestamp": t0 + b * 100 + i}
            for i in range(100)
        ]
        assert _send(api, *batch) == {"accepted": 100, "rejected": []}
    tracks = [{"session_id": sid, "type": "track", "name": f"t{i:03d}"} for i in range(100)]
    assert _send(api, *tracks)["accepted"] == 100
    assert _send(api, *[t | {"name": f"u{i:03d}"} for i, t in enumerate(tracks)])["accepted"] == 100
    assert _send(api, {"session_id": sid, "type": "track", "name": "v"})["accepted"] == 1
    session = api.get(f"/sessions/{sid}").json()
    assert (session["event_count"], session["screen_count"]) == (501, 300)
    assert session["screens"] == [f"s{i:03d}" for i in range(200)]
    assert session["unique_screen_count"] == 300 and len(session["event_names"]) == 200
    page = api.get(f"/sessions/{sid}/events", params={"limit": 100}).json()  # oldest first: by timestamp
    assert [e["name"] for e in page["data"]] == [f"s{i:03d}" for i in range(100)]
    long_name = {"session_id": sid, "type": "screen", "name": "x" * 129}
    assert _send(api, long_name)["rejected"][0]["code"] == "invalid_event"


def test_concurrent_first_batches_open_one_session(api: Api) -> None:
    sid = _sid()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _send(api, {"session_id": sid, "type": "screen", "name": f"p{i}"}), range(8)))
    assert sum(r["accepted"] for r in results) == 8
    assert api.get(f"/sessions/{sid}").json()["event_count"] == 8
    listed = api.get("/sessions", params={"limit": 100}).json()["data"]
    assert [s["id"] for s in listed].count(sid) == 1


def test_a_users_concurrent_new_sessions_get_distinct_numbers(api: Api) -> None:
    user = f"u-{uuid.uuid4().hex}"
    sids = [_sid() for _ in range(8)]

    def open_one(i: int) -> None:
        if i % 2:
            assert api.post("/sessions", {"session_id": sids[i], "user_id": user}).status_code == 201
        else:
            assert _send(api, {"session_id": sids[i], "user_id": user, "type": "screen", "name": "x"})["accepted"] == 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(open_one, range(8)))
    numbers = sorted(api.get(f"/sessions/{sid}").json()["session_number"] for sid in sids)
    assert numbers == list(range(1, 9))
    listed = api.get(f"/users/{user}/sessions", params={"limit": 100}).json()["data"]
    assert sorted(s["id"] for s in listed) == sorted(sids)


def test_every_accepted_event_is_stored_with_a_ttl(api: Api, stack: Stack) -> None:
    sid = _sid()
    _send(api, {"session_id": sid, "type": "track", "name": "a", "properties": {"k": [1, 2.5, None]}})
    table = stack.table_resource()
    app_id = api.get(f"/sessions/{sid}").json() and _app_id(table, sid)
    stored = table.query(KeyConditionExpression=Key("PK").eq(f"{app_id}#EVENTS#{sid}"))["Items"]
    assert len(stored) == 1
    ttl_days = (int(str(stored[0]["expires_at"])) * 1000 - int(str(stored[0]["received_at"]))) / 86_400_000
    assert round(ttl_days) == 90
    assert api.get(f"/sessions/{sid}/events").json()["data"][0]["properties"] == {"k": [1, 2.5, None]}
