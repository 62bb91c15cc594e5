"""Tenant isolation, route by route: application B, using application A's ids, sees nothing of A's
and changes nothing of A's. Every route in template.yaml must have a case here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import requests

from annex.api import sendbird_v3
from local.template import Route, Template, load
from tests.conftest import Api

Case = Callable[[Api, dict[str, str]], None]


def _missing(response: Any) -> None:
    assert response.status_code == 404, (response.request.method, response.request.url, response.text)
    assert response.json()["error"] is True


def _empty_list(response: Any) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data", body.get("users", body.get("channels"))) == [], body  # native or /v3 words


def _empty_lists(b: Api, *queries: dict[str, str], path: str) -> None:
    for query in queries:
        _empty_list(b.get(path, params=query))


U, CH, S = "/users/{user}", "/open_channels/{channel}", "/sessions/{session}"
MSG = CH + "/messages/{message}"
M, M1 = "/{channel_type}/{channel_url}/messages", "/{channel_type}/{channel_url}/messages/{message_id}"
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/users"): lambda b, ids: _empty_lists(  # every list index: GSI3 by value, GSI4 by key, q
        b,
        {"metadatakey": "k", "metadatavalues_in": ids["value"]},
        {"metadatakey": "k"},
        {"q": f"metadata['k']:'{ids['value']}'"},
        {"q": f"meta['plan']:'{ids['value']}'"},  # meta's entries: GSI3 by value, GSI4 by number bucket
        {"q": "meta['n'] > 1000000"},
        {"q": "meta['tags']:'secret-tag'"},
        path="/users",
    ),
    ("GET", "/users/{user_id}"): lambda b, ids: _missing(b.get(U.format(**ids))),
    ("PUT", "/users/{user_id}"): lambda b, ids: _missing(b.put(U.format(**ids), {"nickname": "B"})),
    ("DELETE", "/users/{user_id}"): lambda b, ids: _missing(b.delete(U.format(**ids))),
    ("GET", "/users/{user_id}/metadata"): lambda b, ids: _missing(b.get(U.format(**ids) + "/metadata")),
    ("POST", "/users/{user_id}/metadata"): lambda b, ids: _missing(
        b.post(U.format(**ids) + "/metadata", {"metadata": {"x": "B"}})
    ),
    ("PUT", "/users/{user_id}/metadata"): lambda b, ids: _missing(
        b.put(U.format(**ids) + "/metadata", {"metadata": {"k": "B"}, "upsert": True})
    ),
    ("DELETE", "/users/{user_id}/metadata"): lambda b, ids: _missing(b.delete(U.format(**ids) + "/metadata")),
    ("GET", "/users/{user_id}/metadata/{key}"): lambda b, ids: _missing(b.get(U.format(**ids) + "/metadata/k")),
    ("PUT", "/users/{user_id}/metadata/{key}"): lambda b, ids: _missing(
        b.put(U.format(**ids) + "/metadata/k", {"value": "B", "upsert": True})
    ),
    ("DELETE", "/users/{user_id}/metadata/{key}"): lambda b, ids: _missing(b.delete(U.format(**ids) + "/metadata/k")),
    ("GET", "/{channel_type}"): lambda b, ids: _empty_lists(
        b,
        {"metacounter_key": "c"},
        {"metacounter_key": "c", "metacounter_value_gte": "-100", "metacounter_value_lte": "100"},
        {"metadata_key": "k"},
        {"q": "meta['topic']:'x-secret'"},
        {"q": "meta['rank'] >= 7777777"},
        path="/open_channels",
    ),
    ("GET", "/{channel_type}/{channel_url}"): lambda b, ids: _missing(b.get(CH.format(**ids))),
    ("PUT", "/{channel_type}/{channel_url}"): lambda b, ids: _missing(b.put(CH.format(**ids), {"name": "B"})),
    ("DELETE", "/{channel_type}/{channel_url}"): lambda b, ids: _missing(b.delete(CH.format(**ids))),
    **{
        (method, f"/{{channel_type}}/{{channel_url}}/{field}{suffix}"): case
        for field, new, body, one in (
            ("metadata", {"n": "B"}, {"metadata": {"k": "B"}, "upsert": True}, {"value": "B", "upsert": True}),
            (
                "metacounter",
                {"n": 1},
                {"metacounter": {"c": 1}, "mode": "increase", "upsert": True},
                {"value": 1, "mode": "increase", "upsert": True},
            ),
        )
        for method, suffix, case in (
            ("GET", "", lambda b, ids, f=field: _missing(b.get(CH.format(**ids) + f"/{f}"))),
            ("POST", "", lambda b, ids, f=field, new=new: _missing(b.post(CH.format(**ids) + f"/{f}", {f: new}))),
            ("PUT", "", lambda b, ids, f=field, body=body: _missing(b.put(CH.format(**ids) + f"/{f}", body))),
            ("DELETE", "", lambda b, ids, f=field: _missing(b.delete(CH.format(**ids) + f"/{f}"))),
            ("GET", "/{key}", lambda b, ids, f=field: _missing(b.get(CH.format(**ids) + f"/{f}/k"))),
            ("PUT", "/{key}", lambda b, ids, f=field, one=one: _missing(b.put(CH.format(**ids) + f"/{f}/c", one))),
            ("DELETE", "/{key}", lambda b, ids, f=field: _missing(b.delete(CH.format(**ids) + f"/{f}/k"))),
        )
    },
    ("PATCH", "/users/{user_id}"): lambda b, ids: _missing(b("PATCH", U.format(**ids), {"meta": {"x": 1}})),
    ("GET", "/users/{user_id}/meta"): lambda b, ids: _missing(b.get(U.format(**ids) + "/meta")),
    ("POST", "/users/{user_id}/meta"): lambda b, ids: _missing(b.post(U.format(**ids) + "/meta", {"x": 1})),
    ("PATCH", "/{channel_type}/{channel_url}"): lambda b, ids: _missing(b("PATCH", CH.format(**ids), {"meta": {}})),
    ("GET", "/{channel_type}/{channel_url}/meta"): lambda b, ids: _missing(b.get(CH.format(**ids) + "/meta")),
    ("POST", "/{channel_type}/{channel_url}/meta"): lambda b, ids: _missing(
        b.post(CH.format(**ids) + "/meta", {"x": 1})
    ),
    ("POST", M): lambda b, ids: _missing(b.post(CH.format(**ids) + "/messages", {"user_id": "b", "message": "B"})),
    ("GET", M): lambda b, ids: _missing(b.get(CH.format(**ids) + "/messages?metaarray_key=k&metaarray_values=secret")),
    ("GET", M1): lambda b, ids: _missing(b.get(MSG.format(**ids))),
    ("DELETE", M1): lambda b, ids: _missing(b.delete(MSG.format(**ids))),
    ("PATCH", M1): lambda b, ids: _missing(b("PATCH", MSG.format(**ids), {"meta": {"x": 1}})),
    ("GET", f"{M1}/meta"): lambda b, ids: _missing(b.get(MSG.format(**ids) + "/meta")),
    ("POST", f"{M1}/meta"): lambda b, ids: _missing(b.post(MSG.format(**ids) + "/meta", {"x": 1})),
    ("POST", f"{M1}/sorted_metaarray"): lambda b, ids: _missing(
        b.post(MSG.format(**ids) + "/sorted_metaarray", {"sorted_metaarray": [{"key": "b", "value": ["B"]}]})
    ),
    ("PUT", f"{M1}/sorted_metaarray"): lambda b, ids: _missing(
        b.put(MSG.format(**ids) + "/sorted_metaarray", {"sorted_metaarray": [{"key": "k", "value": ["B"]}]})
    ),
    ("DELETE", f"{M1}/sorted_metaarray"): lambda b, ids: _missing(
        b.delete(MSG.format(**ids) + "/sorted_metaarray?keys=k")
    ),
    ("GET", "/sessions"): lambda b, ids: _empty_list(b.get("/sessions", params={"q": "user_metadata['k']:'secret'"})),
    ("GET", "/sessions/analytics"): lambda b, ids: _no_sessions(
        b.get(
            "/sessions/analytics",
            params={"filters": json.dumps([{"attribute": "user_id", "operator": "equal", "value": ids["user"]}])},
        )
    ),
    ("GET", "/sessions/{session_id}"): lambda b, ids: _missing(b.get(S.format(**ids))),
    ("POST", "/sessions/{session_id}"): lambda b, ids: _missing(b.post(S.format(**ids), {"status": "REQUEST_RELEASE"})),
    ("PATCH", "/sessions/{session_id}"): lambda b, ids: _missing(b("PATCH", S.format(**ids), {"user_metadata": 1})),
    ("GET", "/sessions/{session_id}/events"): lambda b, ids: _missing(b.get(S.format(**ids) + "/events")),
    ("GET", "/users/{user_id}/sessions"): lambda b, ids: _empty_list(b.get(U.format(**ids) + "/sessions")),
    # Creating with A's ids makes B's own record: A's stays exactly as it was (checked at the end).
    ("POST", "/users"): lambda b, ids: _created(b.post("/users", {"user_id": ids["user"], "nickname": "B"})),
    ("POST", "/{channel_type}"): lambda b, ids: _created(
        b.post("/open_channels", {"channel_url": ids["channel"], "name": "B"})
    ),
    ("POST", "/sessions"): lambda b, ids: _created(b.post("/sessions", {"session_id": ids["session"]})),
    ("POST", "/events"): lambda b, ids: _accepted(
        b.post("/events", {"batch": [{"session_id": ids["session"], "type": "screen", "name": "B"}]})
    ),
    # Not tenant data, explicitly: the web console's static files, public and the same for everyone.
    ("GET", "/console"): lambda b, ids: _public_file(b, "/console/", ids),
    ("GET", "/console/{proxy+}"): lambda b, ids: _public_file(b, "/console/app.js", ids),
}


# The /v3 creates run before the native ones: B removes what it created, and creates it again natively.
V3_CASES: dict[tuple[str, str], Case] = {
    ("POST", "/v3/users"): lambda b, ids: _created_and_removed(
        b, "/users", {"user_id": ids["user"], "nickname": "B"}, f"/users/{ids['user']}"
    ),
    ("POST", "/v3/{channel_type}"): lambda b, ids: _created_and_removed(
        b, "/open_channels", {"channel_url": ids["channel"], "name": "B"}, f"/open_channels/{ids['channel']}"
    ),
}


def _created_and_removed(b: Api, path: str, body: dict[str, Any], created: str) -> None:
    _created(b.post(path, body))
    assert b.delete(created).status_code == 200


def _public_file(b: Api, path: str, ids: dict[str, str]) -> None:
    """A static file: the same bytes for application B as for no token at all, naming none of A's ids."""
    response = b.get(path)
    assert response.status_code == 200, response.text
    assert response.content == requests.get(b.base + path, timeout=30).content
    assert not [ids[name] for name in ("user", "channel", "session") if ids[name] in response.text]


def _no_sessions(response: Any) -> None:
    assert response.status_code == 200, response.text
    assert [row["session_count"] for row in response.json()["data"]] == [0]


def _accepted(response: Any) -> None:
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 1, "rejected": []}


def _created(response: Any) -> None:
    assert response.status_code == (200 if "/v3/" in response.request.url else 201), response.text
    body = response.json()
    assert body.get("nickname", body.get("name", "B")) == "B"
    assert body.get("event_count", 0) == 0


def _snapshot(a: Api, ids: dict[str, str]) -> list[Any]:
    paths = [U, U + "/metadata", CH, CH + "/metadata", CH + "/metacounter", S, S + "/events", U + "/sessions"]
    paths += [CH + "/messages", MSG, MSG + "/meta"]
    return [a.get(p.format(**ids)).json() for p in paths]


def test_every_route_is_isolated_between_applications(api: Api, other_app: Api) -> None:
    ids = {
        "user": f"iso-{uuid.uuid4().hex[:8]}",
        "channel": f"iso-{uuid.uuid4().hex[:8]}",
        "session": f"iso-{uuid.uuid4().hex[:8]}",
        "value": "secret",
    }
    user = {
        "user_id": ids["user"],
        "nickname": "A",
        "metadata": {"k": "secret"},
        "meta": {"plan": "secret", "n": 1234567, "tags": ["secret-tag"]},
    }
    assert api.post("/users", user).status_code == 201
    channel = {
        "channel_url": ids["channel"],
        "name": "A",
        "metadata": {"k": "v"},
        "metacounter": {"c": 1},
        "meta": {"topic": "x-secret", "rank": 7777777},
    }
    assert api.post("/open_channels", channel).status_code == 201
    session = {"session_id": ids["session"], "user_id": ids["user"], "user_metadata": {"k": "secret"}}
    assert api.post("/sessions", session).status_code == 201
    message = {"user_id": ids["user"], "message": "A", "sorted_metaarray": [{"key": "k", "value": ["secret"]}]}
    sent = api.post(f"/open_channels/{ids['channel']}/messages", message | {"meta": {"m": 1}})
    assert sent.status_code == 201, sent.text
    ids["message"] = str(sent.json()["message_id"])
    events = {"batch": [{"session_id": ids["session"], "type": "screen", "name": "A"}]}
    assert api.post("/events", events).json()["accepted"] == 1
    before = _snapshot(api, ids)

    def native(route: Route) -> tuple[str, str]:
        """A /v3 route is its native twin under the prefix: its case is the twin's, through the prefix."""
        return route.method, route.path.removeprefix(sendbird_v3.PREFIX)

    def last(route: Route) -> tuple[bool, bool]:
        """Creates last (B's records would hide A's), those under /v3 first (they remove theirs)."""
        return route.method == "POST" and native(route)[1].count("/") == 1, native(route)[1] == route.path

    routes = sorted(Template(load()).routes(), key=last)
    uncovered = [native(r) for r in routes if native(r) not in CASES]
    assert not uncovered, f"routes without a tenant-isolation case: {uncovered}"
    v3 = Api(other_app.base + sendbird_v3.PREFIX, token=other_app.session.headers["Api-Token"])
    for route in routes:
        if native(route)[1] == route.path:
            CASES[(route.method, route.path)](other_app, ids)
        else:
            V3_CASES.get((route.method, route.path), CASES[native(route)])(v3, ids)

    assert _snapshot(api, ids) == before
