"""GET /sessions/analytics past ANALYTICS_MAX_SESSIONS under `make run`: the columnar copy (DuckDB,
fed by the stream poller) answers, says so in X-Annex-Engine alone, and a change counts within the
README's freshness bound."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Api, Stack, local_stack

pytestmark = pytest.mark.http
FRESHNESS_S = 10  # README "Analytics at any size": how old a change can be before it counts


@pytest.fixture(scope="module")
def small() -> Iterator[Api]:
    """A server whose DynamoDB path serves at most 2 sessions: more goes to the columnar engine."""
    running: Stack
    with local_stack("columnar", ANALYTICS_MAX_SESSIONS="2") as running:
        yield Api(running.url)


def _within(bound: float, check: Callable[[], Any]) -> Any:
    """``check()`` once it is truthy, trying until ``bound`` seconds have passed."""
    deadline = time.monotonic() + bound
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _analytics(api: Api, filters: list[dict[str, Any]], group_by: list[dict[str, Any]]) -> Any:
    params = {"filters": json.dumps(filters), "group_by": json.dumps(group_by)}
    return api.get("/sessions/analytics", params=params)


def test_a_large_range_is_answered_by_the_columnar_copy_and_changes_count_within_the_bound(small: Api) -> None:
    model = f"m-{uuid.uuid4().hex[:8]}"
    ids = [f"s-{uuid.uuid4().hex[:10]}" for _ in range(4)]
    for i, sid in enumerate(ids):
        body = {"session_id": sid, "user_id": f"u{i % 2}", "device": {"model": model, "platform": "ios"}}
        assert small.post("/sessions", body).status_code == 201
    mine = [{"attribute": "device_model", "operator": "equal", "value": model}]
    by_platform = [{"attribute": "device_platform"}]

    def counted(screens: float) -> Any:
        answer = _analytics(small, mine, by_platform)
        assert answer.status_code == 200, answer.text
        rows = answer.json()["data"]
        done = rows and rows[0]["session_count"] == 4 and rows[0]["avg_session_screen_count"] == screens
        return answer if done else None

    answer = _within(FRESHNESS_S, lambda: counted(0.0))
    assert answer is not None, "the four new sessions count within the bound"
    assert answer.headers["X-Annex-Engine"] == "duckdb"
    row = answer.json()["data"][0]
    assert (row["device_platform"], row["session_unique_user_count"], row["session_new_users_count"]) == ("ios", 2, 2)

    events = [{"session_id": ids[0], "type": "screen", "name": n} for n in ("home", "cart")]
    assert small.post("/events", {"batch": events}).status_code < 300
    assert _within(FRESHNESS_S, lambda: counted(0.5)) is not None, "a session's events count within the bound"


def test_a_small_range_stays_on_dynamodb_and_answers_alike(small: Api) -> None:
    sid = f"s-{uuid.uuid4().hex[:10]}"
    assert small.post("/sessions", {"session_id": sid, "device": {"model": "solo"}}).status_code == 201
    one = [{"attribute": "session_id", "operator": "equal", "value": sid}]
    answer = _analytics(small, one, [])
    assert answer.status_code == 200 and answer.headers["X-Annex-Engine"] == "dynamodb"
    assert answer.json()["data"][0]["session_count"] == 1


def test_web_attributes_comparison_and_pages_are_answered_by_the_columnar_copy(small: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    referer = f"https://{tag}.Example.com:8443/landing"
    for i, campaign in enumerate(("spring", "spring", "summer")):
        body = {
            "session_id": f"s-{uuid.uuid4().hex[:10]}",
            "user_id": f"w{i}",
            "device": {"platform": "web", "os_name": f"os-{tag}", "browser_version": "124.0"},
            "page": {"referer": referer, "utm": {"source": "mail", "campaign": campaign}},
        }
        assert small.post("/sessions", body).status_code == 201
    mine = [{"attribute": "referer_domain", "operator": "equal", "value": f"{tag}.example.com"}]
    params = {
        "filters": json.dumps(mine),
        "group_by": json.dumps([{"attribute": "utm.campaign"}]),
        "comparison": "previous_period",
        "aggregation": json.dumps(["session_count", "session_unique_user_count"]),
        "page": "2",
        "page_size": "1",
    }

    def answered() -> Any:
        answer = small.get("/sessions/analytics", params=params)
        assert answer.status_code == 200, answer.text
        return answer if answer.json().get("total_rows") == 2 else None

    answer = _within(FRESHNESS_S, answered)
    assert answer is not None and answer.headers["X-Annex-Engine"] == "duckdb"
    assert answer.json()["page"] == 2 and answer.json()["page_size"] == 1
    assert answer.json()["data"] == [
        {
            "utm.campaign": "summer",
            "session_count": 1,
            "session_unique_user_count": 1,
            "previous": {"session_count": 0, "session_unique_user_count": 0},
            "change": {"session_count": None, "session_unique_user_count": None},
        }
    ]
    by_os = small.get(
        "/sessions/analytics",
        params={"filters": json.dumps(mine), "group_by": json.dumps([{"attribute": "device_os_name"}])},
    )
    assert by_os.headers["X-Annex-Engine"] == "duckdb"
    assert [(r["device_os_name"], r["session_count"]) for r in by_os.json()["data"]] == [(f"os-{tag}", 3)]
