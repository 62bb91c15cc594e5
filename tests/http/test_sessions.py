"""Sessions over HTTP: create, read, release, PATCH, lists, a user's sessions and stored events."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.conftest import Api


def _sid() -> str:
    return f"s-{uuid.uuid4().hex[:12]}"


def _mark() -> str:
    """A value no other test's sessions hold, so q results are this test's alone."""
    return uuid.uuid4().hex


def test_create_read_and_the_session_object(api: Api) -> None:
    sid, mark = _sid(), _mark()
    body = {
        "session_id": sid,
        "user_id": f"u-{mark}",
        "user_metadata": {"order": {"status": "shipped"}, "mark": mark},
        "device": {"platform": "ios", "class": "phone"},
        "location": {"country": "France", "city": "Paris"},
    }
    created = api.post("/sessions", body)
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["id"] == sid and session["status"] == "RUNNING" and session["session_number"] == 1
    assert session["device"]["class"] == "phone" and session["device"]["model"] is None
    assert session["location"] == {"country": "France", "country_code": None, "city": "Paris"}
    assert (session["event_count"], session["screens"], session["ended_at"]) == (0, [], None)
    got = api.get(f"/sessions/{sid}")
    assert got.status_code == 200 and got.json() == session
    assert got.headers["ETag"].strip('"').isdigit()
    assert api.post("/sessions", body).json()["code"] == "already_exists"


def test_create_without_an_id_generates_one_and_unknown_ids_are_404(api: Api) -> None:
    created = api.post("/sessions", {})
    assert created.status_code == 201 and len(created.json()["id"]) == 36
    assert created.json()["user_metadata"] is None and created.json()["session_number"] is None
    missing = api.get(f"/sessions/{_sid()}")
    assert missing.status_code == 404 and missing.json()["code"] == "session_not_found"


def test_release_completes_once_and_is_idempotent(api: Api) -> None:
    sid = _sid()
    api.post("/sessions", {"session_id": sid})
    released = api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"})
    assert released.status_code == 200 and released.json()["status"] == "COMPLETED"
    assert released.json()["ended_at"] is not None
    again = api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"})
    assert again.status_code == 200 and again.json()["ended_at"] == released.json()["ended_at"]
    assert api.post(f"/sessions/{sid}", {"status": "RUNNING"}).status_code == 400
    ended = api.post("/events", {"batch": [{"session_id": sid, "type": "screen", "name": "x"}]}).json()
    assert ended["accepted"] == 0 and ended["rejected"][0]["code"] == "session_ended"
    assert api.get(f"/sessions/{sid}").json()["event_count"] == 0


def test_an_errored_session_cannot_be_released(api: Api) -> None:
    sid = _sid()
    api.post("/events", {"batch": [{"session_id": sid, "type": "crash"}]})
    assert api.get(f"/sessions/{sid}").json()["status"] == "ERROR"
    refused = api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"})
    assert refused.status_code == 409 and refused.json()["code"] == "session_ended"


def test_patch_replaces_user_metadata_and_q_follows_at_once(api: Api) -> None:
    sid, old, new = _sid(), _mark(), _mark()
    api.post("/sessions", {"session_id": sid, "user_metadata": {"tag": old, "keep": {"n": 1}}})
    patched = api("PATCH", f"/sessions/{sid}", {"user_metadata": {"tag": new}})
    assert patched.status_code == 200 and patched.json()["user_metadata"] == {"tag": new}
    assert _ids(api, f"user_metadata['tag']:'{new}'") == [sid]
    assert _ids(api, f"user_metadata['tag']:'{old}'") == []


def test_if_match_guards_patch_and_release(api: Api) -> None:
    sid = _sid()
    api.post("/sessions", {"session_id": sid})
    etag = api.get(f"/sessions/{sid}").headers["ETag"]
    assert api("PATCH", f"/sessions/{sid}", {"user_metadata": 1}, headers={"If-Match": etag}).status_code == 200
    stale = api("PATCH", f"/sessions/{sid}", {"user_metadata": 2}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"}, headers={"If-Match": etag}).status_code == 412
    assert api.get(f"/sessions/{sid}").json()["user_metadata"] == 1


def _ids(api: Api, q: str, **params: Any) -> list[str]:
    response = api.get("/sessions", params={"q": q, "limit": 100} | params)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["data"]]


def test_lists_are_newest_first_and_paginate_with_status(api: Api) -> None:
    mark = _mark()
    sids = [_sid() for _ in range(5)]
    for sid in sids:
        api.post("/sessions", {"session_id": sid, "user_metadata": {"batch": mark}})
    api.post(f"/sessions/{sids[1]}", {"status": "REQUEST_RELEASE"})
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": f"user_metadata['batch']:'{mark}'", "limit": 2} | ({"next": cursor} if cursor else {})
        page = api.get("/sessions", params=params).json()
        seen += [s["id"] for s in page["data"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sids[::-1]
    assert _ids(api, f"user_metadata['batch']:'{mark}'", status="COMPLETED") == [sids[1]]
    assert sids[1] not in _ids(api, f"user_metadata['batch']:'{mark}'", status="RUNNING")
    newest = api.get("/sessions", params={"limit": 3}).json()["data"]
    assert [s["created_at"] for s in newest] == sorted((s["created_at"] for s in newest), reverse=True)


def test_a_users_sessions_are_numbered_and_listed_newest_first(api: Api) -> None:
    user = f"u-{_mark()}"
    sids = [_sid() for _ in range(3)]
    for sid in sids:
        api.post("/sessions", {"session_id": sid, "user_id": user})
    listed = api.get(f"/users/{user}/sessions", params={"limit": 2}).json()
    assert [s["session_number"] for s in listed["data"]] == [3, 2]
    rest = api.get(f"/users/{user}/sessions", params={"limit": 2, "next": listed["next"]}).json()
    assert [s["id"] for s in rest["data"]] == [sids[0]] and rest["next"] is None
    assert api.get(f"/users/nobody-{_mark()}/sessions").json() == {"data": [], "next": None}


def test_stored_events_oldest_first_paginated(api: Api) -> None:
    sid = _sid()
    t0 = int(time.time() * 1000) - 60_000
    batch = [{"session_id": sid, "type": "screen", "name": f"p{i}", "timestamp": t0 + i} for i in range(5)]
    assert api.post("/events", {"batch": batch[::-1]}).json()["accepted"] == 5
    first = api.get(f"/sessions/{sid}/events", params={"limit": 3}).json()
    rest = api.get(f"/sessions/{sid}/events", params={"limit": 3, "next": first["next"]}).json()
    assert [e["name"] for e in first["data"] + rest["data"]] == [f"p{i}" for i in range(5)]
    assert rest["next"] is None
    assert api.get(f"/sessions/{_sid()}/events").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/sessions", {"user_metadata": {"x": "y" * 520}}, None),
        ("POST", "/sessions", {"session_id": ""}, None),
        ("POST", "/sessions", {"device": {"os": "linux"}}, None),
        ("POST", "/sessions", {"session_id": 5}, None),
        ("GET", "/sessions", None, {"status": "PAUSED"}),
        ("GET", "/sessions", None, {"q": "user_metadata['a']:"}),
        ("GET", "/sessions", None, {"q": "metadata['a']:1"}),
        ("GET", "/sessions", None, {"next": "not-a-cursor"}),
        ("GET", "/sessions", None, {"limit": "0"}),
    ],
)
def test_bad_input_is_400_and_writes_nothing(
    api: Api, method: str, path: str, body: Any, params: dict[str, str] | None
) -> None:
    before = api.get("/sessions", params={"limit": 1}).json()["data"]
    response = api(method, path, body, params=params)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "code", "message"}
    assert api.get("/sessions", params={"limit": 1}).json()["data"] == before


def test_a_malformed_q_names_the_character(api: Api) -> None:
    q = "user_metadata['a']:'x' AND user_metadata['b'] ~ 1"
    response = api.get("/sessions", params={"q": q})
    assert response.status_code == 400
    assert f"character {q.index('~') + 1}:" in response.json()["message"]


def test_patch_beyond_512_characters_changes_nothing(api: Api) -> None:
    sid, mark = _sid(), _mark()
    api.post("/sessions", {"session_id": sid, "user_metadata": {"m": mark}})
    assert api("PATCH", f"/sessions/{sid}", {"user_metadata": {"m": "x" * 600}}).status_code == 400
    assert api("PATCH", f"/sessions/{sid}", {"metadata": {}}).status_code == 400
    assert api.get(f"/sessions/{sid}").json()["user_metadata"] == {"m": mark}
    assert _ids(api, f"user_metadata['m']:'{mark}'") == [sid]
