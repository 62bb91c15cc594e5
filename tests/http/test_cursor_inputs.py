"""Every ``next`` cursor a client can send is a page or a 400 ``invalid_cursor``, never a 500: cursors
built from arbitrary JSON or text (hypothesis), and a cursor one filter gave out reused with another."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Api

DATED = json.dumps(
    [{"attribute": "date_range", "operator": "between_dates", "value": {"lower": "2024-01-01", "upper": "2030-01-01"}}]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
# Positions (``{created:013d}#{id}``) and list keys, with every character class, lone surrogates included.
TEXT = st.text(st.characters(codec=None), max_size=40) | st.builds(
    lambda ms, rest: f"{ms:013d}#{rest}", st.integers(0, 10**13 - 1), st.text(max_size=20)
)
LISTS = [
    "/users",
    "/users?metadatakey=a&metadatavalues_in=b",
    "/open_channels",
    "/group_channels?metacounter_key=c&metacounter_value_gt=0",
    "/open_channels/cursor-channel/messages",
    "/sessions",
    "/sessions?status=RUNNING",
    "/sessions?filters=" + quote(DATED),
    "/users/cursor-user/sessions",
]


@pytest.fixture(scope="module", autouse=True)
def _lists(api: Api) -> None:
    """The channel whose messages the lists above page (the user needs none: an unknown one has no sessions)."""
    assert api.post("/open_channels", {"channel_url": "cursor-channel"}).status_code in (201, 409)


def _pack(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page_or_invalid(response: Any) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_cursor", response.text


def _sep(path: str) -> str:
    return "&" if "?" in path else "?"


@given(value=JSON, path=st.sampled_from(LISTS))
def test_a_cursor_of_any_json_is_a_page_or_invalid_cursor(api: Api, value: Any, path: str) -> None:
    for raw in (json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")):
        _page_or_invalid(api.get(path + _sep(path) + "limit=2", params={"next": _pack(raw)}))


@given(text=TEXT, path=st.sampled_from(LISTS))
def test_a_cursor_of_any_text_is_a_page_or_invalid_cursor(api: Api, text: str, path: str) -> None:
    _page_or_invalid(
        api.get(path + _sep(path) + "limit=2", params={"next": _pack(text.encode("utf-8", "surrogatepass"))})
    )


def test_a_session_cursor_below_the_date_range_lower_bound_is_an_empty_page(api: Api) -> None:
    """Was a 500: the range read became a BETWEEN whose lower bound is above its upper one."""
    below_it = _pack(b"0000000000001#s")  # a position of 1970, below 2024-01-01
    response = api.get("/sessions", params={"filters": DATED, "next": below_it})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": [], "next": None}


def test_a_cursor_of_one_filter_reused_with_another_is_a_page_or_invalid_cursor(api: Api) -> None:
    mark = uuid.uuid4().hex[:8]
    for i in range(3):
        api.post("/users", {"user_id": f"cur-{mark}-{i}", "metadata": {"m": mark}})
        api.post("/sessions", {"session_id": f"cur-{mark}-{i}", "user_id": f"cur-{mark}-{i}"})
    gave: list[str] = []
    for path in ("/users", f"/users?metadatakey=m&metadatavalues_in={mark}", "/sessions", "/open_channels"):
        answer = api.get(path + _sep(path) + "limit=1")
        assert answer.status_code == 200, answer.text
        if answer.json()["next"]:
            gave.append(answer.json()["next"])
    assert len(gave) >= 3
    for cursor in gave:
        for path in LISTS:
            _page_or_invalid(api.get(path + _sep(path) + "limit=2", params={"next": cursor}))
